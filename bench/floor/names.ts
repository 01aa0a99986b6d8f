/** Names the floor's worker and the benchmark driver share. */

/** The floor's workflow type (the function exported by `workflows.ts`). */
export const FLOOR_WORKFLOW_TYPE = 'floorOffboarding';

/** The second task queue of a floor worker polling `taskQueue` (the registration queue's stand-in). */
export function secondTaskQueueOf(taskQueue: string): string {
  return `${taskQueue}-second`;
}
