/**
 * The runbook's queries, asked of the Web UI's own HTTP API (served with the dev server): ops find the offboardings
 * they look for by the contract's search attributes.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { request } from 'undici';
import { workflowIdFor, type OffboardingInput, type OffboardingStatus } from '../../src/shared/contract';
import { statusQuery } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { freePort } from '../../harness/ports';
import { hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';

let env: TestWorkflowEnvironment;
let h: Harness;
let uiPort: number;

beforeAll(async () => {
  uiPort = await freePort();
  ({ env, h } = await startLocalHarness({ uiPort }));
  await h.startWorkers();
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

/** Workflow IDs the Web UI's API lists for a visibility query (retried: visibility is eventually consistent). */
async function uiList(query: string, expected: string[]): Promise<string[]> {
  let ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    const url = `http://127.0.0.1:${uiPort}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
    const { statusCode, body } = await request(url);
    const json = (await body.json()) as { executions?: { execution: { workflowId: string } }[] };
    expect(statusCode).toBe(200);
    ids = (json.executions ?? []).map((e) => e.execution.workflowId).sort();
    if (JSON.stringify(ids) === JSON.stringify([...expected].sort())) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return ids;
}

function start(input: OffboardingInput) {
  return h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor(input.tenantId),
    args: [input],
  });
}

async function untilPhase(id: string, phase: OffboardingStatus['phase']): Promise<void> {
  const handle = h.client.workflow.getHandle(workflowIdFor(id));
  for (let i = 0; i < 200; i++) {
    if ((await handle.query(statusQuery)).phase === phase) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${id} never reached ${phase}`);
}

describe('the Web UI API answers the runbook queries', () => {
  it('finds offboardings in grace period, failed, by requester and by outcome', async () => {
    for (const id of ['UiGrace', 'UiPurged', 'UiWrong']) h.sim.addTenant(tenant(id));
    // 90 simulated days of 100 ms: the grace period lasts 9 s, long enough to be seen in it.
    await start({
      tenantId: 'UiGrace',
      hostname: hostnameOf('UiGrace'),
      region: 'eu',
      purgeAfterDays: 90,
      requestedBy: 'billing',
    });
    const purged = await start({
      tenantId: 'UiPurged',
      hostname: hostnameOf('UiPurged'),
      region: 'eu',
      purgeAfterDays: 10,
      requestedBy: 'crm',
    });
    const wrong = await start({
      tenantId: 'UiWrong',
      hostname: 'nobody.eu.qlikcloud.com',
      region: 'eu',
      requestedBy: 'crm',
    });
    await purged.result();
    await wrong.result().catch(() => undefined);
    await untilPhase('UiGrace', 'grace-period');

    const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    expect(
      await uiList(`OffboardingPhase = 'grace-period' AND EstimatedPurgeDate < '${inAWeek}'`, [
        'offboard-tenant-UiGrace',
      ]),
    ).toEqual(['offboard-tenant-UiGrace']);
    expect(
      await uiList(`WorkflowType = 'offboardTenant' AND ExecutionStatus = 'Failed'`, ['offboard-tenant-UiWrong']),
    ).toEqual(['offboard-tenant-UiWrong']);
    expect(await uiList(`OffboardingPhase = 'failed'`, ['offboard-tenant-UiWrong'])).toEqual([
      'offboard-tenant-UiWrong',
    ]);
    expect(await uiList(`QlikRequestedBy = 'crm'`, ['offboard-tenant-UiPurged', 'offboard-tenant-UiWrong'])).toEqual([
      'offboard-tenant-UiPurged',
      'offboard-tenant-UiWrong',
    ]);
    expect(await uiList(`OffboardingOutcome = 'purged'`, ['offboard-tenant-UiPurged'])).toEqual([
      'offboard-tenant-UiPurged',
    ]);
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    // Nothing has been stuck in verifying for an hour.
    expect(await uiList(`OffboardingPhase = 'verifying' AND OffboardingPhaseSince < '${anHourAgo}'`, [])).toEqual([]);
    await h.client.workflow.getHandle(workflowIdFor('UiGrace')).signal('cancel', { reason: 'test cleanup' });
  });
});
