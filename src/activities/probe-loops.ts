import { activityInfo, cancellationSignal } from '@temporalio/activity';
import type { QlikClient } from '../qlik/types';
import { nextInterval, sleepWithHeartbeats } from './heartbeat-sleep';
import type { AwaitDeactivatedInput, AwaitDeactivatedResult, ConfirmPurgeInput, ConfirmPurgeResult } from './types';

/** Progress of a probe loop, kept in heartbeat details so that a retry after a crash resumes it. */
interface LoopProgress {
  intervalMs: number;
  purgedSince?: number;
}

function resume(initialIntervalMs: number): LoopProgress {
  const saved = activityInfo().heartbeatDetails as LoopProgress | undefined;
  return saved && typeof saved.intervalMs === 'number' ? saved : { intervalMs: initialIntervalMs };
}

/**
 * The probe loops: they run inside one activity each, with heartbeats, so that minutes or days of probing cost the
 * workflow's history one activity instead of an activity and a timer per probe.
 */
export function createProbeLoops(deps: { qlik: QlikClient; now: () => number }) {
  const { qlik, now } = deps;

  return {
    /**
     * Probes until the tenant host answers "deactivated" (or "purged"). "Active" right after a deactivate means
     * "not yet": Qlik takes a while to propagate it. Returns `observed: false` at the deadline.
     */
    async awaitDeactivated(input: AwaitDeactivatedInput): Promise<AwaitDeactivatedResult> {
      const progress = resume(input.initialIntervalMs);
      for (;;) {
        const answer = await qlik.probe(input.hostname, cancellationSignal());
        if (answer.state === 'deactivated' || answer.state === 'purged') {
          return { observed: true, at: new Date(now()).toISOString(), last: answer };
        }
        const left = input.deadlineMs - now();
        const goOn = input.untilKnown === true && answer.state === 'unknown';
        if (left <= 0 && !goOn) return { observed: false, last: answer };
        const wait = left > 0 ? Math.min(progress.intervalMs, left) : progress.intervalMs;
        await sleepWithHeartbeats(Math.max(answer.retryAfterMs ?? 0, wait), progress);
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
        const answer = await qlik.probe(input.hostname, cancellationSignal());
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
        const wait =
          progress.purgedSince !== undefined
            ? input.initialIntervalMs
            : Math.min(progress.intervalMs, input.overdueAtMs - at);
        await sleepWithHeartbeats(Math.max(answer.retryAfterMs ?? 0, wait), progress);
        if (progress.purgedSince === undefined)
          progress.intervalMs = nextInterval(progress.intervalMs, input.maxIntervalMs);
      }
    },
  };
}
