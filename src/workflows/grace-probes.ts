/**
 * The grace-period probes ("[4 of 4]", `OFFBOARD_GRACE_PROBE_INTERVAL`): a tenant reactivated in Qlik's console
 * during a 90-day grace period is noticed within about a day, not at the purge date.
 *
 * Why a workflow timer and a local activity per probe, and not one long heartbeating probe loop (as for verifying
 * and the purge confirmation, STYLE.md 16): those loops last minutes to days for a few runs at a time, but every
 * offboarding spends its whole grace period here. A sleeping activity holds an activity slot of a worker and
 * heartbeats to the server: 10,000 runs asleep would need 10,000 slots and 10,000 heartbeats every few seconds, and
 * the worker could no longer evict them from memory. A durable timer holds nothing: the run is evicted from the
 * worker's cache while it waits and replayed when the timer fires. The probe itself is one short credential-free
 * POST, so a local activity is enough: it costs one marker event in the workflow task that the timer starts anyway.
 * Each probe is therefore about six events (timer started and fired, a workflow task of three, the marker): 90 daily
 * probes are some 540 events, measured in docs/performance.md. A regular activity would add the task's three events
 * and a second workflow task (about 11 a probe, 990 for 90).
 *
 * The probe waits for no decision longer than its own short timeout: a `cancel` or `reactivate` that arrives while
 * it is in flight cancels it, and a decision between probes interrupts the timer at once, as without probes.
 *
 * Jitter: a bulk wave deactivates thousands of tenants within the hour, so probes one interval after each grace
 * period began would all hit their hosts in the same hour, every day. The first probe of each run comes at an
 * offset derived from its workflow ID, spread evenly over one interval; later probes keep that phase. The offset is
 * a pure function of the ID, so it is the same on replay and after a continue-as-new, and the schedule itself
 * (`graceProbes.nextAt`) travels in the status.
 */
