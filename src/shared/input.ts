/**
 * Validation of the offboarding input (CONTRACT.md, "Input"). Pure and deterministic, so that the client library,
 * the CLI and the workflow itself apply exactly the same rules.
 */
import {
  type ApprovalArgs,
  type ExtendGracePeriodArgs,
  INPUT_FIELDS,
  isDnsName,
  isRegionCode,
  ISO_DATE_TIME_PATTERN,
  type MessageArgs,
  type OffboardingInput,
  TENANT_ID_PATTERN,
} from './contract';

/** One broken rule: which field, and the rule it breaks. */
export interface InputProblem {
  field: string;
  rule: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: InputProblem[] };

/** Control characters, refused in one-line audit fields (`requestedBy`, and the stop registry's `by`). */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** Characters that would garble or spoof a terminal line when a field name is echoed: controls, line and bidi marks. */
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const MAX_REQUESTED_BY = 200;
export const MAX_REASON = 1000;
export const MIN_PURGE_AFTER_DAYS = 10;
export const MAX_PURGE_AFTER_DAYS = 90;
export const MAX_NOT_BEFORE_DAYS = 366;
/** At most this many problems are listed; the rest are counted in a last `(more)` entry. */
export const MAX_PROBLEMS = 10;
/** At most this many characters of a field name (a key the caller chose) are echoed back in a problem. */
export const MAX_SHOWN_FIELD = 100;
const DAY_MS = 86_400_000;
const MORE_FIELD = '(more)';

const KNOWN_FIELDS: ReadonlySet<string> = new Set(INPUT_FIELDS);

/** The JSON type of `value` as problems name it: `null`, `array`, `string`, … */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** True for a value that may carry fields: an object that is neither null nor an array (any prototype, or none). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `s` cut to at most `max` UTF-16 units, never in the middle of a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\ud800-\udbff]/.test(s.charAt(max - 1)) ? max - 1 : max;
  return s.slice(0, end);
}

/**
 * A field name as it may be echoed in a problem: unprintable characters escaped (`\u000a`), and at most
 * {@link MAX_SHOWN_FIELD} characters of it, with its length when longer. The caller chose the key, so it may be
 * anything a JSON object allows.
 */
function shownField(field: string): string {
  const head = escapeUnprintable(truncate(field, MAX_SHOWN_FIELD));
  return field.length > MAX_SHOWN_FIELD ? `${head}… (${field.length} characters)` : head;
}

function escapeUnprintable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Collects problems, keeping the first {@link MAX_PROBLEMS} and counting the rest (a huge object costs no memory). */
export class Problems {
  private readonly listed: InputProblem[] = [];
  private more = 0;

  add(field: string, rule: string): void {
    if (this.listed.length < MAX_PROBLEMS) this.listed.push({ field: shownField(field), rule });
    else this.more++;
  }

  get empty(): boolean {
    return this.listed.length === 0;
  }

  list(): InputProblem[] {
    return this.more > 0 ? [...this.listed, moreProblems(this.more)] : this.listed;
  }
}

function moreProblems(count: number): InputProblem {
  return { field: MORE_FIELD, rule: `${count} more problems not shown` };
}

/** Own property `field` of `record`: never one inherited from a prototype (`constructor`, `toString`, …). */
export function own(record: Record<string, unknown>, field: string): unknown {
  return Object.hasOwn(record, field) ? record[field] : undefined;
}

type FieldCheck = (value: unknown) => string | undefined;

function stringRule(check: (s: string) => string | undefined): FieldCheck {
  return (value) => (typeof value === 'string' ? check(value) : `must be a string (got ${typeName(value)})`);
}

function optionalText(max: number, allowControl: boolean): FieldCheck {
  return stringRule((s) => {
    if (s.length > max) return `must be at most ${max} characters (got ${s.length})`;
    if (!allowControl && CONTROL_CHARS.test(s)) return 'must not contain control characters';
    return undefined;
  });
}

