/**
 * Issue "[3 of 4] Operations at scale", item 1: a reactivation decided during the grace period is sent within
 * seconds, not after the deactivations queued for the region (CONTRACT "Rules added (v3)"). The registration queue
 * orders its tasks by priority: a reactivate (1) before any deactivate (4).
 *
 * The budget here is one call a second and thirty deactivates are queued when the decision comes: behind them,
 * the reactivate would wait about thirty seconds. (The benchmark measures the latency on every layout and budget.)
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { reactivateSignal, cancelSignal } from '../../src/workflows/definitions';
import { tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { waitForPhase } from '../../harness/wait';
import { count, describeEnd, offboarding, requestsFor, settle, sleep, start } from '../support/edges';

const BACKLOG = Array.from({ length: 30 }, (_, i) => `Prio-Backlog-${i + 1}`);

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  // Days of a second: the target's 90-day grace period outlasts the test.
  ({ env, h } = await startLocalHarness({ sim: { dayMs: 1_000 }, env: { QLIK_REGISTER_CALLS_PER_MINUTE: '60' } }));
  for (const id of ['Prio-Target', ...BACKLOG]) h.sim.addTenant(tenant(id));
  await h.startWorkers();
}, 60_000);

afterAll(() => stopLocalHarness(h, env), 60_000);

it('a decided reactivation is sent before the deactivates queued ahead of it', async () => {
  const target = await start(h, offboarding('Prio-Target', { purgeAfterDays: 90 }));
  await waitForPhase(h.client, target.workflowId, 'grace-period', 30_000);
  const backlog = await Promise.all(BACKLOG.map((id) => start(h, offboarding(id, { purgeAfterDays: 10 }))));
  await sleep(2_000);

  const decidedAt = Date.now();
  await target.signal(reactivateSignal, { reason: 'renewed', requestedBy: 'crm' });
  const end = await settle(target, 30_000);
  const reactivate = requestsFor(h, 'Prio-Target').find((r) => r.route === 'reactivate');
  const deactivatesSentBefore = BACKLOG.filter((id) =>
    requestsFor(h, id).some((r) => r.route === 'deactivate' && r.at < (reactivate?.at ?? Infinity)),
  ).length;

  expect(describeEnd(end)).toBe('completed (COMPLETED); outcome reactivated');
  expect(reactivate).toBeDefined();
  expect(reactivate!.at - decidedAt).toBeLessThan(5_000);
  // The backlog was real: most of it was still queued when the reactivate went out.
  expect(deactivatesSentBefore).toBeLessThan(BACKLOG.length / 2);

  // Undo the backlog: the deactivates not sent yet are withdrawn with no call.
  await Promise.all(backlog.map((handle) => handle.signal(cancelSignal, { reason: 'test over' })));
  const ends = await Promise.all(backlog.map((handle) => settle(handle, 60_000)));
  expect(ends.map((e) => e.outcome)).toEqual(BACKLOG.map(() => 'cancelled'));
  expect(BACKLOG.filter((id) => count(h, id, 'deactivate') === 0).length).toBeGreaterThan(0);
}, 150_000);
