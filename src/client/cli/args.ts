/**
 * Command-line parsing on `node:util` `parseArgs` (strict: an unknown flag or a missing value is bad input), and
 * the flag values that need more than a string: dates, durations, numbers.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import ms from 'ms';
import { ISO_DATE_TIME_PATTERN } from '../../shared/contract';

/** Bad command-line input (exit 2). The message names the flag and the rule. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly verb?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** The flags every verb has. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

/**
 * Parses `argv` for `verb`; `positionals` names the required positional arguments, `optional` those that may follow
 * them.
 */
export function parseVerbArgs<O extends OptionSpecs>(
  verb: string,
  argv: string[],
  options: O,
  positionals: string[] = [],
  optional: string[] = [],
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    // parseArgs' messages already name the flag ("Unknown option '--foo'"); add where to look.
    throw new UsageError(`${(error as Error).message.replace(/\.$/, '')}`, verb);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { values, positionals: parsed.positionals };
  const given = parsed.positionals.length;
  if (given < positionals.length || given > positionals.length + optional.length) {
    const names = [...positionals.map((p) => `<${p}>`), ...optional.map((p) => `[<${p}>]`)];
    const expected = names.length === 0 ? 'no arguments' : names.join(' ');
    const got = parsed.positionals.length === 0 ? 'none' : parsed.positionals.map((p) => JSON.stringify(p)).join(' ');
    throw new UsageError(`${verb} takes ${expected} (got ${got})`, verb);
  }
  return { values, positionals: parsed.positionals };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A `--flag DATE` value: `2026-01-31` (midnight UTC) or an ISO-8601 date-time with a zone. */
export function parseDateFlag(flag: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = DATE_ONLY.test(text)
    ? Date.parse(`${text}T00:00:00Z`)
    : ISO_DATE_TIME_PATTERN.test(text)
      ? Date.parse(text)
      : NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(
      `--${flag}: must be an ISO-8601 date or date-time with a time zone, such as 2026-01-31 or 2026-01-31T12:00:00Z (got ${JSON.stringify(text)})`,
    );
  }
  return new Date(at);
}

/** A `--flag DURATION` value (`500ms`, `5s`, `2m`, or a number of seconds) within [minMs, maxMs]. */
export function parseDurationFlag(
  flag: string,
  text: string | undefined,
  bounds: { defaultMs: number; minMs: number; maxMs: number },
): number {
  if (text === undefined) return bounds.defaultMs;
  const value = /^\d+(\.\d+)?$/.test(text)
    ? Number(text) * 1000
    : /^\d+(\.\d+)?\s*[a-z]+$/i.test(text)
      ? ms(text as ms.StringValue)
      : NaN;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < bounds.minMs || value > bounds.maxMs) {
    throw new UsageError(
      `--${flag}: must be a duration from ${ms(bounds.minMs)} to ${ms(bounds.maxMs)}, such as 5s or 500ms (got ${JSON.stringify(text)})`,
    );
  }
  return value;
}

/** A `--flag N` value: a number within [min, max]. */
export function parseNumberFlag(
  flag: string,
  text: string | undefined,
  bounds: { defaultValue: number; min: number; max: number; integer?: boolean },
): number {
  if (text === undefined) return bounds.defaultValue;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(value) || value < bounds.min || value > bounds.max || (bounds.integer && !Number.isInteger(value))) {
    throw new UsageError(
      `--${flag}: must be ${bounds.integer ? 'a whole number' : 'a number'} from ${bounds.min} to ${bounds.max} (got ${JSON.stringify(text)})`,
    );
  }
  return value;
}

/**
 * A numeric contract field given as text (a flag or a CSV cell): numeric text becomes a number, so that the
 * contract's rule decides (`30.5` → "must be a whole number"); anything else stays text and is refused as such.
 */
export function numberOrText(text: string): number | string {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : text;
}
