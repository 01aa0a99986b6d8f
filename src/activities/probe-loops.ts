import { activityInfo, cancellationSignal } from '@temporalio/activity';
import type { ProbeAnswer, QlikClient } from '../qlik/types';
import { nextInterval, sleepWithHeartbeats, whileHeartbeating } from './heartbeat-sleep';
import type { AwaitDeactivatedInput, AwaitDeactivatedResult, ConfirmPurgeInput, ConfirmPurgeResult } from './types';

/** Progress of a probe loop, kept in heartbeat details so that a retry after a crash resumes it. */
interface LoopProgress {
  intervalMs: number;
  purgedSince?: number;
}

/**
 * The shortest timeout of a probe sent near a deadline: long enough for a healthy tenant host to answer, short
 * enough that a slow one cannot hold the loop far past its deadline.
 */
export const MIN_PROBE_TIMEOUT_MS = 2_000;

function resume(initialIntervalMs: number): LoopProgress {
  const saved = activityInfo().heartbeatDetails as LoopProgress | undefined;
  return saved && typeof saved.intervalMs === 'number' ? saved : { intervalMs: initialIntervalMs };
}

/**
 * The probe loops: they run inside one activity each, with heartbeats, so that minutes or days of probing cost the
 * workflow's history one activity instead of an activity and a timer per probe.
 *
 * A loop stays alive and on time whatever the tenant host does: it heartbeats while a probe is in flight (one probe
 * may take longer than the heartbeat timeout), and a probe sent before a deadline gets only the time left (at least
 * {@link MIN_PROBE_TIMEOUT_MS}), so a host slower than that is an "unknown" answer at the deadline, not a wait.
 */
export function createProbeLoops(deps: { qlik: QlikClient; now: () => number }) {
  const { qlik, now } = deps;

  /** One probe, heartbeating `progress` meanwhile; cut short at `deadlineMs` (but given at least the minimum). */
  function probe(hostname: string, progress: LoopProgress, deadlineMs?: number): Promise<ProbeAnswer> {
    const options =
      deadlineMs === undefined ? undefined : { timeoutMs: Math.max(MIN_PROBE_TIMEOUT_MS, deadlineMs - now()) };
    return whileHeartbeating(() => qlik.probe(hostname, cancellationSignal(), options), progress);
  }

  return {
    /**
     * Probes until the tenant host answers "deactivated" (or "purged"). "Active" right after a deactivate means
     * "not yet": Qlik takes a while to propagate it. Returns `observed: false` at the deadline — with `untilKnown`,
     * only once an answer after the deadline is known ("active"); an unclear one keeps the loop probing.
     */
    async awaitDeactivated(input: AwaitDeactivatedInput): Promise<AwaitDeactivatedResult> {
      const progress = resume(input.initialIntervalMs);
      for (;;) {
        const before = input.deadlineMs - now();
        // After the deadline an untilKnown loop waits for a clear answer: each probe then gets its full timeout.
        const answer = await probe(
          input.hostname,
          progress,
          before > 0 || !input.untilKnown ? input.deadlineMs : undefined,
        );
        if (answer.state === 'deactivated' || answer.state === 'purged') {
          return { observed: true, at: new Date(now()).toISOString(), last: answer };
        }
        const left = input.deadlineMs - now();
        const goOn = input.untilKnown === true && answer.state === 'unknown';
        if (left <= 0 && !goOn) return { observed: false, last: answer };
        const retryAfterMs = answer.retryAfterMs ?? 0;
        if (left > 0 && retryAfterMs >= left && !input.untilKnown) {
          // The host asks for a pause that outlasts the deadline: wait it out there rather than probe sooner.
          await sleepWithHeartbeats(left, progress);
          return { observed: false, last: answer };
        }
        await sleepWithHeartbeats(
          Math.max(retryAfterMs, left > 0 ? Math.min(progress.intervalMs, left) : progress.intervalMs),
          progress,
        );
        progress.intervalMs = nextInterval(progress.intervalMs, input.maxIntervalMs);
      }
    },

    /**
     * Confirms the purge: two consecutive "purged" answers at least one probe interval apart. An "active" answer
     * means someone reactivated the tenant elsewhere; still deactivated at `overdueAtMs` means overdue.
     * Unknown answers (5xx, timeouts, connection refused) are retried, never taken as purged.
     */
    async confirmPurge(input: ConfirmPurgeInput): Promise<ConfirmPurgeResult> {
      const progress = resume(input.initialIntervalMs);
      const untilPurgeDate = input.purgeDateMs - now();
      if (untilPurgeDate > 0) await sleepWithHeartbeats(untilPurgeDate, progress);
      for (;;) {
        // The overdue bound holds only while no "purged" answer waits for its confirmation.
        const answer = await probe(
          input.hostname,
          progress,
          progress.purgedSince === undefined ? input.overdueAtMs : undefined,
        );
        const at = now();
        if (answer.state === 'active') return { outcome: 'active', at: new Date(at).toISOString(), last: answer };
        if (answer.state === 'purged') {
          if (progress.purgedSince !== undefined && at - progress.purgedSince >= input.initialIntervalMs) {
            return { outcome: 'purged', at: new Date(at).toISOString(), last: answer };
          }
          progress.purgedSince ??= at;
        } else {
          // Only consecutive "purged" answers count; an unknown answer in between does not break the pair.
          if (answer.state === 'deactivated') progress.purgedSince = undefined;
        }
        // Overdue means still not purged at the bound: a first "purged" answer gets its confirming second probe.
        if (at >= input.overdueAtMs && progress.purgedSince === undefined) {
          return { outcome: 'overdue', at: new Date(at).toISOString(), last: answer };
        }
        const retryAfterMs = answer.retryAfterMs ?? 0;
        const untilOverdue = input.overdueAtMs - at;
        if (progress.purgedSince === undefined && retryAfterMs >= untilOverdue) {
          // The host asks for a pause that outlasts the bound: wait it out there rather than probe sooner.
          await sleepWithHeartbeats(untilOverdue, progress);
          return { outcome: 'overdue', at: new Date(now()).toISOString(), last: answer };
        }
        const wait =
          progress.purgedSince !== undefined ? input.initialIntervalMs : Math.min(progress.intervalMs, untilOverdue);
        await sleepWithHeartbeats(Math.max(retryAfterMs, wait), progress);
        if (progress.purgedSince === undefined)
          progress.intervalMs = nextInterval(progress.intervalMs, input.maxIntervalMs);
      }
    },
  };
}
