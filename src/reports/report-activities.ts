/**
 * The `sendLifecycleEvent` activity: POSTs a signed lifecycle report to the customer-lifecycle system's webhook.
 * Each attempt is signed afresh (new timestamp) over the same body, so a retry hours later still verifies and the
 * receiver can dedupe every delivery of one event by its Idempotency-Key.
 */
import { Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import type { LifecycleEvent, LifecycleEventKind } from '../activities/types';
import { postDiscardingBody } from '../http';
import { failureFromAnswer, failureFromTransport, type DeliveryContext } from './failures';
import { buildReportPayload } from './payload';
import { REPORT_HEADERS, signReport } from './signature';

/** Told after every delivery attempt (for the delivery counter); its errors are ignored. */
export interface DeliveryInfo {
  kind: LifecycleEventKind;
  status: number | 'network-error';
}

export interface ReportActivityDeps {
  /** `REPORT_WEBHOOK_URL` and `REPORT_WEBHOOK_SECRET`; undefined: reports are off and the activity does nothing. */
  webhook?: { url: string; secret: string };
  /** Clock of the signature timestamp (default `Date.now`). */
  now?: () => number;
  onDelivery?: (info: DeliveryInfo) => void;
  /** Deadline of one POST (default 10 s). */
  requestTimeoutMs?: number;
  /** undici dispatcher (default: the global one). */
  dispatcher?: Dispatcher;
}

export const REPORT_USER_AGENT = 'qlik-tenant-offboarding-webhook/1';
const DEFAULT_TIMEOUT_MS = 10_000;

/** The activity's cancellation signal, or none when called outside an activity (plain unit tests). */
function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/** Builds the report activities; the workflow calls `sendLifecycleEvent` only when a webhook is configured. */
export function createReportActivities(deps: ReportActivityDeps) {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const webhook = deps.webhook;
  // Parsed once: config validation has already checked the URL, so a throw here is a programming error.
  const host = webhook ? new URL(webhook.url).host : '';

  const tell = (info: DeliveryInfo): void => {
    try {
      deps.onDelivery?.(info);
    } catch {
      // A broken metrics hook must not fail a delivery.
    }
  };

  return {
    /**
     * POSTs the event's report. Resolves on a 2xx; throws a retryable ApplicationFailure on 5xx, 429 (with
     * `nextRetryDelay` from `retry-after`), timeouts and transport errors; a non-retryable `WebhookRejected` on
     * any other status, redirects included (never followed).
     */
    async sendLifecycleEvent(event: LifecycleEvent): Promise<void> {
      if (!webhook) return;
      const payload = buildReportPayload(event);
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(now() / 1000);
      const ctx: DeliveryContext = { kind: event.kind, workflowId: event.workflowId, runId: event.runId, host };
      let answer;
      try {
        // The body goes out byte for byte as it was signed.
        answer = await postDiscardingBody({
          url: webhook.url,
          headers: {
            'content-type': 'application/json',
            'user-agent': REPORT_USER_AGENT,
            [REPORT_HEADERS.timestamp]: String(timestamp),
            [REPORT_HEADERS.signature]: signReport({ secret: webhook.secret, timestamp, body }),
            [REPORT_HEADERS.idempotencyKey]: payload.idempotencyKey,
          },
          body,
          timeoutMs,
          signal: cancellationSignal(),
          dispatcher: deps.dispatcher,
        });
      } catch (error) {
        const signal = cancellationSignal();
        if (signal?.aborted) throw error;
        tell({ kind: event.kind, status: 'network-error' });
        throw failureFromTransport(ctx, error);
      }
      tell({ kind: event.kind, status: answer.status });
      const failure = failureFromAnswer(ctx, answer, now());
      if (failure) throw failure;
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
