/**
 * Lifecycle reports end to end: the real dev server, the offboarding workflow, the simulator, and a receiver that
 * verifies every signature and answers the first delivery of every event with a 500. The receiving system still
 * acts on each event exactly once, and the final report of a failed run arrives before the run fails.
 */
import {
  WorkflowFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { createReportActivities, type ReportPayload } from '../../src/reports';
import { workflowIdFor, type OffboardingInput, type OffboardingStatus } from '../../src/shared/contract';
import { createWorkers, runWorkers } from '../../src/worker/create-workers';
import { reactivateUpdate, statusQuery } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { hostnameOf, tenant } from '../../harness/simulator';
import { createLocalEnv, workflowBundle } from '../../harness/temporal';
import { type Harness, startHarness } from '../../harness/workers';
import { startReceiver, type Receiver } from '../../harness/webhook-receiver';

const SECRET = 'whsec-E2E-do-not-leak-c4d2';
let env: TestWorkflowEnvironment;
let receiver: Receiver;
let h: Harness;
let workers: Worker[];
let running: Promise<void>;
/** Workflows whose every delivery the receiver answers 503, as long as they are listed. */
const webhookDownFor = new Set<string>();

beforeAll(async () => {
  // Once per file, before anything uses the runtime: every injected 500 would otherwise log a warning.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  env = await createLocalEnv();
  receiver = await startReceiver(SECRET);
  // The first delivery of each event fails: only Temporal's retry gets it through.
  const failedOnce = new Set<string>();
  receiver.script((_n, delivery) => {
    const key = String(delivery.headers['idempotency-key']);
    if ([...webhookDownFor].some((id) => key.startsWith(`${id}/`))) return { status: 503 };
    if (failedOnce.has(key)) return { status: 200 };
    failedOnce.add(key);
    return { status: 500 };
  });
  h = await startHarness(env, { env: { REPORT_WEBHOOK_URL: receiver.url, REPORT_WEBHOOK_SECRET: SECRET } });
  // The workers as `npm run worker` builds them, with the report activities pointed at the receiver.
  workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    config: h.config,
    qlik: h.qlik,
    reports: createReportActivities({ webhook: h.config.webhook, requestTimeoutMs: 2_000 }),
    workflows: { workflowBundle: await workflowBundle() },
    options: { shutdownGraceTime: '2s' },
  });
  running = runWorkers(workers);
}, 120_000);

afterAll(async () => {
  for (const worker of workers ?? []) if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
  await h?.close();
  await receiver?.close();
  await env?.teardown();
});

function start(input: OffboardingInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof offboardTenant>> {
  return h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor(input.tenantId),
    args: [input],
  });
}

function reportsFor(workflowId: string): ReportPayload[] {
  return receiver.processed.filter((p) => p.workflowId === workflowId);
}

function deliveriesFor(workflowId: string) {
  return receiver.deliveries.filter((d) => String(d.headers['idempotency-key']).startsWith(`${workflowId}/`));
}

