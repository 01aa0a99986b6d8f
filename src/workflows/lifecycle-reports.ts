/**
 * Lifecycle events for the customer-lifecycle system's webhook, and the product's workflow metrics. Both are
 * side channels: a webhook that refuses an event is logged, never a reason to change the tenant's fate.
 */
import {
  type ActivityOptions,
  log,
  metricMeter,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import type { LifecycleEventKind, WorkerSettings } from '../activities/types';
import { METRIC_NAMES } from '../metrics/names';
import { CANCELED_FAILURE_TYPE } from '../reports/payload';
import type { OffboardingRecord } from './record';

const reportOptions = {
  startToCloseTimeout: '1m',
  // Retried with backoff for a day: a receiver that is down for hours still gets every report.
  scheduleToCloseTimeout: '1d',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m' },
  summary: 'send the lifecycle event to the webhook',
} satisfies ActivityOptions;

/**
 * A report is one short signed POST: as a local activity it costs one marker event in the workflow task that is
 * running anyway, instead of an activity task and the workflow task after it (6 events). Retries past a minute's
 * backoff wait behind a timer, so the day-long retry budget stays. Runs that started before this change keep their
 * remote report activities (`reportsAsLocalActivities` is absent from the settings their history recorded), so that
 * they still replay. Unlike `patched()`, this costs no marker and no TemporalChangeVersion upsert per run.
 */
const localReports = proxyLocalActivities<OffboardingActivities>(reportOptions);
const remoteReports = proxyActivities<OffboardingActivities>(reportOptions);

export { CANCELED_FAILURE_TYPE };

/**
 * Whether reports take no workflow task of their own: true without a webhook (nothing is sent) and when reports run
 * as local activities. The `reporting` phase is then over within one workflow task.
 */
export function reportsAreInline(settings: WorkerSettings): boolean {
  return !settings.reportWebhook || settings.reportsAsLocalActivities === true;
}

/** Sends one lifecycle event when the worker has a webhook configured; never throws. */
export async function reportLifecycleEvent(
  settings: WorkerSettings,
  record: OffboardingRecord,
  kind: LifecycleEventKind,
  failure?: { type: string; message: string },
): Promise<void> {
  if (!settings.reportWebhook) return;
  const { workflowId, runId } = workflowInfo();
  const reports = settings.reportsAsLocalActivities ? localReports : remoteReports;
  try {
    await reports.sendLifecycleEvent({ kind, workflowId, runId, status: record.snapshot(), failure });
  } catch (error) {
    log.warn(`offboarding ${record.status.tenantId}: the webhook did not take the ${kind} event`, {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Counters on the worker's metrics endpoint (replay-safe: the SDK counts only new events). Made where they are used:
 * this module is loaded once and shared by every workflow (src/worker/workflow-bundle.ts), before any workflow
 * context exists, and a counter can only be made inside one.
 */
export const workflowMetrics = {
  started: () => metricMeter.createCounter(METRIC_NAMES.offboardingStarted, 'workflows', 'offboardings started'),
  completed: () =>
    metricMeter.createCounter(METRIC_NAMES.offboardingCompleted, 'workflows', 'offboardings completed, by outcome'),
  failed: () =>
    metricMeter.createCounter(METRIC_NAMES.offboardingFailed, 'workflows', 'offboardings failed, by failure type'),
};
