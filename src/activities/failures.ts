import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { QlikError } from '../qlik/types';
import type { CallFailureDetails } from './types';

/**
 * Turns a {@link QlikError} into the ApplicationFailure Temporal acts on: transient kinds retry (a 429 not before
 * its `retry-after`), every other kind is non-retryable with the contract's type. Other errors pass through.
 */
export function toApplicationFailure(error: unknown): unknown {
  if (!(error instanceof QlikError)) return error;
  const details: CallFailureDetails = {
    httpStatus: error.details.httpStatus,
    code: error.details.code,
    traceId: error.details.traceId,
    attempt: activityInfo().attempt,
    retryAfterMs: error.kind === 'RateLimited' ? error.details.retryAfterMs : undefined,
  };
  return ApplicationFailure.create({
    type: error.kind,
    message: error.message,
    nonRetryable: !error.retryable,
    nextRetryDelay: error.kind === 'RateLimited' ? error.details.retryAfterMs : undefined,
    details: [details],
  });
}

/** Runs a Qlik call and rethrows its failure in the form Temporal acts on. */
export async function asActivity<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toApplicationFailure(error);
  }
}
