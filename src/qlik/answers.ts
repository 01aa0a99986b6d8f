/**
 * Tolerant readers of Qlik's 200 answers to deactivate and reactivate (QLIK-API §2, §3): the docs disagree on their
 * shape, so anything unexpected is treated as absent rather than as a failure of a call that succeeded.
 */
import type { DeactivateAnswer, ReactivateAnswer } from './types';

/**
 * Looser than the contract's ISO_DATE_TIME_PATTERN on purpose: this reads what Qlik wrote (a date alone, an offset
 * without a colon, lower case), and normalises it; the workflow then checks the date's plausibility.
 */
const QLIK_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** An ISO-8601 date(-time) normalised to UTC (`…Z`), or undefined when `value` is not one. */
export function toIsoDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || !QLIK_DATE.test(value.trim())) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** `{ status?, estimatedPurgeDate? }` from a deactivate answer; an invalid purge date counts as absent. */
export function parseDeactivateAnswer(text: string): DeactivateAnswer {
  const body = parseObject(text);
  const answer: DeactivateAnswer = {};
  if (typeof body.status === 'string') answer.status = body.status;
  const purgeDate = toIsoDate(body.estimatedPurgeDate);
  if (purgeDate !== undefined) answer.estimatedPurgeDate = purgeDate;
  return answer;
}

/** `{}` or `{ status }` from a reactivate answer (empty body, `{}` and `{id,status}` are all success). */
export function parseReactivateAnswer(text: string): ReactivateAnswer {
  const body = parseObject(text);
  return typeof body.status === 'string' ? { status: body.status } : {};
}
