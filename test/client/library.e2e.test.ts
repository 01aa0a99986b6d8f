/**
 * The client library against a real dev server, the product's workers and the simulator: the contract's start
 * semantics (join, conflict, restart, race-safety), the Updates with their rejections, status and result.
 * Assertions are on what Temporal reports, the workflow's status and result, and the simulator's request log.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  AlreadyCompletedError,
  cancelOffboarding,
  ConflictingOffboardingError,
  getOffboardingResult,
  getOffboardingStatus,
  InvalidInputError,
  NoOffboardingError,
  OffboardingEndedError,
  reactivateTenant,
  RequestRejectedError,
  startOffboarding,
  startWithSignal,
  webUiLink,
} from '../../src/client';
import { workflowIdFor } from '../../src/shared/contract';
import { searchAttributes } from '../../src/workflows/definitions';
import { hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { inputFor } from '../support/cli';

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  ({ env, h } = await startLocalHarness());
  await h.startWorkers();
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

function requestsFor(id: string) {
  return h.sim.requests().filter((r) => r.tenantId === id || r.hostname === hostnameOf(id));
}

async function untilPhase(id: string, phase: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await getOffboardingStatus(h.client, id)).phase === phase) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${id} never reached ${phase}`);
}

describe('startOffboarding', () => {
  it('joins the open run when the same input is started again (started: false, same run)', async () => {
    h.sim.addTenant(tenant('Join1'));
    const input = inputFor('Join1', { purgeAfterDays: 90, requestedBy: 'crm', reason: 'churned' });
    const first = await startOffboarding(h.client, input, { taskQueue: h.taskQueue });
    // Upper-case hostname: the same input once normalised.
    const second = await startOffboarding(
      h.client,
      { ...input, hostname: input.hostname.toUpperCase() },
      { taskQueue: h.taskQueue },
    );
    expect(first).toEqual({ workflowId: workflowIdFor('Join1'), runId: expect.any(String), started: true });
    expect(second).toEqual({ ...first, started: false });
    await cancelOffboarding(h.client, 'Join1');
  });

  it('refuses a different input for an open run as ConflictingOffboarding, naming the differing fields', async () => {
    h.sim.addTenant(tenant('Conflict1'));
    const input = inputFor('Conflict1', { purgeAfterDays: 90, reason: 'churned' });
    const first = await startOffboarding(h.client, input, { taskQueue: h.taskQueue });
    const error = await startOffboarding(
      h.client,
      { ...input, purgeAfterDays: 30, reason: 'other' },
      { taskQueue: h.taskQueue },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictingOffboardingError);
    expect(error).toMatchObject({ code: 'ConflictingOffboarding', fields: ['purgeAfterDays', 'reason'] });
    expect((error as Error).message).toMatch(/qlik-offboard status Conflict1/);
    // Still exactly the first run.
    expect((await h.client.workflow.getHandle(first.workflowId).describe()).runId).toBe(first.runId);
    await cancelOffboarding(h.client, 'Conflict1');
  });

  it('yields exactly one workflow when 10 clients start the same tenant at once', async () => {
    h.sim.addTenant(tenant('Race1'));
    const input = inputFor('Race1', { purgeAfterDays: 10 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => startOffboarding(h.client, input, { taskQueue: h.taskQueue })),
    );
    expect(answers.filter((a) => a.started)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.runId)).size).toBe(1);
    const result = await getOffboardingResult(h.client, 'Race1');
    expect(result.outcome).toBe('purged');
    expect(requestsFor('Race1').filter((r) => r.route === 'deactivate')).toHaveLength(1);
  });

  it('refuses to start after a Completed run unless restart is set; restart starts a new run', async () => {
    h.sim.addTenant(tenant('Again1'));
    const input = inputFor('Again1', { dryRun: true });
    const first = await startOffboarding(h.client, input, { taskQueue: h.taskQueue });
    expect((await getOffboardingResult(h.client, 'Again1', { dryRun: true })).outcome).toBe('dry-run-ok');

    const refused = await startOffboarding(h.client, input, { taskQueue: h.taskQueue }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AlreadyCompletedError);
    expect((refused as Error).message).toMatch(/--restart/);

    const again = await startOffboarding(h.client, input, { taskQueue: h.taskQueue, restart: true });
    expect(again).toMatchObject({ workflowId: workflowIdFor('Again1', true), started: true });
    expect(again.runId).not.toBe(first.runId);
    expect((await getOffboardingResult(h.client, 'Again1', { dryRun: true })).outcome).toBe('dry-run-ok');
    // A dry run changes nothing at Qlik.
    expect(requestsFor('Again1').filter((r) => r.route === 'deactivate')).toHaveLength(0);
  });

  it('starts again without restart after a Failed run', async () => {
    h.sim.addTenant(tenant('Retry1'));
    const input = inputFor('Retry1', { hostname: 'not-retry1.eu.qlikcloud.com' });
    const first = await startOffboarding(h.client, input, { taskQueue: h.taskQueue });
    const failed = await getOffboardingResult(h.client, 'Retry1').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OffboardingEndedError);
    expect(failed).toMatchObject({ runStatus: 'Failed', failureType: 'HostnameMismatch' });
    expect((failed as OffboardingEndedError).status).toMatchObject({ phase: 'failed', tenantId: 'Retry1' });

    const again = await startOffboarding(h.client, input, { taskQueue: h.taskQueue });
    expect(again.started).toBe(true);
    expect(again.runId).not.toBe(first.runId);
    await getOffboardingResult(h.client, 'Retry1').catch(() => undefined);
  });

  it('sets the summary, the details and the initial search attributes at start', async () => {
    h.sim.addTenant(tenant('Meta1'));
    const notBefore = new Date(Date.now() + 3_600_000).toISOString();
    const input = inputFor('Meta1', { notBefore, requestedBy: 'crm-42', reason: 'contract ended' });
    const started = await startOffboarding(h.client, input, { taskQueue: h.taskQueue });
    const described = await h.client.workflow.getHandle(started.workflowId).describe();
    expect(await described.staticSummary()).toBe(
      'Offboard tenant Meta1 (meta1.eu.qlikcloud.com, region eu), requested by crm-42',
    );
    const details = await described.staticDetails();
    expect(details).toContain('contract ended');
    expect(details).toContain('"tenantId": "Meta1"');
    const sa = described.typedSearchAttributes;
    expect(sa.get(searchAttributes.tenantId)).toBe('Meta1');
    expect(sa.get(searchAttributes.hostname)).toBe('meta1.eu.qlikcloud.com');
    expect(sa.get(searchAttributes.region)).toBe('eu');
    expect(sa.get(searchAttributes.requestedBy)).toBe('crm-42');
    expect(sa.get(searchAttributes.phase)).toBe('scheduled');
    expect(webUiLink(started.workflowId, { namespace: 'default', env: {} })).toBe(
      'http://localhost:8233/namespaces/default/workflows/offboard-tenant-Meta1',
    );

    // Cancelled while scheduled: no call at all.
    const status = await cancelOffboarding(h.client, 'Meta1', { reason: 'kept', requestedBy: 'crm-42' });
    expect(status.decidedBy).toMatchObject({ message: 'cancel', reason: 'kept', requestedBy: 'crm-42' });
    expect((await getOffboardingResult(h.client, 'Meta1')).outcome).toBe('cancelled');
    expect(requestsFor('Meta1')).toEqual([]);
  });

  it('refuses bad input before anything starts', async () => {
    const error = await startOffboarding(h.client, inputFor('Bad1', { purgeAfterDays: 9 }), {
      taskQueue: h.taskQueue,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems).toEqual([
      { field: 'purgeAfterDays', rule: 'must be a whole number from 10 to 90 (got 9)' },
    ]);
    await expect(getOffboardingStatus(h.client, 'Bad1')).rejects.toBeInstanceOf(NoOffboardingError);
  });
});

describe('cancelOffboarding and reactivateTenant', () => {
  it('reactivates during the grace period, then rejects a second decision with the reason', async () => {
    h.sim.addTenant(tenant('React1'));
    await startOffboarding(h.client, inputFor('React1', { purgeAfterDays: 90 }), { taskQueue: h.taskQueue });
    await untilPhase('React1', 'grace-period');
    const status = await reactivateTenant(h.client, 'React1', { reason: 'renewed', requestedBy: 'crm' });
    expect(status.decidedBy).toMatchObject({ message: 'reactivate', reason: 'renewed', requestedBy: 'crm' });

    const second = await cancelOffboarding(h.client, 'React1').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RequestRejectedError);
    expect((second as RequestRejectedError).reason).toMatch(/decision was already made|has finished/);

    const result = await getOffboardingResult(h.client, 'React1');
    expect(result.outcome).toBe('reactivated');
    expect(h.sim.tenant('React1')!.status).toBe('active');
    expect(requestsFor('React1').filter((r) => r.route === 'reactivate')).toHaveLength(1);

    const late = await reactivateTenant(h.client, 'React1').catch((e: unknown) => e);
    expect(late).toBeInstanceOf(RequestRejectedError);
    expect((late as RequestRejectedError).reason).toMatch(/finished/);
  });

  it('reports NoOffboarding for a tenant without one, and InvalidInput for bad arguments', async () => {
    await expect(cancelOffboarding(h.client, 'Nobody1')).rejects.toBeInstanceOf(NoOffboardingError);
    await expect(getOffboardingResult(h.client, 'Nobody1')).rejects.toMatchObject({ code: 'NoOffboarding' });
    await expect(cancelOffboarding(h.client, 'Nobody1', { reason: 'x'.repeat(1001) })).rejects.toMatchObject({
      code: 'InvalidInput',
      problems: [{ field: 'reason', rule: 'must be at most 1000 characters (got 1001)' }],
    });
    await expect(getOffboardingStatus(h.client, 'bad id!')).rejects.toMatchObject({
      code: 'InvalidInput',
      problems: [{ field: 'tenantId', rule: expect.stringMatching(/1-64 characters/) }],
    });
  });
});

describe('startWithSignal and ended runs', () => {
  it('makes no call at all for a cancel sent with the start', async () => {
    h.sim.addTenant(tenant('Early1'));
    const started = await startWithSignal(
      h.client,
      inputFor('Early1'),
      'cancel',
      { reason: 'stayed' },
      {
        taskQueue: h.taskQueue,
      },
    );
    expect(started.workflowId).toBe(workflowIdFor('Early1'));
    const result = await getOffboardingResult(h.client, 'Early1');
    expect(result).toMatchObject({ outcome: 'cancelled', decidedBy: { message: 'cancel', reason: 'stayed' } });
    expect(requestsFor('Early1')).toEqual([]);
  });

  it('reports a Canceled run as OffboardingEnded with the last status', async () => {
    h.sim.addTenant(tenant('Cxl1'));
    const started = await startOffboarding(
      h.client,
      inputFor('Cxl1', { notBefore: new Date(Date.now() + 3_600_000).toISOString() }),
      { taskQueue: h.taskQueue },
    );
    await untilPhase('Cxl1', 'scheduled');
    await h.client.workflow.getHandle(started.workflowId).cancel();
    const ended = await getOffboardingResult(h.client, 'Cxl1').catch((e: unknown) => e);
    expect(ended).toBeInstanceOf(OffboardingEndedError);
    expect(ended).toMatchObject({ runStatus: 'Canceled', status: { decidedBy: { message: 'cancellation' } } });
    expect(requestsFor('Cxl1')).toEqual([]);
    // Not a Completed run: a new start is allowed without restart.
    expect(
      (await startWithSignal(h.client, inputFor('Cxl1'), 'cancel', {}, { taskQueue: h.taskQueue })).runId,
    ).not.toBe(started.runId);
  });
});
