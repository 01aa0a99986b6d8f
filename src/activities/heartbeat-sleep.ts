import { activityInfo, heartbeat, sleep } from '@temporalio/activity';

/**
 * Sleeps `ms`, heartbeating `details` often enough for the heartbeat timeout, so that a long wait is both
 * cancellable and resumable by the next attempt after a worker crash.
 */
export async function sleepWithHeartbeats(ms: number, details: unknown): Promise<void> {
  const timeout = activityInfo().heartbeatTimeoutMs ?? 30_000;
  const step = Math.max(100, Math.floor(timeout / 3));
  let left = ms;
  heartbeat(details);
  while (left > 0) {
    const chunk = Math.min(step, left);
    await sleep(chunk); // throws CancelledFailure when the workflow cancels the activity
    left -= chunk;
    heartbeat(details);
  }
}

/** Exponential backoff: doubles from `initial` up to `max`. */
export function nextInterval(current: number, max: number): number {
  return Math.min(max, current * 2);
}
