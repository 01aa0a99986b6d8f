/**
 * The deactivate of revision 2 ("[3 of 4]"): each attempt is an activity of its own, so that the workflow knows,
 * rather than guesses, whether a request may have reached Qlik.
 *
 * An attempt waits on the region's rate-limited queue, behind every deactivate queued before it, possibly for an
 * hour. A decision that arrives meanwhile cancels it. Temporal cancels an activity that no worker has started at
 * once, and reports it cancelled: the proof that nothing was sent. A started attempt does not heartbeat, so it never
 * learns of the cancellation: it ends as it would have, and its answer (or failure) comes back. So:
 * - cancelled: never started, nothing sent;
 * - anything else: started, so a request may have been sent (counted in `deactivateAttemptsStarted`).
 * Retries are new attempts after a workflow timer, which a decision also interrupts. With one activity, Temporal's
 * own retries would hide whether an attempt cancelled during its backoff had started before.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type { OffboardingActivities } from '../activities';
import type { DeactivateAttemptResult, DeactivationStop, TenantRef, WorkerSettings } from '../activities/types';
import { WarningType } from '../shared/failure-types';
import { type CallFailure, failureOf, REGISTER_PRIORITY } from './calls';
import type { OffboardingRecord } from './record';

/** How the attempts ended. */
export type DeactivateOutcome =
  /** Qlik answered an attempt. */
  | { kind: 'answered'; answer: Extract<DeactivateAttemptResult, { sent: true }>['answer'] }
  /** A decision came before any attempt started: nothing was sent. */
  | { kind: 'withdrawn' }
  /** A decision came after an attempt that may have reached Qlik, before any answer. */
  | { kind: 'interrupted' }
  /** An attempt failed for good; `started` attempts (this one included) may have reached Qlik. */
  | { kind: 'failed'; failure: CallFailure; started: number }
  /** The history has grown long while waiting between attempts: continue as new, then go on. */
  | { kind: 'continue-as-new' };

export interface DeactivateAttempts {
  queue: string;
  call: TenantRef & { purgeAfterDays?: number; requestedBy?: string };
  timings: WorkerSettings['timings'];
  record: OffboardingRecord;
  /**
   * Attempts of this deactivate that started before (in a run that continued as new), and how to count one more:
   * the first deactivate keeps them in the status (`deactivateAttemptsStarted`).
   */
  started: { before: number; note: () => void };
  /** True once a decision (or cancellation request) to stop was recorded. */
  decided: () => boolean;
  /**
   * ("[4 of 4]") The attempts stop at this time as they stop for a decision (`withdrawn` or `interrupted`): an
   * extension's repeat deactivate that a backlog or an emergency stop held back until the purge date is too late.
   * An attempt no worker has started by then times out before it starts (Temporal's schedule-to-start timeout),
   * which, like a cancellation, proves nothing was sent. Undefined: no such time.
   */
  giveUpAtMs?: number;
  mustContinueAsNew: () => boolean;
}

/** Temporal's retry policy for the other registration calls, applied by the workflow to its own attempts. */
const BACKOFF = { initialMs: 1_000, coefficient: 2, maximumMs: 5 * 60_000 };

/** Deactivate attempts until one is answered or fails for good, or a decision stops them. */
export async function deactivateInAttempts(attempts: DeactivateAttempts): Promise<DeactivateOutcome> {
  const { record, timings } = attempts;
  let started = attempts.started.before;
  let backoffMs = BACKOFF.initialMs;
  // A held attempt is retried soon at first (a stop is often lifted in minutes), then every few minutes: each
  // retry takes one of the region's registration slots.
  let holdMs = Math.max(1_000, timings.probeInitialIntervalMs * 6);
  for (let attempt = 1; ; attempt++) {
    if (attempts.decided() || timeLeftMs(attempts) <= 0) {
      return started > 0 ? { kind: 'interrupted' } : { kind: 'withdrawn' };
    }
    if (attempts.mustContinueAsNew()) return { kind: 'continue-as-new' };
    const ended = await oneAttempt(attempts, attempt);
    if (ended.kind === 'not-started') continue;
    if (ended.kind === 'held') {
      record.setLastError({ type: WarningType.DeactivationHeld, message: ended.message });
      await pause(attempts, holdMs);
      holdMs = Math.min(holdMs * 2, BACKOFF.maximumMs);
      continue;
    }
    if (ended.kind === 'answered') return ended;
    started++;
    attempts.started.note();
    const { failure } = ended;
    record.setLastError({ type: failure.type, message: failure.message, ...failure.details });
    if (ended.final) return { kind: 'failed', failure, started };
    await pause(attempts, Math.max(backoffMs, failure.details?.retryAfterMs ?? 0));
    backoffMs = Math.min(backoffMs * BACKOFF.coefficient, BACKOFF.maximumMs);
  }
}

