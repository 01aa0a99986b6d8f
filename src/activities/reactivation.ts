import { activityInfo, ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { QlikClient } from '../qlik/types';
import { QlikError } from '../qlik/types';
import { sleepWithHeartbeats } from './heartbeat-sleep';
import type { ReactivationRoundInput, ReactivationRoundResult, RoundProgress } from './types';

/** Failure type of an attempt that will be retried: the tenant is not known to be active yet. */
const NOT_YET_ACTIVE = 'ReactivationPending';

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

  return {
    async reactivateRound(input: ReactivationRoundInput): Promise<ReactivationRoundResult> {
      const saved = activityInfo().heartbeatDetails as Partial<RoundProgress> | undefined;
      const progress: RoundProgress = { seenDeactivated: input.seenDeactivated || saved?.seenDeactivated === true };
      const { hostname } = input;
      let lastError: ReturnType<typeof describe>;
      try {
        await qlik.reactivate(input, cancellationSignal());
        return { outcome: 'reactivated', at: new Date(now()).toISOString(), ...progress };
      } catch (error) {
        lastError = describe(error);
      }

      let answer = await qlik.probe(hostname, cancellationSignal());
      if (answer.state === 'purged') {
        await sleepWithHeartbeats(input.probeIntervalMs, progress);
        answer = await qlik.probe(hostname, cancellationSignal());
        if (answer.state === 'purged') return { outcome: 'purged', at: new Date(now()).toISOString(), ...progress };
      }
      if (answer.state === 'deactivated') progress.seenDeactivated = true;
      if (answer.state === 'active' && (progress.seenDeactivated || now() >= input.activeCountsFromMs)) {
        return {
          outcome: 'active',
          at: new Date(now()).toISOString(),
          lastError: withoutRetryAfter(lastError),
          ...progress,
        };
      }
      heartbeat(progress);
      if (now() >= input.roundEndsAtMs)
        return { outcome: 'pending', lastError: withoutRetryAfter(lastError), ...progress };
      throw ApplicationFailure.create({
        type: NOT_YET_ACTIVE,
        message: `${lastError.message}; the tenant host answered ${answer.state}`,
        nextRetryDelay: answer.retryAfterMs ?? lastError.retryAfterMs,
        details: [{ ...withoutRetryAfter(lastError), probe: answer.state }],
      });
    },
  };
}

/** The last error of a round, for the status's `lastError`: the contract's type, status, code and traceId. */
function describe(error: unknown): NonNullable<ReactivationRoundResult['lastError']> & { retryAfterMs?: number } {
  if (error instanceof QlikError) {
    const { httpStatus, code, traceId, retryAfterMs } = error.details;
    return { type: error.kind, message: error.message, httpStatus, code, traceId, retryAfterMs };
  }
  return { type: 'Transient', message: error instanceof Error ? error.message : String(error) };
}

function withoutRetryAfter(error: ReturnType<typeof describe>): NonNullable<ReactivationRoundResult['lastError']> {
  const { retryAfterMs: _, ...rest } = error;
  return rest;
}
