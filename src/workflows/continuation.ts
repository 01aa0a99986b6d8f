/**
 * What a run hands the next when it continues as new (contract v3: argument 1, after the original input), so that
 * every fact survives: the status (decision, dates, "seen deactivated", ignored signals), the settings the offboarding
 * started with (its timings must not change under it), and a cancellation request, which Temporal does not carry over.
 */
import type { WorkerSettings } from '../activities/types';
import type { OffboardingStatus } from '../shared/contract';

export interface CarriedState {
  status: OffboardingStatus;
  settings: WorkerSettings;
  cancellationRequested: boolean;
}