import { CancellationScope, condition, isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import type { ProbeAnswer } from '../activities/types';
import type { GraceProbeStatus } from '../shared/contract';
import { WarningType } from '../shared/failure-types';
import type { OffboardingRecord } from './record';

/** A probe's own timeout: well within the 10 s of a workflow task, which a local activity keeps open. */
export const GRACE_PROBE_TIMEOUT_MS = 5_000;

const graceProbeActivity = proxyLocalActivities<OffboardingActivities>({
  startToCloseTimeout: GRACE_PROBE_TIMEOUT_MS + 3_000,
  // One attempt: an unclear answer (or a failed attempt) changes nothing, and the next probe is a day away anyway.
  retry: { maximumAttempts: 1 },
  summary: 'grace-period probe of the tenant host',
});

/** How the grace period ended early, by what the probes saw. */
export type GraceVerdict = { kind: 'reactivated-externally' } | { kind: 'purged'; at: string };

/** What the watch needs from the run. */
export interface GraceWatch {
  workflowId: string;
  hostname: string;
  intervalMs: number;
  /** Two "purged" answers confirm a purge when this far apart (`OFFBOARD_PROBE_INITIAL_INTERVAL`, as after the date). */
  confirmIntervalMs: number;
  purgeDateMs: () => number;
  record: OffboardingRecord;
  decided: () => boolean;
  /** An extension of the grace period is waiting to be sent (grace-extensions.ts). */
  extensionDue: () => boolean;
  /** Sends it and records its outcome; the purge date may move. */
  extend: () => Promise<void>;
  mustContinueAsNew: () => boolean;
  /** Continues as new when the history has grown long (never returns then). */
  continueAsNewIfDue: () => Promise<void>;
}

/**
 * 32-bit hash of `text` (FNV-1a, then MurmurHash3's finaliser: FNV-1a alone changes few high bits for IDs that
 * differ in their last character, as the IDs of a bulk wave do).
 */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** When the first probe comes after the grace period begins: in [0, interval), evenly spread over workflow IDs. */
export function firstProbeOffsetMs(workflowId: string, intervalMs: number): number {
  return Math.floor((hash32(workflowId) / 2 ** 32) * intervalMs);
}

/** What one answer means for the run. */
export type GraceJudgement =
  /** Two "active" answers an interval apart, after this offboarding saw the tenant deactivated. */
  | 'reactivated-externally'
  /** The same, but the tenant was never seen deactivated: a warning, and the watch goes on. */
  | 'active-unconfirmed'
  /** Two "purged" answers a probe interval apart. */
  | 'purged'
  /** The host says "deactivated": the offboarding has now seen it so. */
  | 'deactivated'
  /** Nothing to act on (a first "active" or "purged", or an answer that says nothing). */
  | 'nothing';

/**
 * The probes' status after `answer` came at `nowMs` for the probe due at `dueAtMs`, what it means, and when the
 * next probe is due. Pure: the unit tests run it through every sequence of answers that matters.
 */
export function judgeGraceProbe(
  before: GraceProbeStatus,
  answer: ProbeAnswer,
  input: { nowMs: number; dueAtMs: number; confirmIntervalMs: number; seenDeactivated: boolean },
): { status: GraceProbeStatus; judgement: GraceJudgement } {
  const { nowMs, dueAtMs, confirmIntervalMs } = input;
  const { intervalMs } = before;
  const at = new Date(nowMs).toISOString();
  const last: NonNullable<GraceProbeStatus['last']> = { at, state: answer.state };
  if (answer.httpStatus !== undefined) last.httpStatus = answer.httpStatus;
  if (answer.code !== undefined) last.code = answer.code;
  let { activeSince, purgedSince } = before;
  let judgement: GraceJudgement = 'nothing';
  switch (answer.state) {
    case 'active':
      purgedSince = undefined;
      activeSince ??= at;
      if (nowMs - Date.parse(activeSince) >= intervalMs) {
        judgement = input.seenDeactivated ? 'reactivated-externally' : 'active-unconfirmed';
      }
      break;
    case 'deactivated':
      activeSince = undefined;
      purgedSince = undefined;
      judgement = 'deactivated';
      break;
    case 'purged':
      activeSince = undefined;
      if (purgedSince !== undefined && nowMs - Date.parse(purgedSince) >= confirmIntervalMs) judgement = 'purged';
      purgedSince ??= at;
      break;
    case 'unknown':
      // 5xx, timeouts, resets: they say nothing, and break no row of answers.
      break;
  }

  // The regular schedule keeps the run's phase (its jitter), also after probes that came late.
  let nextMs = dueAtMs + intervalMs;
  if (nextMs <= nowMs) nextMs += Math.ceil((nowMs - nextMs + 1) / intervalMs) * intervalMs;
  // The confirming "active" answer must come at least an interval after the first.
  if (activeSince !== undefined) nextMs = Math.max(nextMs, Date.parse(activeSince) + intervalMs);
  // A first "purged" is confirmed a probe interval later, not a day; unclear answers meanwhile double the wait.
  if (purgedSince !== undefined) {
    nextMs = Math.min(nextMs, nowMs + Math.max(confirmIntervalMs, nowMs - Date.parse(purgedSince)));
  }
  // A host that asks for a pause (429/503 `retry-after`) gets it.
  nextMs = Math.max(nextMs, nowMs + (answer.retryAfterMs ?? 0));

  const status: GraceProbeStatus = {
    intervalMs,
    nextAt: new Date(nextMs).toISOString(),
    probes: before.probes + 1,
    last,
  };
  if (activeSince !== undefined) status.activeSince = activeSince;
  if (purgedSince !== undefined) status.purgedSince = purgedSince;
  return { status, judgement };
}

/**
 * Sleeps until the purge date like the grace period without probes, waking for each probe; returns early with the
 * verdict of the probes, or undefined when the purge date came or a decision was made.
 */
export async function watchGracePeriod(watch: GraceWatch): Promise<GraceVerdict | undefined> {
  const { record } = watch;
  // A run resumed after a continue-as-new keeps the schedule it carried.
  if (record.status.graceProbes?.nextAt === undefined) {
    record.startGraceProbes(watch.intervalMs, Date.now() + firstProbeOffsetMs(watch.workflowId, watch.intervalMs));
  }
  while (!watch.decided() && Date.now() < watch.purgeDateMs()) {
    if (watch.extensionDue()) {
      await watch.extend();
      continue;
    }
    const dueAtMs = Date.parse(record.status.graceProbes!.nextAt!);
    const wakeAtMs = Math.min(dueAtMs, watch.purgeDateMs());
    if (wakeAtMs > Date.now()) {
      await condition(
        () => watch.decided() || watch.extensionDue() || watch.mustContinueAsNew(),
        wakeAtMs - Date.now(),
        {
          summary: `grace period until ${record.status.estimatedPurgeDate}; next probe at ${record.status.graceProbes!.nextAt}`,
        },
      );
    }
    await watch.continueAsNewIfDue();
    if (watch.decided() || Date.now() >= watch.purgeDateMs()) break;
    if (watch.extensionDue() || Date.now() < dueAtMs) continue;
    const answer = await probeUnlessDecided(watch);
    if (answer === undefined || watch.decided()) break;
    const verdict = act(watch, dueAtMs, answer);
    if (verdict) {
      record.endGraceProbes();
      return verdict;
    }
  }
  record.endGraceProbes();
  return undefined;
}

/** Records the answer and what it means; the verdict when the grace period ends on it. */
function act(watch: GraceWatch, dueAtMs: number, answer: ProbeAnswer): GraceVerdict | undefined {
  const { record } = watch;
  const { status, judgement } = judgeGraceProbe(record.status.graceProbes!, answer, {
    nowMs: Date.now(),
    dueAtMs,
    confirmIntervalMs: watch.confirmIntervalMs,
    // Since its last deactivate: the first, or an extension's repeat deactivate that may have reached Qlik.
    seenDeactivated: record.seenDeactivatedSinceLastDeactivate,
  });
  record.noteGraceProbe(status);
  switch (judgement) {
    case 'reactivated-externally':
      return { kind: 'reactivated-externally' };
    case 'purged':
      return { kind: 'purged', at: status.last!.at };
    case 'deactivated':
      // Seen deactivated by this offboarding (after a verify timeout, or an extension): from now on "active" counts.
      record.noteSeenDeactivated();
      return undefined;
    case 'active-unconfirmed':
      if (record.status.lastError?.type !== WarningType.ReactivatedExternallyUnconfirmed) {
        record.setLastError({
          type: WarningType.ReactivatedExternallyUnconfirmed,
          message:
            `the tenant host answered "active" since ${status.activeSince}, but this offboarding has not seen it answer ` +
            '"deactivated" since its last deactivate: it may be deactivated and slow to show it, so the run watches it ' +
            'to the purge date',
          httpStatus: answer.httpStatus,
          code: answer.code,
        });
      }
      return undefined;
    case 'nothing':
      return undefined;
  }
}

/** One probe, cancelled by a decision that arrives meanwhile (then undefined); a failed probe is `unknown`. */
async function probeUnlessDecided(watch: GraceWatch): Promise<ProbeAnswer | undefined> {
  const probeScope = new CancellationScope();
  const watcherScope = new CancellationScope();
  const probe = probeScope.run(() =>
    graceProbeActivity.probeTenant({ hostname: watch.hostname, timeoutMs: GRACE_PROBE_TIMEOUT_MS }),
  );
  // A watcher in a scope of its own, cancelled once the probe is back, so that no condition outlives the probe.
  const watcher = watcherScope
    .run(() => condition(watch.decided))
    .then(
      () => probeScope.cancel(),
      () => undefined,
    );
  try {
    return await probe;
  } catch (error) {
    if (isCancellation(error)) return undefined;
    return { state: 'unknown', code: 'PROBE_FAILED' };
  } finally {
    watcherScope.cancel();
    await watcher;
  }
}
