/**
 * Validation of the offboarding input (CONTRACT.md, "Input"). Pure and deterministic, so that the client library,
 * the CLI and the workflow itself apply exactly the same rules.
 */
import { INPUT_FIELDS, type MessageArgs, type OffboardingInput } from './contract';

/** One broken rule: which field, and the rule it breaks. */
export interface InputProblem {
  field: string;
  rule: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: InputProblem[] };

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const REGION = /^[a-z]{1,16}$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export const MAX_REQUESTED_BY = 200;
export const MAX_REASON = 1000;
export const MIN_PURGE_AFTER_DAYS = 10;
export const MAX_PURGE_AFTER_DAYS = 90;
export const MAX_NOT_BEFORE_DAYS = 366;
const DAY_MS = 86_400_000;

const KNOWN_FIELDS: ReadonlySet<string> = new Set(INPUT_FIELDS);

/** True when `hostname` is a DNS name: dot-separated labels, no scheme, port, path or trailing dot. */
export function isDnsName(hostname: string): boolean {
  if (hostname.length > 253) return false;
  const labels = hostname.split('.');
  return labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
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

function inputChecks(nowMs: number): Record<keyof OffboardingInput, FieldCheck> {
  return {
    tenantId: stringRule((s) =>
      TENANT_ID.test(s) ? undefined : 'must be 1-64 characters of A-Z a-z 0-9 _ - (a Qlik tenant ID)',
    ),
    hostname: stringRule((s) =>
      isDnsName(s.toLowerCase())
        ? undefined
        : 'must be a DNS name such as acme.eu.qlikcloud.com: no scheme, port, path or trailing dot',
    ),
    region: stringRule((s) =>
      REGION.test(s) ? undefined : 'must be a Qlik region code of lower-case letters only, such as eu or us',
    ),
    purgeAfterDays: (value) =>
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= MIN_PURGE_AFTER_DAYS &&
      value <= MAX_PURGE_AFTER_DAYS
        ? undefined
        : `must be a whole number from ${MIN_PURGE_AFTER_DAYS} to ${MAX_PURGE_AFTER_DAYS} (got ${typeName(value) === 'number' ? String(value) : typeName(value)})`,
    notBefore: stringRule((s) => {
      const at = Date.parse(s);
      if (!ISO_DATE_TIME.test(s) || Number.isNaN(at)) {
        return 'must be an ISO-8601 date-time with a time zone, such as 2026-12-01T09:00:00Z';
      }
      if (at - nowMs > MAX_NOT_BEFORE_DAYS * DAY_MS) return `must be at most ${MAX_NOT_BEFORE_DAYS} days ahead`;
      return undefined;
    }),
    requestedBy: optionalText(MAX_REQUESTED_BY, false),
    reason: optionalText(MAX_REASON, true),
    dryRun: (value) => (typeof value === 'boolean' ? undefined : `must be true or false (got ${typeName(value)})`),
  };
}

const REQUIRED: ReadonlyArray<keyof OffboardingInput> = ['tenantId', 'hostname', 'region'];

/**
 * Checks every rule of the contract and returns every broken one, or the input normalised for use
 * (hostname lower-cased). `nowMs` bounds `notBefore`; in a workflow pass the workflow's `Date.now()`.
 */
export function validateOffboardingInput(raw: unknown, nowMs: number): Validated<OffboardingInput> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [{ field: '(input)', rule: `must be a JSON object (got ${typeName(raw)})` }] };
  }
  const problems: InputProblem[] = [];
  const record = raw as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!KNOWN_FIELDS.has(field)) problems.push({ field, rule: 'is not a known field' });
  }
  for (const field of REQUIRED) {
    if (record[field] === undefined) problems.push({ field, rule: 'is required' });
  }
  const checks = inputChecks(nowMs);
  for (const [field, check] of Object.entries(checks)) {
    if (!(field in record) || record[field] === undefined) continue;
    const rule = record[field] === null ? 'must not be null (leave the field out instead)' : check(record[field]);
    if (rule) problems.push({ field, rule });
  }
  if (problems.length > 0) return { ok: false, problems };
  const input = { ...(record as unknown as OffboardingInput) };
  input.hostname = input.hostname.toLowerCase();
  return { ok: true, value: input };
}

/** Validates the optional argument of `cancel`/`reactivate` and their Updates. */
export function validateMessageArgs(raw: unknown): Validated<MessageArgs> {
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ field: '(argument)', rule: `must be an object (got ${typeName(raw)})` }] };
  }
  const record = raw as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const checks: Record<keyof MessageArgs, FieldCheck> = {
    reason: optionalText(MAX_REASON, true),
    requestedBy: optionalText(MAX_REQUESTED_BY, false),
  };
  for (const [field, value] of Object.entries(record)) {
    const check = checks[field as keyof MessageArgs];
    if (!check) problems.push({ field, rule: 'is not a known field' });
    else if (value !== undefined) {
      const rule = value === null ? 'must not be null' : check(value);
      if (rule) problems.push({ field, rule });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: record as MessageArgs };
}

/** One line per problem, naming the field and the rule: `hostname: must be a DNS name …`. */
export function describeProblems(problems: InputProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.rule}`).join('; ');
}
