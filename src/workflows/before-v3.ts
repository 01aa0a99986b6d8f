/**
 * How runs that started before the contract's v3 rules handle a lost or refused registration call. A worker still
 * replays (and carries on) such runs exactly as they ran: nothing here may change the commands they recorded. Runs
 * that start now take the paths in offboarding.ts, whose loops live in activities.
 */
import { sleep } from '@temporalio/workflow';
import type { TenantRef, WorkerSettings } from '../activities/types';
import { clamp, failureOf, probeUntilKnown, registerCalls } from './calls';
import type { OffboardingRecord } from './record';

/**
 * After a refused repeat deactivate, probes until the host gives a clear answer (which may take for ever): true when
 * it says "deactivated". Then the lost attempt took effect, and the purge date is computed from now.
 */
export async function deactivatedAfterRefusal(hostname: string, settings: WorkerSettings): Promise<boolean> {
  const answer = await probeUntilKnown(hostname, settings.timings, Infinity);
  return answer.state === 'deactivated';
}

/**
 * Reactivation, at most once, retried until the purge date whatever the error, each failure resolved by one probe:
 * "active" is taken at once (a retry after a lost answer), "purged" too. One round trip of events per attempt.
 */
export async function reactivateUntilPurgeDate(
  tenant: TenantRef,
  purgeDateMs: number,
  record: OffboardingRecord,
  settings: WorkerSettings,
): Promise<'reactivated' | 'purged' | 'too-late'> {
  const { timings } = settings;
  let backoffMs = timings.probeInitialIntervalMs;
  while (Date.now() < purgeDateMs) {
    try {
      // Retried until the purge date: after it, reactivation is no longer possible. The closer the date, the more
      // often: a backoff longer than the time left would give up before the date.
      const left = purgeDateMs - Date.now();
      await registerCalls(settings.registerTaskQueues[tenant.region], {
        scheduleToCloseTimeout: Math.max(1, left),
        retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: clamp(left / 10, 1_000, 300_000) },
        summary: 'reactivate the tenant',
      }).reactivateTenant(tenant);
      record.markReactivated();
      return 'reactivated';
    } catch (error) {
      const failure = failureOf(error);
      record.setLastError({ type: failure.type, message: failure.message, ...failure.details });
    }
    // A lost or refused answer: the tenant may be active already (a retry after a lost answer) or purged.
    const answer = await probeUntilKnown(tenant.hostname, timings, 1);
    if (answer.state === 'active') {
      record.markReactivated();
      return 'reactivated';
    }
    if (answer.state === 'purged') return 'purged';
    const left = purgeDateMs - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(backoffMs, left));
    backoffMs = Math.min(backoffMs * 2, timings.probeMaxIntervalMs);
  }
  return 'too-late';
}