async function untilPhase(
  handle: WorkflowHandle,
  phase: OffboardingStatus['phase'],
  timeoutMs = 10_000,
): Promise<void> {
  for (let i = 0; i < timeoutMs / 50; i++) {
    if ((await handle.query(statusQuery)).phase === phase) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never reached ${phase}`);
}

describe('lifecycle reports over the real workflow', () => {
  it('reports deactivated and the final report of a purge once each, despite a 500 on each first delivery', async () => {
    h.sim.addTenant(tenant('Hook1'));
    const handle = await start({ tenantId: 'Hook1', hostname: hostnameOf('Hook1'), region: 'eu', purgeAfterDays: 10 });
    const result = await handle.result();
    expect(result.outcome).toBe('purged');

    const reports = reportsFor(handle.workflowId);
    expect(reports.map((r) => r.event)).toEqual(['deactivated', 'final-report']);
    expect(reports[0]).toMatchObject({
      idempotencyKey: `${handle.workflowId}/${handle.firstExecutionRunId}/deactivated`,
      tenant: { id: 'Hook1', hostname: hostnameOf('Hook1'), region: 'eu' },
      estimatedPurgeDate: result.estimatedPurgeDate,
      deactivatedAt: result.deactivatedAt,
    });
    expect(reports[1]).toMatchObject({
      runStatus: 'Completed',
      outcome: 'purged',
      purgeConfirmedAt: result.purgeConfirmedAt,
    });
    expect(reports[1].notes.map((n) => n.code)).toContain('LICENSES_NOT_RELEASED');
    // Two deliveries per event (500, then 200), every one signed correctly.
    const deliveries = deliveriesFor(handle.workflowId);
    expect(deliveries).toHaveLength(4);
    expect(deliveries.every((d) => d.verified)).toBe(true);
    // Reports are local activities: no activity task of their own, and the happy path stays within 40 events.
    const events = (await handle.fetchHistory()).events ?? [];
    const reportTasks = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendLifecycleEvent',
    );
    expect(reportTasks).toEqual([]);
    expect(events.length).toBeLessThanOrEqual(40);
  });

  it('reports the reactivation, and the final report with outcome reactivated', async () => {
    h.sim.addTenant(tenant('Hook2'));
    const handle = await start({ tenantId: 'Hook2', hostname: hostnameOf('Hook2'), region: 'eu', purgeAfterDays: 90 });
    await untilPhase(handle, 'grace-period');
    await handle.executeUpdate(reactivateUpdate, { args: [{ requestedBy: 'crm', reason: 'renewed' }] });
    expect((await handle.result()).outcome).toBe('reactivated');
    const reports = reportsFor(handle.workflowId);
    expect(reports.map((r) => r.event)).toEqual(['deactivated', 'reactivated', 'final-report']);
    expect(reports[1]).toMatchObject({ decidedBy: { message: 'reactivate', requestedBy: 'crm', reason: 'renewed' } });
    expect(reports[2]).toMatchObject({ runStatus: 'Completed', outcome: 'reactivated' });
  });

  it('sends the final report of a failed run before the run fails', async () => {
    h.sim.addTenant(tenant('Hook3'));
    const handle = await start({ tenantId: 'Hook3', hostname: 'someone-else.eu.qlikcloud.com', region: 'eu' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    // Already there when the run has failed.
    const reports = reportsFor(handle.workflowId);
    expect(reports.map((r) => r.event)).toEqual(['final-report']);
    expect(reports[0]).toMatchObject({
      runStatus: 'Failed',
      phase: 'failed',
      failure: { type: 'HostnameMismatch', message: expect.stringContaining('412') },
      lastError: { type: 'HostnameMismatch', httpStatus: 412 },
    });
    expect(JSON.stringify(receiver.deliveries.map((d) => d.body))).not.toMatch(/SECRET|do-not-leak/);
  });

  it('a webhook that is down delays no decision: the tenant is reactivated meanwhile, and the events arrive in order', async () => {
    // Days of 1 s: a grace period of 90 s, far longer than the few seconds a workflow task may wait on a local
    // activity being retried.
    const slow = await startHarness(env, {
      sim: { dayMs: 1_000 },
      env: { REPORT_WEBHOOK_URL: receiver.url, REPORT_WEBHOOK_SECRET: SECRET },
    });
    try {
      await slow.startWorkers({ shutdownGraceTime: '2s' });
      slow.sim.addTenant(tenant('Hook4'));
      const workflowId = workflowIdFor('Hook4');
      webhookDownFor.add(workflowId);
      const handle = await slow.client.workflow.start<typeof offboardTenant>('offboardTenant', {
        taskQueue: slow.taskQueue,
        workflowId,
        args: [{ tenantId: 'Hook4', hostname: hostnameOf('Hook4'), region: 'eu', purgeAfterDays: 90 }],
      });
      // The "deactivated" event keeps failing; the offboarding goes on regardless.
      await untilPhase(handle, 'grace-period', 60_000);
      await handle.executeUpdate(reactivateUpdate, { args: [{ requestedBy: 'crm', reason: 'renewed' }] });
      for (let i = 0; i < 1_200 && slow.sim.tenant('Hook4')!.status !== 'active'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(slow.sim.tenant('Hook4')!.status).toBe('active');
      expect(reportsFor(workflowId)).toEqual([]);
      expect(deliveriesFor(workflowId).length).toBeGreaterThan(0);
      // The receiver comes back: every event arrives, in order, and then the run ends.
      webhookDownFor.delete(workflowId);
      expect((await handle.result()).outcome).toBe('reactivated');
      const reports = reportsFor(workflowId);
      expect(reports.map((r) => r.event)).toEqual(['deactivated', 'reactivated', 'final-report']);
      // Each event carries the status of its moment, not of its delivery.
      expect(reports[0]).toMatchObject({ phase: 'deactivating' });
    } finally {
      await slow.close();
    }
  }, 240_000);
});
