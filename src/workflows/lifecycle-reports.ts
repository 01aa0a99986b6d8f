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
import type { OffboardingStatus } from '../shared/contract';
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

/**
 * The run's lifecycle events, sent one after another (a receiver sees them in order) without holding up the
 * offboarding: a webhook that is down for hours never delays a decision. Each event carries the status of the moment
 * it happened, whenever it is delivered.
 */
export class LifecycleReports {
  private delivered: Promise<void> = Promise.resolve();

  constructor(private readonly record: OffboardingRecord) {}

  /**
   * Queues `kind` behind the events before it; with `wait` (the final report), resolves once all are delivered or
   * given up. Runs that send remote report activities (started before local reports) waited for every event, and
   * still do: their histories must replay as they ran. Never throws.
   */
  async send(
    settings: WorkerSettings,
    kind: LifecycleEventKind,
    options: { failure?: { type: string; message: string }; wait?: boolean } = {},
  ): Promise<void> {
    if (!settings.reportWebhook) return;
    const status = this.record.snapshot();
    this.delivered = this.delivered.then(() => deliver(settings, kind, status, options.failure));
    if (options.wait || !settings.reportsAsLocalActivities) await this.delivered;
  }
}

/** One lifecycle event to the webhook; a failure is logged, never thrown. */
async function deliver(
  settings: WorkerSettings,
  kind: LifecycleEventKind,
  status: OffboardingStatus,
  failure: { type: string; message: string } | undefined,
): Promise<void> {
  const { workflowId, runId } = workflowInfo();
  const reports = settings.reportsAsLocalActivities ? localReports : remoteReports;
  try {
    await reports.sendLifecycleEvent({ kind, workflowId, runId, status, failure });
  } catch (error) {
    log.warn(`offboarding ${status.tenantId}: the webhook did not take the ${kind} event`, {
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
