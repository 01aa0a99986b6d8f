import { activityInfo, ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { ProbeAnswer, QlikClient } from '../qlik/types';
import { QlikError } from '../qlik/types';
import { WarningType } from '../shared/failure-types';
import { sleepWithHeartbeats } from './heartbeat-sleep';
import type { ReactivationRoundInput, ReactivationRoundResult, RoundProgress } from './types';

/** Failure type of an attempt that will be retried: the tenant is not known to be active yet. */
const NOT_YET_ACTIVE = WarningType.ReactivationPending;

/**
 * One round of the reactivation (contract v3): every attempt is one reactivate call, so the calls repeat only as
 * Temporal retries of this activity, each through the region's rate-limited queue; a round costs the workflow's
 * history one activity however many attempts it takes. A refused or lost answer is resolved by probing the tenant:
 *
 * - "active" counts only once this offboarding saw the tenant deactivated, or once `activeCountsFromMs` has passed
 *   (the host may lag behind a deactivate, QLIK-API §5): before that it is "not yet", and the call is retried;
 * - "purged" counts only as two consecutive answers one probe interval apart (a passing 404 is not a purge);
 * - anything else is retried, until the round ends: then the round returns `pending` with the last error, and the
 *   workflow starts the next one (or gives up at the purge date).
 *
 * What an attempt learned (the tenant seen deactivated) goes to the next attempt in heartbeat details, and to the
 * next round in the result.
 */
export function createReactivation(deps: { qlik: QlikClient; now: () => number }) {
  const { qlik, now } = deps;

  /**
   * What the tenant host says after a refused reactivate: "active" (when it counts), "purged" (twice, one probe
   * interval apart), or nothing conclusive yet.
   */
  async function resolveByProbe(
    input: ReactivationRoundInput,
    progress: RoundProgress,
  ): Promise<{ state: ProbeAnswer['state']; retryAfterMs?: number; outcome?: 'active' | 'purged' }> {
    let answer = await qlik.probe(input.hostname, cancellationSignal());
    if (answer.state === 'purged') {
      await sleepWithHeartbeats(input.probeIntervalMs, progress);
      answer = await qlik.probe(input.hostname, cancellationSignal());
      if (answer.state === 'purged') return { state: answer.state, outcome: 'purged' };
    }
    if (answer.state === 'deactivated') progress.seenDeactivated = true;
    const activeCounts = progress.seenDeactivated || now() >= input.activeCountsFromMs;
    if (answer.state === 'active' && activeCounts) return { state: answer.state, outcome: 'active' };
    return { state: answer.state, retryAfterMs: answer.retryAfterMs };
  }

  return {
    async reactivateRound(input: ReactivationRoundInput): Promise<ReactivationRoundResult> {
      const saved = activityInfo().heartbeatDetails as Partial<RoundProgress> | undefined;
      const progress: RoundProgress = { seenDeactivated: input.seenDeactivated || saved?.seenDeactivated === true };
      // After the purge date only the round's first attempt calls (a recorded decision always gets one).
      if (activityInfo().attempt > 1 && input.purgeDateMs !== undefined && now() >= input.purgeDateMs) {
        return { outcome: 'pending', ...progress };
      }
      let error: ReturnType<typeof describe>;
      try {
        // Like every registration call, never interrupted once sent.
        await qlik.reactivate(input);
        return { outcome: 'reactivated', at: new Date(now()).toISOString(), ...progress };
      } catch (caught) {
        error = describe(caught);
      }
      heartbeat(progress);
      // Transient trouble (5xx, timeout, reset, 429) is retried as it is: the next attempt's answer tells. Only a
      // refusal, which may follow an earlier attempt whose answer was lost, is resolved by looking at the tenant.
      const answer = error.retryable ? undefined : await resolveByProbe(input, progress);
      if (answer?.outcome) {
        const at = new Date(now()).toISOString();
        return { outcome: answer.outcome, at, lastError: withoutRetryAfter(error), ...progress };
      }
      heartbeat(progress);
      const rateLimited = error.retryAfterMs !== undefined;
      // A round ends with its first attempt past its end, unless Qlik asked to wait: the next round would not.
      if (now() >= input.roundEndsAtMs && !rateLimited) {
        return { outcome: 'pending', lastError: withoutRetryAfter(error), ...progress };
      }
      throw ApplicationFailure.create({
        type: NOT_YET_ACTIVE,
        message: answer ? `${error.message}; the tenant host answered ${answer.state}` : error.message,
        nextRetryDelay: error.retryAfterMs ?? answer?.retryAfterMs,
        details: [{ ...withoutRetryAfter(error), probe: answer?.state }],
      });
    },
  };
}

/** The last error of a round, for the status's `lastError`: the contract's type, status, code and traceId. */
function describe(
  error: unknown,
): NonNullable<ReactivationRoundResult['lastError']> & { retryable: boolean; retryAfterMs?: number } {
  if (error instanceof QlikError) {
    const { httpStatus, code, traceId, retryAfterMs } = error.details;
    return {
      type: error.kind,
      message: error.message,
      httpStatus,
      code,
      traceId,
      retryable: error.retryable,
      retryAfterMs,
    };
  }
  // Not a classified answer from Qlik (a bug, an aborted request): retried like transient trouble.
  return { type: 'Transient', message: error instanceof Error ? error.message : String(error), retryable: true };
}

function withoutRetryAfter(error: ReturnType<typeof describe>): NonNullable<ReactivationRoundResult['lastError']> {
  const { retryAfterMs: _after, retryable: _retryable, ...rest } = error;
  return rest;
}
