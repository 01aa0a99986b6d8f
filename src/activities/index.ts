import type { WorkerConfig } from '../config/worker-config';
import type { QlikClient } from '../qlik/types';
import { createProbeLoops } from './probe-loops';
import { createQlikCalls } from './qlik-calls';
import { createSettingsActivity } from './settings';

export interface ActivityDeps {
  qlik: QlikClient;
  config: WorkerConfig;
  now?: () => number;
}

/** Every activity of the offboarding workflow, as closures over their dependencies. */
export function createActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  return {
    ...createSettingsActivity(deps.config),
    ...createQlikCalls({ qlik: deps.qlik }),
    ...createProbeLoops({ qlik: deps.qlik, now }),
  };
}

export type OffboardingActivities = ReturnType<typeof createActivities>;
