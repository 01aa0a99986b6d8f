/**
 * Stranded registration queues (issue 10, item 7): a region dropped from QLIK_REGIONS leaves the open runs of that
 * region with a registration queue that no worker polls, so a reactivation decided for them would never be sent.
 * The worker warns at start, one line per queue, naming the queue, the region and what to do. Real dev server.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type Worker } from '@temporalio/worker';
import type { WorkerConfig } from '../../src/config/worker-config';
import { createReportActivities } from '../../src/reports';
import { workflowIdFor, type OffboardingInput, type OffboardingStatus } from '../../src/shared/contract';
import { createWorkers, runWorkers } from '../../src/worker/create-workers';
import {
  findStrandedRegisterQueues,
  warnOfStrandedRegisterQueues,
  type StrandedQueueCheckOptions,
} from '../../src/worker/stranded-register-queues';
import { statusQuery } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { hostnameOf, tenant } from '../../harness/simulator';
import { workflowBundle } from '../../harness/temporal';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { captureWorkerLogs } from '../support/captured-logs';

const logs = captureWorkerLogs();

let env: TestWorkflowEnvironment;
let h: Harness;
/** The configuration after the deploy that dropped region `us`. */
let euOnly: WorkerConfig;

beforeAll(async () => {
  // 90 days of 1 s: the runs stay in their grace period for the whole file.
  ({ env, h } = await startLocalHarness({ sim: { dayMs: 1_000 } }));
  euOnly = { ...h.config, regions: ['eu'] };
  await h.startWorkers();
  await Promise.all([startInGracePeriod('StrandUs', 'us'), startInGracePeriod('StrandEu', 'eu')]);
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

async function startInGracePeriod(id: string, region: string): Promise<WorkflowHandle<typeof offboardTenant>> {
  h.sim.addTenant(tenant(id, region));
  const input: OffboardingInput = { tenantId: id, hostname: hostnameOf(id, region), region, purgeAfterDays: 90 };
  const handle = await h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor(id),
    args: [input],
  });
  let status: OffboardingStatus | undefined;
  for (let i = 0; i < 200 && status?.phase !== 'grace-period'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await handle.query(statusQuery);
  }
  expect(status?.phase).toBe('grace-period');
  return handle;
}

const check = (overrides: Partial<StrandedQueueCheckOptions> = {}): StrandedQueueCheckOptions => ({
  connection: env.nativeConnection,
  namespace: env.namespace ?? 'default',
  config: euOnly,
  ...overrides,
});

const warnings = (): string[] =>
  logs
    .lines()
    .filter((line) => (JSON.parse(line) as { level: string }).level === 'WARN')
    .filter((line) => /stranded registration queue/i.test(line));

/** Starts the product's workers for `config` (the deploy that dropped `us`); returns a stop function. */
async function startWorkersFor(config: WorkerConfig): Promise<() => Promise<void>> {
  const workers: Worker[] = await createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    config,
    qlik: h.qlik,
    reports: createReportActivities({ webhook: undefined }),
    workflows: { workflowBundle: await workflowBundle() },
    options: { shutdownGraceTime: '1s' },
  });
  const running = runWorkers(workers);
  return async () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
}

describe('the worker warns at start about registration queues that open runs use and no worker polls', () => {
  const usQueue = () => `${h.taskQueue}-register-us`;

  it('finds nothing stranded while a worker still serves the region', async () => {
    const found = await findStrandedRegisterQueues(check());
    expect(found.stranded).toEqual([]);
    // Only the region this worker does not serve is looked at; its own queues are skipped.
    expect(found.polled).toEqual([{ registerTaskQueue: usQueue(), taskQueue: h.taskQueue, region: 'us', openRuns: 1 }]);
    expect(found.scannedRuns).toBeGreaterThanOrEqual(2);
    expect(found.complete).toBe(true);
  });

  it('warns, naming the queue, the region and what to do, once the last worker serving it is gone', async () => {
    await h.stopWorkers();
    const stop = await startWorkersFor(euOnly);
    try {
      const before = warnings().length;
      // A stopped worker stays in the poller list for minutes; here "recently" means the last second.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const watch = warnOfStrandedRegisterQueues({
        ...check(),
        logger: Runtime.instance().logger,
        livePollerWindowMs: 1_000,
        recheckAfterMs: 0,
      });
      await watch.checked;
      const lines = warnings().slice(before);
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(line).toMatchObject({ registerTaskQueue: usQueue(), taskQueue: h.taskQueue, region: 'us', openRuns: 1 });
      expect(line.message).toContain(usQueue());
      expect(line.message).toContain('region us');
      expect(line.message).toContain(`TEMPORAL_TASK_QUEUE=${h.taskQueue}`);
      expect(line.message).toMatch(/until those runs end/);
      // The region this worker serves is not reported.
      expect(lines.join('\n')).not.toContain(`${h.taskQueue}-register-eu`);
    } finally {
      await stop();
    }
  });

  it('checks again later a queue whose worker stopped just before this one started', async () => {
    await h.startWorkers();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await h.stopWorkers();
    const before = warnings().length;
    const watch = warnOfStrandedRegisterQueues({
      ...check(),
      logger: Runtime.instance().logger,
      livePollerWindowMs: 4_000,
      recheckAfterMs: 5_000,
    });
    await watch.checked;
    // At start the stopped worker still looks like a poller: no warning yet.
    expect(warnings().slice(before)).toEqual([]);
    const until = Date.now() + 15_000;
    while (warnings().length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    watch.stop();
    const lines = warnings().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(usQueue());
  });

  it('is a warning, not a reason not to start, when visibility cannot answer', async () => {
    const before = logs.lines().length;
    const watch = warnOfStrandedRegisterQueues({
      ...check({ namespace: 'no-such-namespace' }),
      logger: Runtime.instance().logger,
    });
    await expect(watch.checked).resolves.toBeUndefined();
    const line = logs
      .lines()
      .slice(before)
      .find((l) => /could not check for stranded registration queues/.test(l));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 'WARN' });
  });
});
