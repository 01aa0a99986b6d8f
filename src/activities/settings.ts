import type { WorkerConfig } from '../config/worker-config';
import { registerTaskQueuesFor } from '../registration-budget';
import type { WorkerSettings } from './types';

/**
 * When a run continues as new: far below Temporal's limits (51,200 events, 50 MB), and below the 10,240 events and
 * 10 MB the contract allows a run, with room for what arrives while the run winds down its current step.
 */
const HISTORY_BOUNDS = { events: 4_000, bytes: 4 * 1024 * 1024 };

/** The settings a workflow reads once (as a local activity, so that its history records them). */
export function createSettingsActivity(config: WorkerConfig) {
  return {
    async readWorkerSettings(): Promise<WorkerSettings> {
      return {
        policy: {
          allowedHostnameSuffixes: config.allowedHostnameSuffixes,
          protectedTenants: config.protectedTenants,
          regions: config.regions,
        },
        timings: config.timings,
        registerTaskQueues: registerTaskQueuesFor(config.taskQueue, config.regions),
        reportWebhook: config.webhook !== undefined,
        reportsAsLocalActivities: true,
        rulesVersion: 3,
        rulesRevision: 2,
        historyBounds: config.historyBounds ?? HISTORY_BOUNDS,
        approval: config.approval,
      };
    },
  };
}
