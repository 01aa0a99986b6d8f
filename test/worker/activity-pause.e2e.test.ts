/**
 * Issue "[3 of 4] Operations at scale", item 7: the runbook's `temporal activity pause|unpause` for a probe loop
 * stuck on a misbehaving tenant host, run as ops would run it (the Temporal CLI against the dev server).
 *
 * What the runbook promises: a paused probe loop stops probing at its next heartbeat, the run waits with the tenant
 * still watched, unpausing resumes it, and a decision still works while the loop is paused.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cancelSignal, statusQuery } from '../../src/workflows/definitions';
import { temporalBinary } from '../../harness/repo';
import { tenant } from '../../harness/simulator';
import { waitFor, waitForPhase } from '../../harness/wait';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { count, describeEnd, offboarding, settle, sleep, start } from '../support/edges';

const execFileAsync = promisify(execFile);

let env: TestWorkflowEnvironment;
let h: Harness;

/** The Temporal CLI, as the runbook gives it, against the test's dev server. */
async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(temporalBinary('cli'), [...args, '--address', env.address]);
  return stdout;
}

/** The ID of the run's one pending activity (`temporal workflow describe` lists them). */
async function pendingActivityId(workflowId: string): Promise<string> {
  const described = JSON.parse(await temporal('workflow', 'describe', '--workflow-id', workflowId, '--output', 'json'));
  const pending = (described.pendingActivities ?? []) as Array<{ activityId: string; activityType?: { name: string } }>;
  if (pending.length !== 1) throw new Error(`expected one pending activity, got ${JSON.stringify(pending)}`);
  return pending[0].activityId;
}

/** Probes of the tenant's host over `ms`. */
async function probesDuring(id: string, ms: number): Promise<number> {
  const before = count(h, id, 'probe');
  await sleep(ms);
  return count(h, id, 'probe') - before;
}

beforeAll(async () => {
  // Days of a second: the purge date is 90 s away. The host answers 503 to every probe: the verify loop keeps probing (it is "unknown", not "active").
  ({ env, h } = await startLocalHarness({ sim: { dayMs: 1_000 }, env: { OFFBOARD_VERIFY_TIMEOUT: '60s' } }));
  for (const id of ['Pause-Resume', 'Pause-Cancel']) {
    h.sim.addTenant(tenant(id));
  }
  h.sim.setFaults(['Pause-Resume', 'Pause-Cancel'].map((tenantId) => ({ route: 'probe', tenantId, kind: '503' })));
  await h.startWorkers();
}, 60_000);

afterAll(() => stopLocalHarness(h, env), 60_000);

async function pausedInVerifying(id: string) {
  const handle = await start(h, offboarding(id, { purgeAfterDays: 90 }));
  await waitForPhase(h.client, handle.workflowId, 'verifying', 30_000);
  await waitFor(`${id} probed`, () => count(h, id, 'probe') > 2, 10_000);
  const activityId = await pendingActivityId(handle.workflowId);
  await temporal(
    'activity',
    'pause',
    '--workflow-id',
    handle.workflowId,
    '--activity-id',
    activityId,
    '--reason',
    'host misbehaving',
  );
  // The loop learns of the pause with its next heartbeat (a few hundred ms here).
  await sleep(1_500);
  return { handle, activityId };
}

it('a paused probe loop stops probing; unpaused, it resumes and sees the deactivation', async () => {
  const { handle, activityId } = await pausedInVerifying('Pause-Resume');
  expect(await probesDuring('Pause-Resume', 2_000)).toBe(0);
  expect((await handle.describe()).status.name).toBe('RUNNING');

  // The host mends while the loop is paused.
  h.sim.setFaults([{ route: 'probe', tenantId: 'Pause-Cancel', kind: '503' }]);
  await temporal('activity', 'unpause', '--workflow-id', handle.workflowId, '--activity-id', activityId);
  await waitForPhase(h.client, handle.workflowId, 'grace-period', 30_000);
  expect((await handle.query(statusQuery)).deactivationConfirmedAt).toBeDefined();
  await handle.signal(cancelSignal, { reason: 'test over' });
  expect(describeEnd(await settle(handle, 60_000))).toBe('completed (COMPLETED); outcome cancelled');
}, 120_000);

it('a decision while the probe loop is paused is carried out: the tenant is reactivated', async () => {
  const { handle } = await pausedInVerifying('Pause-Cancel');
  await handle.signal(cancelSignal, { reason: 'customer stayed', requestedBy: 'ops' });
  expect(describeEnd(await settle(handle, 60_000))).toBe('completed (COMPLETED); outcome cancelled');
  expect(h.sim.tenant('Pause-Cancel')?.status).toBe('active');
}, 120_000);
