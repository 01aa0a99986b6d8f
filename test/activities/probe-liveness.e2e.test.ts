/**
 * Liveness of the probe loops (issue 10, item 6): a tenant host slower than the loops' heartbeat timeout on every
 * request must not keep them from their deadlines. Real dev server, the product's workers, the simulator over HTTP
 * with a `slow` fault on the probe route. As in production (20 s requests, 10 s heartbeat timeout), one probe may
 * take longer than the heartbeat timeout: here 10 s requests against the 2 s heartbeat timeout that a 100 ms initial
 * probe interval gives.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createQlikClient, type QlikHttpClient } from '../../src/qlik';
import { createReportActivities } from '../../src/reports';
import type { FaultRule } from '../../src/simulator';
import { workflowIdFor, type OffboardingInput, type OffboardingStatus } from '../../src/shared/contract';
import { createWorkers, runWorkers } from '../../src/worker/create-workers';
import { statusQuery } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { hostnameOf, tenant } from '../../harness/simulator';
import { workflowBundle } from '../../harness/temporal';
import { type Harness, startLocalHarness } from '../../harness/workers';

const VERIFY_TIMEOUT_MS = 4_000;
const OVERDUE_AFTER_MS = 4_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Longer than any request timeout: no probe ever gets an answer. */
const SLOW_MS = 30_000;
/** How far past a deadline a loop may end: a probe in flight at the deadline is cut short, not waited on. */
const DEADLINE_SLACK_MS = 3_000;
const DAY_MS = 300; // a 10-day grace period lasts 3 s

let env: TestWorkflowEnvironment;
let h: Harness;
let qlik: QlikHttpClient;
let workers: Worker[] = [];
let running: Promise<void> | undefined;

const slowProbes = (id: string): FaultRule => ({
  route: 'probe',
  hostname: hostnameOf(id),
  kind: 'slow',
  delayMs: SLOW_MS,
});

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({
    sim: { dayMs: DAY_MS },
    env: {
      OFFBOARD_VERIFY_TIMEOUT: `${VERIFY_TIMEOUT_MS}ms`,
      OFFBOARD_PURGE_OVERDUE_AFTER: `${OVERDUE_AFTER_MS}ms`,
      OFFBOARD_PROBE_INITIAL_INTERVAL: '100ms',
      OFFBOARD_PROBE_MAX_INTERVAL: '500ms',
    },
  }));
  qlik = createQlikClient({
    registerUrlTemplate: h.config.registerUrlTemplate,
    tenantUrlTemplate: h.config.tenantUrlTemplate,
    credentials: (region) => h.config.credentials[region],
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    config: h.config,
    qlik,
    reports: createReportActivities({ webhook: undefined }),
    workflows: { workflowBundle: await workflowBundle() },
    options: {
      maxHeartbeatThrottleInterval: '200ms',
      defaultHeartbeatThrottleInterval: '200ms',
      shutdownGraceTime: '1s',
    },
  });
  running = runWorkers(workers);
}, 120_000);

afterAll(async () => {
  for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
  await qlik?.close();
  await h?.close();
  await env?.teardown();
});

function start(id: string): Promise<WorkflowHandle<typeof offboardTenant>> {
  const input: OffboardingInput = { tenantId: id, hostname: hostnameOf(id), region: 'eu', purgeAfterDays: 10 };
  return h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor(id),
    args: [input],
  });
}

/** Polls the status until `done` holds; fails naming what the status was when `withinMs` ran out. */
async function untilStatus(
  handle: WorkflowHandle,
  done: (s: OffboardingStatus) => boolean,
  withinMs: number,
  what: string,
): Promise<OffboardingStatus> {
  const until = Date.now() + withinMs;
  let status = await handle.query(statusQuery);
  while (!done(status)) {
    if (Date.now() > until) {
      throw new Error(
        `${what}: not within ${withinMs} ms; phase ${status.phase}, lastError ${JSON.stringify(status.lastError)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await handle.query(statusQuery);
  }
  return status;
}

const afterMs = (from: string | undefined, to: string | undefined): number => Date.parse(to!) - Date.parse(from!);

/** The run ends purge-overdue, the overdue bound after the purge date (not before it, nor long after). */
async function expectPurgeOverdueInTime(handle: WorkflowHandle): Promise<void> {
  const result = await untilStatus(
    handle,
    (s) => s.phase === 'completed' || s.phase === 'failed',
    DAY_MS * 10 + OVERDUE_AFTER_MS + 15_000,
    'the end of the run',
  );
  expect(result.outcome).toBe('purge-overdue');
  const overdueTook = afterMs(result.estimatedPurgeDate, result.phaseSince);
  expect(overdueTook).toBeGreaterThanOrEqual(OVERDUE_AFTER_MS - 500);
  expect(overdueTook).toBeLessThanOrEqual(OVERDUE_AFTER_MS + DEADLINE_SLACK_MS);
}

describe('probe loops against a tenant host slower than their heartbeat timeout', () => {
  it('records DeactivationNotObserved after the verify timeout, then ends purge-overdue after the overdue bound', async () => {
    h.sim.addTenant(tenant('SlowAll'));
    h.sim.setFaults([slowProbes('SlowAll')]);
    const handle = await start('SlowAll');

    const warned = await untilStatus(
      handle,
      (s) => s.lastError?.type === 'DeactivationNotObserved',
      VERIFY_TIMEOUT_MS + 15_000,
      'DeactivationNotObserved in lastError',
    );
    const verifyTook = afterMs(warned.deactivatedAt, warned.lastError!.at);
    expect(verifyTook).toBeGreaterThanOrEqual(VERIFY_TIMEOUT_MS - 500);
    expect(verifyTook).toBeLessThanOrEqual(VERIFY_TIMEOUT_MS + DEADLINE_SLACK_MS);

    await expectPurgeOverdueInTime(handle);
    // Every probe was slowed and none was answered in time: the outcome came from the deadlines, not from an answer.
    const probes = h.sim.requests().filter((r) => r.route === 'probe' && r.hostname === hostnameOf('SlowAll'));
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((r) => r.fault === 'slow')).toBe(true);
  }, 55_000);

  it('ends purge-overdue after the overdue bound when the host turns slow during the grace period', async () => {
    h.sim.addTenant(tenant('SlowLater'));
    const handle = await start('SlowLater');
    const grace = await untilStatus(handle, (s) => s.phase === 'grace-period', 15_000, 'the grace period');
    expect(grace.deactivationConfirmedAt).toBeDefined();
    h.sim.setFaults([slowProbes('SlowAll'), slowProbes('SlowLater')]);

    await expectPurgeOverdueInTime(handle);
  }, 55_000);
});
