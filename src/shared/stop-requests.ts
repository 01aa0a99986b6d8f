/**
 * Validation of the stop registry's arguments (src/shared/stops.ts): the `stopDeactivations` and
 * `resumeDeactivations` Updates, the registry's input, and the stops read back from its memo. Total like the input
 * validation (src/shared/input.ts): any JSON value gets an answer naming the field and the rule, never an exception,
 * and only own properties count. The library, the CLI and the workflow's validators all use these.
 */
import { isRegionCode } from './contract';
import {
  CONTROL_CHARS,
  type InputProblem,
  isRecord,
  MAX_REASON,
  MAX_REQUESTED_BY,
  own,
  Problems,
  typeName,
  type Validated,
} from './input';
import { type ControlsInput, MAX_STOPS, type ResumeRequest, type Stop, type StopRequest } from './stops';

type FieldCheck = (value: unknown) => string | undefined;

function text(options: { max: number; oneLine: boolean }): FieldCheck {
  return (value) => {
    if (typeof value !== 'string') return `must be a string (got ${typeName(value)})`;
    if (value.trim().length === 0) return 'must not be empty';
    if (value.length > options.max) return `must be at most ${options.max} characters (got ${value.length})`;
    if (options.oneLine && CONTROL_CHARS.test(value)) return 'must not contain control characters';
    return undefined;
  };
}

const region: FieldCheck = (value) =>
  typeof value !== 'string'
    ? `must be a string (got ${typeName(value)})`
    : isRegionCode(value)
      ? undefined
      : 'must be a Qlik region code of lower-case letters only, such as eu or us';

const who = text({ max: MAX_REQUESTED_BY, oneLine: true });
const why = text({ max: MAX_REASON, oneLine: false });

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const isoUtc: FieldCheck = (value) =>
  typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value))
    ? undefined
    : 'must be an ISO-8601 UTC date-time';

/** What one kind of object holds: the check of each field, the required ones, and an example for messages. */
interface ObjectSpec {
  checks: Record<string, FieldCheck>;
  required: readonly string[];
  example: string;
}

const STOP_REQUEST: ObjectSpec = {
  checks: { region, requestedBy: who, reason: why, by: who } satisfies Record<keyof StopRequest, FieldCheck>,
  required: ['reason', 'by'],
  example: '{ "region": "eu", "reason": "…", "by": "…" }',
};
const RESUME_REQUEST: ObjectSpec = {
  checks: { region, requestedBy: who, by: who, reason: why } satisfies Record<keyof ResumeRequest, FieldCheck>,
  required: ['by'],
  example: '{ "region": "eu", "by": "…" }',
};
const STOP: ObjectSpec = {
  checks: {
    id: text({ max: 100, oneLine: true }),
    region,
    requestedBy: who,
    reason: why,
    by: who,
    at: isoUtc,
  } satisfies Record<keyof Stop, FieldCheck>,
  required: ['id', 'reason', 'by', 'at'],
  example: '{ "id", "region", "reason", "by", "at" }',
};

const SELECTOR_FIELD = 'region, requestedBy';
const SELECTOR_RULE =
  'at least one is required: a stop names the deactivations it holds (a region, a requester, or both)';

/**
 * Checks `raw` as an object of `spec`'s fields that names at least one of `region`/`requestedBy`. `name` is how the
 * problems call the object (`stops[2]`), or undefined for a message argument. Problems go to `problems`; the value
 * returned holds the valid fields.
 */
function checkObject(raw: unknown, spec: ObjectSpec, problems: Problems, name?: string): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  if (!isRecord(raw)) {
    problems.add(name ?? '(argument)', `must be an object such as ${spec.example} (got ${typeName(raw)})`);
    return value;
  }
  const field = (key: string) => (name === undefined ? key : `${name}.${key}`);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(spec.checks, key)) problems.add(field(key), 'is not a known field');
  }
  for (const key of spec.required) {
    if (own(raw, key) === undefined) problems.add(field(key), 'is required');
  }
  for (const [key, check] of Object.entries(spec.checks)) {
    const fieldValue = own(raw, key);
    if (fieldValue === undefined) continue;
    const rule = fieldValue === null ? 'must not be null (leave the field out instead)' : check(fieldValue);
    if (rule) problems.add(field(key), rule);
    else value[key] = fieldValue;
  }
  if (own(raw, 'region') === undefined && own(raw, 'requestedBy') === undefined) {
    problems.add(name === undefined ? SELECTOR_FIELD : `${name}.(${SELECTOR_FIELD})`, SELECTOR_RULE);
  }
  return value;
}

function result<T>(value: unknown, problems: Problems): Validated<T> {
  return problems.empty ? { ok: true, value: value as T } : { ok: false, problems: problems.list() };
}

/** The `stopDeactivations` argument: `{ region?, requestedBy?, reason, by }`, at least one of the first two. */
export function validateStopRequest(raw: unknown): Validated<StopRequest> {
  const problems = new Problems();
  const value = checkObject(raw, STOP_REQUEST, problems);
  return result(value, problems);
}

/** The `resumeDeactivations` argument: `{ region?, requestedBy?, by, reason? }`, at least one of the first two. */
export function validateResumeRequest(raw: unknown): Validated<ResumeRequest> {
  const problems = new Problems();
  const value = checkObject(raw, RESUME_REQUEST, problems);
  return result(value, problems);
}

/** A list of stops, as the registry carries it across continue-as-new and publishes it in its memo. */
export function validateStops(raw: unknown): Validated<Stop[]> {
  if (!Array.isArray(raw)) {
    return { ok: false, problems: [{ field: 'stops', rule: `must be an array (got ${typeName(raw)})` }] };
  }
  if (raw.length > MAX_STOPS) {
    return {
      ok: false,
      problems: [{ field: 'stops', rule: `must hold at most ${MAX_STOPS} stops (got ${raw.length})` }],
    };
  }
  const problems = new Problems();
  const stops = raw.map((entry: unknown, i) => checkObject(entry, STOP, problems, `stops[${i}]`));
  return result(stops, problems);
}

/** The registry's input: `{ stops?, updatesPerRun? }`, or nothing. */
export function validateControlsInput(raw: unknown): Validated<ControlsInput> {
  if (raw === undefined) return { ok: true, value: {} };
  if (!isRecord(raw)) {
    return {
      ok: false,
      problems: [{ field: '(input)', rule: `must be an object or left out (got ${typeName(raw)})` }],
    };
  }
  const problems: InputProblem[] = [];
  for (const field of Object.keys(raw)) {
    if (field !== 'stops' && field !== 'updatesPerRun') problems.push({ field, rule: 'is not a known field' });
  }
  const input: ControlsInput = {};
  const stops = own(raw, 'stops');
  if (stops !== undefined) {
    const validated = validateStops(stops);
    if (validated.ok) input.stops = validated.value;
    else problems.push(...validated.problems);
  }
  const updatesPerRun = own(raw, 'updatesPerRun');
  if (updatesPerRun !== undefined) {
    if (typeof updatesPerRun === 'number' && Number.isInteger(updatesPerRun) && updatesPerRun >= 1) {
      input.updatesPerRun = updatesPerRun;
    } else {
      problems.push({ field: 'updatesPerRun', rule: 'must be a whole number of at least 1' });
    }
  }
  return problems.length === 0 ? { ok: true, value: input } : { ok: false, problems };
}
