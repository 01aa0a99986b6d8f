import { Context, activityInfo, heartbeat, sleep } from '@temporalio/activity';

/** How often to heartbeat: three times per heartbeat timeout, so that one late beat never times the activity out. */
function heartbeatStepMs(): number {
  const timeout = activityInfo().heartbeatTimeoutMs ?? 30_000;
  return Math.max(100, Math.floor(timeout / 3));
}

/**
 * Sleeps `ms`, heartbeating `details` often enough for the heartbeat timeout, so that a long wait is both
 * cancellable and resumable by the next attempt after a worker crash.
 */
export async function sleepWithHeartbeats(ms: number, details: unknown): Promise<void> {
  const step = heartbeatStepMs();
  let left = ms;
  heartbeat(details);
  while (left > 0) {
    const chunk = Math.min(step, left);
    await sleep(chunk); // throws CancelledFailure when the workflow cancels the activity
    left -= chunk;
    heartbeat(details);
  }
}

/**
 * Runs `work` (one request) while heartbeating `details` on a timer: a request may take longer than the heartbeat
 * timeout (a slow tenant host, connect and request timeouts), and an activity silent for that long is timed out and
 * restarted, so a loop of such requests would never reach its deadline.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>, details: unknown): Promise<T> {
  const context = Context.current();
  context.heartbeat(details);
  const timer = setInterval(() => context.heartbeat(details), heartbeatStepMs());
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Exponential backoff: doubles from `initial` up to `max`. */
export function nextInterval(current: number, max: number): number {
  return Math.min(max, current * 2);
}
