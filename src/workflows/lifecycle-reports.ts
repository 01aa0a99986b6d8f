/**
 * Lifecycle events for the customer-lifecycle system's webhook, and the product's workflow metrics. Both are
 * side channels: a webhook that refuses an event is logged, never a reason to change the tenant's fate.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  log,
  metricMeter,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import type { LifecycleEvent, LifecycleEventKind, WorkerSettings } from '../activities/types';
import { METRIC_NAMES } from '../metrics/names';
import type { OffboardingRecord } from './record';

/**
 * Temporal's activity retries for a day: a receiver that is down for hours still gets every report. Runs that started
 * before reports became local activities send every report this way (see `reportsAsLocalActivities`).
 */
const remoteReports = proxyActivities<OffboardingActivities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '1d',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m' },
  summary: 'send the lifecycle event to the webhook',
});

/**
 * The first half minute of attempts, as a local activity: one short signed POST costs a marker event in the workflow
 * task that runs anyway, instead of an activity task and the workflow task after it (6 events). A local activity holds
 * its workflow task open while it is retried, so it gets only this short budget; a receiver that is still down then
 * gets the rest of the day through {@link remoteReports}, whose retries add no events and hold up nothing.
 */
const localReports = proxyLocalActivities<OffboardingActivities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '8s' },
  summary: 'send the lifecycle event to the webhook',
});

/**
 * Whether reports take no workflow task of their own: true without a webhook (nothing is sent) and when reports run
 * as local activities. The `reporting` phase is then normally over within one workflow task.
 */
export function reportsAreInline(settings: WorkerSettings): boolean {
  return !settings.reportWebhook || settings.reportsAsLocalActivities === true;
}

/**
 * The run's lifecycle events, sent one after another (a receiver sees them in order) without holding up the
 * offboarding: a webhook that is down never holds up a decision for more than the few seconds a workflow task waits
 * on a local activity. Each event carries the status of the moment it happened, whenever it is delivered.
 */
export class LifecycleReports {
  private queue: Promise<void> = Promise.resolve();

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
    const { workflowId, runId } = workflowInfo();
    const event: LifecycleEvent = { kind, workflowId, runId, status: this.record.snapshot(), failure: options.failure };
    this.queue = this.queue.then(() => this.deliver(settings, event)).catch(() => undefined);
    if (options.wait || !settings.reportsAsLocalActivities) await this.queue;
  }

  /** Resolves once every event queued so far is delivered or given up (before a continue-as-new). */
  delivered(): Promise<void> {
    return this.queue;
  }

  /** One lifecycle event to the webhook; a failure is logged, never thrown. */
  private async deliver(settings: WorkerSettings, event: LifecycleEvent): Promise<void> {
    try {
      if (settings.reportsAsLocalActivities) {
        try {
          return await localReports.sendLifecycleEvent(event);
        } catch (error) {
          if (isNonRetryable(error)) throw error;
          // Still down after half a minute: the rest of the day goes to activity retries, and a phase that was
          // to be brief (reporting) is brief no more, so the search attributes show it.
          this.record.publishPhase();
        }
      }
      await remoteReports.sendLifecycleEvent(event);
    } catch (error) {
      log.warn(`offboarding ${event.status.tenantId}: the webhook did not take the ${event.kind} event`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** A failure that no retry can mend (the receiver refused the event: `WebhookRejected`). */
function isNonRetryable(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
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
