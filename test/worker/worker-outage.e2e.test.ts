/**
 * No worker at all for a while (every worker stopped, e.g. a deploy gone wrong): the runs wait in Temporal and carry
 * on when a worker returns. Proven with the product's in-process workers, the dev server and the simulator:
 * - an outage inside the grace period: the purge is confirmed when the worker returns;
 * - an outage longer than OFFBOARD_PURGE_OVERDUE_AFTER past the purge date: the tenant answers "purged" when the
 *   worker returns, and the contract reserves `purge-overdue` for a tenant that *still answers deactivated*, so
 *   the outcome must be `purged` (it once was reported overdue on the first "purged" answer it got
 *   after the overdue time, without the second confirming probe).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIdFor } from '../../src/shared/contract';
import type { offboardTenant } from '../../src/workflows';
import { CLIENT_SECRETS, hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { captureWorkerLogs } from '../support/captured-logs';
import { requestsAbout } from '../support/request-log';
import { defineLeakScan } from '../support/secrets';
import { sleep, waitForPhase } from '../../harness/wait';

const logs = captureWorkerLogs();

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  // 1 simulated day = 100 ms: 10 days of grace = 1 s; overdue 3 s after the purge date (harness defaults).
  ({ env, h } = await startLocalHarness({ sim: { tier1PerMinute: 0, tier2PerMinute: 0 } }));
  await h.startWorkers();
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

async function offboardAcrossOutage(id: string, purgeAfterDays: number, outageMs: number) {
  h.sim.addTenant(tenant(id));
  const handle = await h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor(id),
    args: [{ tenantId: id, hostname: hostnameOf(id), region: 'eu', purgeAfterDays }],
  });
  await waitForPhase(h.client, handle.workflowId, 'grace-period', 20_000);
  await h.stopWorkers();
  await sleep(outageMs);
  await h.startWorkers();
  return handle.result();
}

describe('every worker gone for a while', () => {
  it('an outage inside the grace period: the purge is confirmed when a worker returns', async () => {
    const result = await offboardAcrossOutage('OUT-short', 30, 1_500);
    expect(result.outcome).toBe('purged');
    expect(Date.parse(result.purgeConfirmedAt!)).toBeGreaterThanOrEqual(Date.parse(result.estimatedPurgeDate!));
    expect(
      requestsAbout(h.sim.requests(), 'OUT-short', hostnameOf('OUT-short')).filter((r) => r.route === 'deactivate'),
    ).toHaveLength(1);
  }, 60_000);

  it('an outage past the overdue bound: a tenant that answers "purged" is confirmed purged, not reported overdue', async () => {
    const result = await offboardAcrossOutage('OUT-long', 10, 5_000);
    expect(h.sim.tenant('OUT-long')!.status).toBe('deleted');
    expect(result.outcome).toBe('purged');
  }, 60_000);
});

defineLeakScan(() => ({
  client: h.client,
  logLines: logs.lines(),
  requestLog: h.sim.requests(),
  secrets: Object.values(CLIENT_SECRETS),
}));
