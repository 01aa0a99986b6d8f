/**
 * The one place where a webhook's answer (or its absence) becomes what Temporal acts on: server trouble and rate
 * limits retry with backoff, a refusal or a redirect does not (retrying cannot change the receiver's mind).
 * Messages name the event, the run, the receiver's host and the HTTP status — never the secret, the signature or
 * the URL's path and query (which may carry a token of the receiver's).
 */
import { ApplicationFailure } from '@temporalio/common';
import { networkErrorCode, parseRetryAfter, type HttpAnswer } from '../http';
import { WebhookFailureType } from '../shared/failure-types';

/** The `type` of every failure `sendLifecycleEvent` throws (the list lives in src/shared/failure-types.ts). */
export const WEBHOOK_FAILURE_TYPES = Object.values(WebhookFailureType);
export { WebhookFailureType };

/** `details[0]` of every webhook failure. */
export interface WebhookFailureDetails {
  httpStatus?: number;
  /** Transport error code (`ECONNREFUSED`, `ETIMEDOUT`, …) when there was no answer. */
  code?: string;
}

/** What a message may name about the delivery. */
export interface DeliveryContext {
  kind: string;
  workflowId: string;
  runId: string;
  /** Host (and port) of the webhook URL only. */
  host: string;
}

const describe = (ctx: DeliveryContext): string =>
  `webhook delivery of the ${ctx.kind} event of ${ctx.workflowId} (run ${ctx.runId}) to ${ctx.host}`;

function failure(
  type: WebhookFailureType,
  message: string,
  details: WebhookFailureDetails,
  nextRetryDelayMs?: number,
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: type === 'WebhookRejected',
    details: [details],
    ...(nextRetryDelayMs !== undefined ? { nextRetryDelay: nextRetryDelayMs } : {}),
  });
}

/** Undefined for a 2xx (delivered); otherwise the failure to throw. */
export function failureFromAnswer(
  ctx: DeliveryContext,
  answer: HttpAnswer,
  nowMs: number,
): ApplicationFailure | undefined {
  const { status } = answer;
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) {
    const retryAfter = answer.headers['retry-after'];
    // Without retry-after, Temporal's own backoff decides; with it, the receiver does.
    const delayMs = retryAfter !== undefined ? parseRetryAfter(retryAfter, nowMs) : undefined;
    return failure(
      'WebhookRateLimited',
      `${describe(ctx)}: HTTP 429 (rate limited)${delayMs !== undefined ? `, retrying in ${delayMs} ms` : ''}`,
      { httpStatus: status },
      delayMs,
    );
  }
  if (status >= 500) {
    return failure('WebhookUnavailable', `${describe(ctx)}: HTTP ${status}, will retry`, { httpStatus: status });
  }
  const why = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  return failure('WebhookRejected', `${describe(ctx)} rejected: HTTP ${status}${why}`, { httpStatus: status });
}

/** The failure for a request that got no answer: connection refused, reset, DNS, timeout. Always retryable. */
export function failureFromTransport(ctx: DeliveryContext, error: unknown): ApplicationFailure {
  const code = networkErrorCode(error);
  // The transport error's own message is left out: it may quote the URL.
  return failure('WebhookUnreachable', `${describe(ctx)}: no answer (${code}), will retry`, { code });
}
