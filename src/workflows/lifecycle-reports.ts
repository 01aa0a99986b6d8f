/**
 * Lifecycle events for the customer-lifecycle system's webhook, and the product's workflow metrics. Both are
 * side channels: a webhook that refuses an event is logged, never a reason to change the tenant's fate.
 */
import { log, metricMeter, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import type { LifecycleEventKind, WorkerSettings } from '../activities/types';
import { METRIC_NAMES } from '../metrics/names';
import { CANCELED_FAILURE_TYPE } from '../reports/payload';
import type { OffboardingRecord } from './record';

const webhook = proxyActivities<OffboardingActivities>({
  startToCloseTimeout: '1m',
  // Retried with backoff for a day: a receiver that is down for hours still gets every report.
  scheduleToCloseTimeout: '1d',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m' },
  summary: 'send the lifecycle event to the webhook',
});

export { CANCELED_FAILURE_TYPE };

/** Sends one lifecycle event when the worker has a webhook configured; never throws. */
export async function reportLifecycleEvent(
  settings: WorkerSettings,
  record: OffboardingRecord,
  kind: LifecycleEventKind,
  failure?: { type: string; message: string },
): Promise<void> {
  if (!settings.reportWebhook) return;
  const { workflowId, runId } = workflowInfo();
  try {
    await webhook.sendLifecycleEvent({ kind, workflowId, runId, status: record.snapshot(), failure });
  } catch (error) {
    log.warn(`offboarding ${record.status.tenantId}: the webhook did not take the ${kind} event`, {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Counters on the worker's metrics endpoint (replay-safe: the SDK counts only new events). */
export const workflowMetrics = {
  started: metricMeter.createCounter(METRIC_NAMES.offboardingStarted, 'workflows', 'offboardings started'),
  completed: metricMeter.createCounter(
    METRIC_NAMES.offboardingCompleted,
    'workflows',
    'offboardings completed, by outcome',
  ),
  failed: metricMeter.createCounter(
    METRIC_NAMES.offboardingFailed,
    'workflows',
    'offboardings failed, by failure type',
  ),
};
