/**
 * Which rules a run follows, read from the settings its history recorded at its start: a worker with newer rules
 * replays older runs as they ran (README, "Changing the workflow safely").
 */
import type { WorkerSettings } from '../activities/types';

/** True when the run follows the contract's v3 rules (it started on a worker that has them: see `rulesVersion`). */
export function followsV3(settings: WorkerSettings | undefined): boolean {
  return settings?.rulesVersion === 3;
}

/** True when the run follows the rules of "[3 of 4] Operations at scale" (see `rulesRevision`). */
export function followsRevision2(settings: WorkerSettings | undefined): boolean {
  return followsV3(settings) && (settings?.rulesRevision ?? 1) >= 2;
}
