/**
 * Names and labels of the product's metrics, in one place so that the worker's counters and the workflow's agree.
 * Workflow-safe (constants only): the workflow imports it for its `metricMeter` counters.
 *
 * All are counters on the Temporal runtime's meter, so they appear on the same Prometheus endpoint as the SDK's own
 * metrics (`OFFBOARD_METRICS_ADDRESS`), without the `temporal_` prefix and without a `_total` suffix.
 */
export const METRIC_NAMES = {
  /** Every Qlik HTTP answer (or transport failure); labels `route`, `status_class`, `region` (absent for probes). */
  qlikHttpResponses: 'qlik_http_responses',
  /** Qlik answered 429; labels `route`, `region`. */
  qlikRateLimited: 'qlik_rate_limited',
  /** Token requests sent to a region's token endpoint (answered or not); label `region`. */
  qlikTokenRequests: 'qlik_token_requests',
  /** Every webhook delivery attempt; labels `event`, `status_class`. */
  webhookDeliveries: 'offboarding_webhook_deliveries',
  /** Workflow side: an offboarding run began; label `dry_run` (`true`/`false`). */
  offboardingStarted: 'offboarding_started',
  /** Workflow side: a run completed; label `outcome` (the contract's outcome). */
  offboardingCompleted: 'offboarding_completed',
  /** Workflow side: a run failed; label `type` (the contract's failure type). */
  offboardingFailed: 'offboarding_failed',
} as const;

/** `2xx`, `4xx`, … for an HTTP status; `network-error` when there was no answer. */
export function statusClassOf(status: number | 'network-error'): string {
  return status === 'network-error' ? status : `${Math.floor(status / 100)}xx`;
}
