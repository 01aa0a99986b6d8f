/**
 * How the workflow calls its activities: the proxies with their timeouts and retries, and how a failed call comes
 * back. Every option here is part of the commands recorded histories replay: change one only behind a version flag.
 */
import {
  type ActivityOptions,
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  proxyActivities,
  proxyLocalActivities,
  sleep,
} from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import type { CallFailureDetails, ProbeAnswer, WorkerSettings } from '../activities/types';
import { type FinalFailureType, isFinalFailureType } from '../shared/failure-types';

type Timings = WorkerSettings['timings'];

export const settingsActivity = proxyLocalActivities<OffboardingActivities>({
  startToCloseTimeout: '10s',
  summary: 'read the worker settings',
});

/** The token step only warms the worker's cache; the calls that need a token fetch one themselves. */
export const tokenActivity = proxyLocalActivities<OffboardingActivities>({
  startToCloseTimeout: '40s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '20s' },
  summary: 'get an OAuth token for the region',
});

export const probeActivity = proxyActivities<OffboardingActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  summary: 'probe the tenant host',
});

/** Probes `hostname` until the answer is known, at most `attempts` times, backing off between probes. */
export async function probeUntilKnown(hostname: string, timings: Timings, attempts: number): Promise<ProbeAnswer> {
  let answer = await probeActivity.probeTenant({ hostname });
  let intervalMs = timings.probeInitialIntervalMs;
  for (let i = 1; i < attempts && answer.state === 'unknown'; i++) {
    await sleep(Math.max(intervalMs, answer.retryAfterMs ?? 0));
    intervalMs = Math.min(intervalMs * 2, timings.probeMaxIntervalMs);
    answer = await probeActivity.probeTenant({ hostname });
  }
  return answer;
}

/**
 * A dry run's token (v3): retried while the token endpoint is unavailable, for at most `OFFBOARD_VERIFY_TIMEOUT`.
 * Temporal gives up on a retry that would start after the schedule-to-close timeout: one retry interval more lets
 * the attempts go on until the verify timeout has really passed.
 */
export function credentialsCheck(timings: Timings) {
  const retryIntervalMs = clamp(timings.verifyTimeoutMs / 10, 1_000, 60_000);
  return proxyActivities<OffboardingActivities>({
    startToCloseTimeout: '40s',
    scheduleToCloseTimeout: timings.verifyTimeoutMs + retryIntervalMs,
    retry: { initialInterval: '1s', maximumInterval: retryIntervalMs },
    summary: 'get an OAuth token for the region (a dry run needs one)',
  });
}

/** A probe loop: one long, heartbeating activity that resumes from its last heartbeat after a crash. */
export function probeLoop(timings: Timings, startToCloseMs: number, summary: string) {
  return proxyActivities<OffboardingActivities>({
    startToCloseTimeout: startToCloseMs,
    // Short enough that a crashed worker's loop resumes soon.
    heartbeatTimeout: Math.min(30_000, Math.max(2_000, timings.probeInitialIntervalMs * 2)),
    // An interrupted probe loop must really stop before the workflow moves on (e.g. to reactivate).
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', maximumInterval: '1m' },
    summary,
  });
}

/**
 * Task priorities on the registration queues (revision 2): a decided reactivation goes before every deactivate
 * queued for the region, so that it is sent within seconds and not after the backlog of a bulk wave. Temporal's
 * priority keys run from 1 (first) to 5; 3 is the default.
 */
export const REGISTER_PRIORITY = { reactivate: 1, deactivate: 4 } as const;

/**
 * Registration calls (deactivate, reactivate) go through the region's rate-limited task queue, shared by every
 * worker (src/registration-budget.ts tells the whole budget story).
 */
export function registerCalls(taskQueue: string, options: Partial<ActivityOptions>) {
  return proxyActivities<OffboardingActivities>({
    taskQueue,
    // Each call is one request (two after a token refresh) of at most 20 s: a lost task is retried soon.
    startToCloseTimeout: '75s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
    ...options,
  });
}

/** What a failed activity call said: its type, message and details (see activities/failures.ts). */
export interface CallFailure {
  type: string;
  message: string;
  details?: CallFailureDetails;
}

/** The details an activity failure carries, unwrapped from ActivityFailure. */
export function failureOf(error: unknown): CallFailure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'Error', message: cause.message, details: cause.details?.[0] as CallFailureDetails };
  }
  return { type: 'Error', message: cause instanceof Error ? cause.message : String(cause) };
}

/** Ends the run as Failed with the contract's type; carries the final status as `details[0]`. */
export class OffboardingFailed extends Error {
  constructor(
    readonly type: FinalFailureType,
    message: string,
    readonly details: CallFailureDetails | undefined = undefined,
  ) {
    super(message);
  }

  /**
   * The run's failure for a call that failed for good. Only calls that fail fast with one of the contract's types
   * get here; any other type is a bug, so it fails the workflow task instead of being relabelled: the run stays open
   * (and the tenant watched) until a fixed worker replays it.
   */
  static from(failure: CallFailure): OffboardingFailed {
    if (!isFinalFailureType(failure.type)) {
      throw new Error(`bug: a call failed for good with type ${failure.type}, which is not a final failure type`);
    }
    return new OffboardingFailed(failure.type, failure.message, failure.details);
  }
}

/** Runs a long activity that `stop` interrupts: the activity is cancelled and undefined returned. */
export async function interruptible<T>(start: () => Promise<T>, stop: () => boolean): Promise<T | undefined> {
  const scope = new CancellationScope();
  const work = scope.run(start);
  const interrupted = condition(stop).then(() => undefined);
  const result = await Promise.race([work.then((value) => ({ value })), interrupted]);
  if (result) return result.value;
  scope.cancel();
  await work.catch(() => undefined);
  return undefined;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}