/** Time left until the attempts give up (`giveUpAtMs`); Infinity without one. */
function timeLeftMs(attempts: DeactivateAttempts): number {
  return attempts.giveUpAtMs === undefined ? Infinity : attempts.giveUpAtMs - Date.now();
}

type AttemptEnd =
  | { kind: 'not-started' }
  /** Not sent: a stop holds it, or the stops could not be read. */
  | { kind: 'held'; message: string }
  | Extract<DeactivateOutcome, { kind: 'answered' }>
  | { kind: 'failed'; failure: CallFailure; final: boolean };

/** One attempt, cancelled if a decision arrives before it ends (which only an attempt not yet started heeds). */
async function oneAttempt(attempts: DeactivateAttempts, attempt: number): Promise<AttemptEnd> {
  const activity = proxyActivities<OffboardingActivities>({
    taskQueue: attempts.queue,
    // One request (two after a token refresh) of at most 20 s each; a lost worker's attempt is retried after this.
    startToCloseTimeout: '75s',
    retry: { maximumAttempts: 1 },
    // Cancelling must wait for the server's word: "cancelled" (never started) or the attempt's own end.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    priority: { priorityKey: REGISTER_PRIORITY.deactivate },
    summary: `deactivate the tenant (attempt ${attempt})`,
    ...(attempts.giveUpAtMs === undefined ? {} : { scheduleToStartTimeout: Math.max(1, timeLeftMs(attempts)) }),
  });
  const scope = new CancellationScope();
  const result = scope.run(() => activity.deactivateAttempt(attempts.call));
  const decidedFirst = await Promise.race([
    result.then(
      () => false,
      () => false,
    ),
    condition(attempts.decided).then(() => true),
  ]);
  if (decidedFirst) scope.cancel();
  try {
    const ended = await result;
    if (ended.sent) return { kind: 'answered', answer: ended.answer };
    const message =
      'stop' in ended
        ? heldMessage(ended.stop)
        : `deactivate not sent: the emergency stops could not be read (${ended.stopsUnreadable}); trying again`;
    return { kind: 'held', message };
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof CancelledFailure) return { kind: 'not-started' };
    if (error instanceof ActivityFailure && isScheduleToStartTimeout(error.cause)) return { kind: 'not-started' };
    const cause = error instanceof ActivityFailure ? error.cause : error;
    return {
      kind: 'failed',
      failure: failureOf(error),
      final: cause instanceof ApplicationFailure && cause.nonRetryable === true,
    };
  }
}

/** The attempt was never started: `giveUpAtMs` came first. */
function isScheduleToStartTimeout(cause: unknown): boolean {
  return cause instanceof TimeoutFailure && cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

/** Waits `ms` between attempts; a decision, a history grown long, or `giveUpAtMs` ends the wait. */
async function pause(attempts: DeactivateAttempts, ms: number): Promise<void> {
  const waitMs = Math.max(1, Math.min(ms, timeLeftMs(attempts)));
  await condition(() => attempts.decided() || attempts.mustContinueAsNew(), waitMs);
}

function heldMessage(stop: DeactivationStop): string {
  const selector = [stop.region && `region ${stop.region}`, stop.requestedBy && `requester ${stop.requestedBy}`]
    .filter(Boolean)
    .join(', ');
  return `deactivate not sent: deactivations of ${selector} stopped by ${stop.by} at ${stop.at} (${stop.reason}); waiting for \`qlik-offboard resume\``;
}