function purgeAfterDaysCheck(value: unknown): string | undefined {
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= MIN_PURGE_AFTER_DAYS &&
    value <= MAX_PURGE_AFTER_DAYS
    ? undefined
    : `must be a whole number from ${MIN_PURGE_AFTER_DAYS} to ${MAX_PURGE_AFTER_DAYS} (got ${typeName(value) === 'number' ? String(value) : typeName(value)})`;
}

function inputChecks(nowMs: number): Record<keyof OffboardingInput, FieldCheck> {
  return {
    tenantId: stringRule((s) =>
      TENANT_ID_PATTERN.test(s) ? undefined : 'must be 1-64 characters of A-Z a-z 0-9 _ - (a Qlik tenant ID)',
    ),
    hostname: stringRule((s) =>
      isDnsName(s.toLowerCase())
        ? undefined
        : 'must be a DNS name such as acme.eu.qlikcloud.com: no scheme, port, path or trailing dot',
    ),
    region: stringRule((s) =>
      isRegionCode(s) ? undefined : 'must be a Qlik region code of lower-case letters only, such as eu or us',
    ),
    purgeAfterDays: purgeAfterDaysCheck,
    notBefore: stringRule((s) => {
      const parts = ISO_DATE_TIME_PATTERN.exec(s);
      if (!parts) return 'must be an ISO-8601 date-time with a time zone, such as 2026-12-01T09:00:00Z';
      const impossible = impossibleDateTime(parts);
      if (impossible) return `must be a real calendar date-time (${impossible})`;
      const at = Date.parse(s);
      if (Number.isNaN(at)) return 'must be an ISO-8601 date-time with a time zone, such as 2026-12-01T09:00:00Z';
      if (at - nowMs > MAX_NOT_BEFORE_DAYS * DAY_MS) return `must be at most ${MAX_NOT_BEFORE_DAYS} days ahead`;
      return undefined;
    }),
    requestedBy: optionalText(MAX_REQUESTED_BY, false),
    reason: optionalText(MAX_REASON, true),
    dryRun: (value) => (typeof value === 'boolean' ? undefined : `must be true or false (got ${typeName(value)})`),
  };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * What makes a well-formed ISO-8601 date-time impossible on the calendar or the clock, or undefined when it is real.
 * `Date.parse` rolls such values over (30 February becomes 2 March, 24:00 the next day), so it cannot tell.
 */
function impossibleDateTime(parts: RegExpExecArray): string | undefined {
  const [, year, month, day, hour, minute, second, , offsetHour, offsetMinute] = parts.map(Number);
  const yearMonth = `${parts[1]}-${parts[2]}`;
  if (month! < 1 || month! > 12) return `there is no month ${parts[2]}`;
  const days = month === 2 && isLeapYear(year!) ? 29 : MONTH_DAYS[month! - 1]!;
  if (day! < 1 || day! > days) return `${yearMonth} has ${days} days, so no day ${parts[3]}`;
  if (hour! > 23) return `hours go from 00 to 23, not ${parts[4]}`;
  if (minute! > 59) return `minutes go from 00 to 59, not ${parts[5]}`;
  if (parts[6] !== undefined && second! > 59) return `seconds go from 00 to 59, not ${parts[6]}`;
  if (parts[7] !== undefined && (offsetHour! > 23 || offsetMinute! > 59)) {
    return `the time-zone offset ${parts[7]}${parts[8]}:${parts[9]} does not exist`;
  }
  return undefined;
}

const REQUIRED: ReadonlyArray<keyof OffboardingInput> = ['tenantId', 'hostname', 'region'];

/**
 * Checks every rule of the contract and returns every broken one (at most {@link MAX_PROBLEMS}, then a count), or the
 * input normalised for use (hostname lower-cased). Total: any value gets an answer, never an exception, and only own
 * properties count, so `constructor` or `__proto__` are unknown fields like any other. `nowMs` bounds `notBefore`;
 * in a workflow pass the workflow's `Date.now()`.
 */
export function validateOffboardingInput(raw: unknown, nowMs: number): Validated<OffboardingInput> {
  if (!isRecord(raw)) {
    return { ok: false, problems: [{ field: '(input)', rule: `must be a JSON object (got ${typeName(raw)})` }] };
  }
  const problems = new Problems();
  for (const field of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(field)) problems.add(field, 'is not a known field');
  }
  for (const field of REQUIRED) {
    if (own(raw, field) === undefined) problems.add(field, 'is required');
  }
  const checks = inputChecks(nowMs);
  const input: Record<string, unknown> = {};
  for (const field of INPUT_FIELDS) {
    const value = own(raw, field);
    if (value === undefined) continue;
    const rule = value === null ? 'must not be null (leave the field out instead)' : checks[field](value);
    if (rule) problems.add(field, rule);
    else input[field] = value;
  }
  if (!problems.empty) return { ok: false, problems: problems.list() };
  const valid = input as unknown as OffboardingInput;
  valid.hostname = valid.hostname.toLowerCase();
  return { ok: true, value: valid };
}

