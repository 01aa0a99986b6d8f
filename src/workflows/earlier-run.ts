/**
 * The contract's closed-run rule, kept by the workflow itself (v3, rules revision 2): after a Completed run (any
 * outcome) a new offboarding starts only as an explicit restart. The TypeScript client has the server enforce it
 * (reuse policy ALLOW_DUPLICATE_FAILED_ONLY), but a caller that passes no policy — an HTTP call, another SDK — gets the
 * server's default, ALLOW_DUPLICATE, and would otherwise deactivate a tenant whose offboarding ended `reactivated` or
 * `cancelled`: a customer the CRM rolled back.
 */
import { proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import { RESTART_MEMO_KEY } from '../shared/contract';
import { OffboardingFailed } from './calls';

/**
 * Asks Temporal about the runs before this one. Retried for as long as it takes: a run that cannot tell must not go
 * on to deactivate (it waits in `validating`, the worker logging each failed attempt). A local activity: one marker
 * event, so that the happy path stays within its 40 events.
 */
const earlierRuns = proxyLocalActivities<OffboardingActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
  summary: 'is there an earlier offboarding under this workflow ID that completed?',
});

/**
 * Fails the run as `InvalidInput` (before anything is called) when the latest earlier offboarding under this workflow
 * ID Completed and the start was not marked as a restart (memo `restart: true`).
 */
export async function refuseStartAfterCompletedRun(): Promise<void> {
  const { workflowId, runId, firstExecutionRunId, memo } = workflowInfo();
  if (memo?.[RESTART_MEMO_KEY] === true) return;
  const earlier = await earlierRuns.latestEarlierRun({ workflowId, runId, firstExecutionRunId });
  if (earlier?.status !== 'COMPLETED') return;
  const how = [earlier.outcome && `outcome ${earlier.outcome}`, earlier.closeTime && `at ${earlier.closeTime}`]
    .filter(Boolean)
    .join(', ');
  throw new OffboardingFailed(
    'InvalidInput',
    `workflow ID: ${workflowId} already completed (run ${earlier.runId}${how ? `, ${how}` : ''}); ` +
      `start it again only as a restart (memo ${RESTART_MEMO_KEY}: true; the CLI's --restart)`,
  );
}
