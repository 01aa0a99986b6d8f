import { Context } from '@temporalio/activity';
import type { WorkerConfig } from '../config/worker-config';
import type { QlikClient } from '../qlik/types';
import { createEarlierRuns } from './earlier-runs';
import { createProbeLoops } from './probe-loops';
import { createQlikCalls } from './qlik-calls';
import { findStop } from './stops';
import { createReactivation } from './reactivation';
import { createSettingsActivity } from './settings';
import type { LifecycleEvent } from './types';

export interface ActivityDeps {
  qlik: QlikClient;
  config: WorkerConfig;
  now?: () => number;
  /** Delivers lifecycle events to the webhook; the workflow calls it only when one is configured. */
  reports: { sendLifecycleEvent(event: LifecycleEvent): Promise<void> };
}

/** Every activity of the offboarding workflow, as closures over their dependencies. */
export function createActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  return {
    ...createSettingsActivity(deps.config),
    ...createQlikCalls({
      qlik: deps.qlik,
      stopFor: (selector) => findStop(Context.current().client, deps.config.taskQueue, selector),
    }),
    ...createProbeLoops({ qlik: deps.qlik, now }),
    ...createReactivation({ qlik: deps.qlik, now }),
    ...createEarlierRuns(),
    sendLifecycleEvent: deps.reports.sendLifecycleEvent,
  };
}

export type OffboardingActivities = ReturnType<typeof createActivities>;