const MESSAGE_CHECKS: Readonly<Record<keyof MessageArgs, FieldCheck>> = {
  reason: optionalText(MAX_REASON, true),
  requestedBy: optionalText(MAX_REQUESTED_BY, false),
};
const MESSAGE_FIELDS = Object.keys(MESSAGE_CHECKS) as Array<keyof MessageArgs>;

/**
 * Validates the optional argument of `cancel`/`reactivate` and their Updates: absent, or an object with only
 * `reason` and `requestedBy`. Total like {@link validateOffboardingInput}; the value returned holds only those fields.
 */
export function validateMessageArgs(raw: unknown): Validated<MessageArgs> {
  if (raw === undefined) return { ok: true, value: {} };
  if (!isRecord(raw)) {
    return {
      ok: false,
      problems: [
        {
          field: '(argument)',
          rule: `must be an object such as { "reason": "…", "requestedBy": "…" }, or left out (got ${typeName(raw)})`,
        },
      ],
    };
  }
  const problems = new Problems();
  const args: MessageArgs = {};
  for (const field of Object.keys(raw)) {
    if (!(MESSAGE_FIELDS as string[]).includes(field)) problems.add(field, 'is not a known field');
  }
  for (const field of MESSAGE_FIELDS) {
    const value = own(raw, field);
    if (value === undefined) continue;
    const rule = value === null ? 'must not be null' : MESSAGE_CHECKS[field](value);
    if (rule) problems.add(field, rule);
    else args[field] = value as string;
  }
  return problems.empty ? { ok: true, value: args } : { ok: false, problems: problems.list() };
}

const EXTENSION_CHECKS: Readonly<Record<keyof ExtendGracePeriodArgs, FieldCheck>> = {
  purgeAfterDays: purgeAfterDaysCheck,
  ...MESSAGE_CHECKS,
};

/**
 * Validates the argument of the `extendGracePeriod` Update: an object with `purgeAfterDays` (10–90) and the optional
 * `reason` and `requestedBy`. Total like {@link validateOffboardingInput}.
 */
export function validateExtensionArgs(raw: unknown): Validated<ExtendGracePeriodArgs> {
  if (!isRecord(raw)) {
    const rule = `must be an object such as { "purgeAfterDays": 60, "reason": "…" } (got ${typeName(raw)})`;
    return { ok: false, problems: [{ field: '(argument)', rule }] };
  }
  const problems = new Problems();
  const args: Record<string, unknown> = {};
  for (const field of Object.keys(raw)) {
    if (!own(EXTENSION_CHECKS, field)) problems.add(field, 'is not a known field');
  }
  if (own(raw, 'purgeAfterDays') === undefined) problems.add('purgeAfterDays', 'is required');
  for (const [field, check] of Object.entries(EXTENSION_CHECKS)) {
    const value = own(raw, field);
    if (value === undefined) continue;
    const rule = value === null ? 'must not be null' : check(value);
    if (rule) problems.add(field, rule);
    else args[field] = value;
  }
  return problems.empty
    ? { ok: true, value: args as unknown as ExtendGracePeriodArgs }
    : { ok: false, problems: problems.list() };
}

