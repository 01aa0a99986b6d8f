/**
 * Following a running offboarding from outside, the way an operator would: by polling the `status` query. The
 * demo prints a line whenever the phase changes, so the polling interval only bounds how late a line appears.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { OffboardingStatus } from '../shared/contract';
import { statusQuery } from '../workflows/definitions';

/** A short human description of where an offboarding stands. */
export function describeStatus(status: OffboardingStatus): string {
  switch (status.phase) {
    case 'scheduled':
      return `scheduled: waiting until ${status.notBefore ?? 'notBefore'}`;
    case 'validating':
      return 'validating: checking credentials, region and tenant';
    case 'awaiting-approval':
      return `awaiting approval by someone other than ${status.requestedBy ?? 'the requester'}`;
    case 'deactivating':
      return 'deactivating: calling Qlik';
    case 'verifying':
      return 'verifying: waiting for the tenant host to answer "deactivated"';
    case 'grace-period':
      return `grace period: Qlik purges it at ${shortDate(status.estimatedPurgeDate)}`;
    case 'confirming-purge':
      return 'purge date passed: confirming the purge with the tenant host';
    case 'reactivating':
      return `reactivating (decided by ${status.decidedBy?.message ?? 'a message'})`;
    case 'reporting':
      return 'reporting';
    case 'completed':
      return `completed: ${status.outcome ?? '?'}`;
    case 'failed':
      return `failed: ${status.lastError?.type ?? '?'}`;
  }
}

/** `2025-01-02T03:04:05.678Z` → `2025-01-02 03:04:05Z`; `—` when absent. */
export function shortDate(iso: string | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/**
 * Polls the status every `pollMs` until `settled` resolves or rejects, handing each answer to `onStatus`. A query
 * that fails (no worker has picked the run up yet, the run just closed) is skipped: the next poll tries again.
 */
export async function watchStatus(
  handle: WorkflowHandle,
  settled: Promise<unknown>,
  options: { pollMs: number; onStatus: (status: OffboardingStatus) => void },
): Promise<void> {
  let done = false;
  const finished = settled.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    try {
      options.onStatus(await handle.query(statusQuery));
    } catch {
      // transient: try again at the next poll
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, options.pollMs)))]);
    clearTimeout(timer);
  }
}