const APPROVAL_FIELDS: ReadonlyArray<keyof ApprovalArgs> = ['approvedBy', 'reason'];

/**
 * Validates the argument of `approveOffboarding`: an object with a non-blank `approvedBy` (at most
 * {@link MAX_REQUESTED_BY} characters, like `requestedBy`) and an optional `reason`. Total like
 * {@link validateOffboardingInput}; the value returned holds only those fields, `approvedBy` trimmed.
 */
export function validateApprovalArgs(raw: unknown): Validated<ApprovalArgs> {
  if (!isRecord(raw)) {
    return {
      ok: false,
      problems: [
        {
          field: '(argument)',
          rule: `must be an object such as { "approvedBy": "…", "reason": "…" } (got ${raw === undefined ? 'nothing' : typeName(raw)})`,
        },
      ],
    };
  }
  const problems = new Problems();
  for (const field of Object.keys(raw)) {
    if (!(APPROVAL_FIELDS as readonly string[]).includes(field)) problems.add(field, 'is not a known field');
  }
  const approvedBy = own(raw, 'approvedBy');
  const reason = own(raw, 'reason');
  let approvedByRule: string | undefined;
  if (approvedBy === undefined) approvedByRule = 'is required: who approves (audit trail)';
  else if (approvedBy === null) approvedByRule = 'must not be null';
  else approvedByRule = optionalText(MAX_REQUESTED_BY, false)(approvedBy);
  if (approvedByRule === undefined && (approvedBy as string).trim() === '') {
    approvedByRule = 'must not be empty or only whitespace';
  }
  if (approvedByRule) problems.add('approvedBy', approvedByRule);
  const reasonRule =
    reason === undefined ? undefined : reason === null ? 'must not be null' : MESSAGE_CHECKS.reason(reason);
  if (reasonRule) problems.add('reason', reasonRule);
  if (!problems.empty) return { ok: false, problems: problems.list() };
  const args: ApprovalArgs = { approvedBy: (approvedBy as string).trim() };
  if (reason !== undefined) args.reason = reason as string;
  return { ok: true, value: args };
}

/**
 * True when two audit names are the same person by the four-eyes rule: equal once trimmed and lower-cased. (Only a
 * guard against the obvious: who may send an Update at all is Temporal's access control, not these names.)
 */
export function sameAuditName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The fields of a message argument that are valid on their own, whatever else is wrong with it: a signal cannot be
 * rejected, so its decision keeps what it can of the audit trail.
 */
export function validMessageFields(raw: unknown): MessageArgs {
  const args: MessageArgs = {};
  if (!isRecord(raw)) return args;
  for (const field of MESSAGE_FIELDS) {
    const value = own(raw, field);
    if (typeof value === 'string' && MESSAGE_CHECKS[field](value) === undefined) args[field] = value;
  }
  return args;
}

/**
 * One line per problem, naming the field and the rule: `hostname: must be a DNS name …`. Bounded whatever the list:
 * at most {@link MAX_PROBLEMS} problems (the rest counted), each field and rule cut to a readable length.
 */
export function describeProblems(problems: readonly InputProblem[]): string {
  const listed =
    problems.length > MAX_PROBLEMS + 1
      ? [...problems.slice(0, MAX_PROBLEMS), moreProblems(problems.length - MAX_PROBLEMS)]
      : problems;
  return listed.map((p) => `${bounded(p.field)}: ${bounded(p.rule)}`).join('; ');
}

/** Text of a problem made printable and cut to twice {@link MAX_SHOWN_FIELD} characters. */
function bounded(text: unknown): string {
  const s = typeof text === 'string' ? text : typeName(text);
  const max = 2 * MAX_SHOWN_FIELD;
  return `${escapeUnprintable(truncate(s, max))}${s.length > max ? '…' : ''}`;
}
