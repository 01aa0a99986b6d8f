/**
 * Every outcome end to end: the real dev server, the product's workers, the simulator over real HTTP. Assertions
 * are on the workflow result, the `status` query and the simulator's request log.
 */
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RequestLogEntry } from '../../src/simulator';
import {
  workflowIdFor,
  type MessageArgs,
  type OffboardingInput,
  type OffboardingStatus,
} from '../../src/shared/contract';
import { cancelSignal, cancelUpdate, reactivateUpdate, statusQuery } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  ({ env, h } = await startLocalHarness());
  await h.startWorkers();
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

function offboarding(id: string, overrides: Partial<OffboardingInput> = {}): OffboardingInput {
  return { tenantId: id, hostname: hostnameOf(id), region: 'eu', purgeAfterDays: 10, ...overrides };
}

function start(input: OffboardingInput): Promise<WorkflowHandle<typeof offboardTenant>> {
  return h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor(input.tenantId, input.dryRun === true),
    args: [input],
  });
}

function requestsFor(id: string): RequestLogEntry[] {
  return h.sim.requests().filter((r) => r.tenantId === id || r.hostname === hostnameOf(id));
}

function count(id: string, route: RequestLogEntry['route']): number {
  return requestsFor(id).filter((r) => r.route === route).length;
}

async function untilPhase(handle: WorkflowHandle, phase: OffboardingStatus['phase']): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await handle.query(statusQuery)).phase === phase) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never reached ${phase}`);
}

describe('offboardTenant end to end', () => {
  it('purges a tenant: one deactivate, probes until deactivated, sleeps, two "purged" answers', async () => {
    h.sim.addTenant(tenant('Purge1'));
    const handle = await start(offboarding('Purge1'));
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'purged', phase: 'completed', purgeDateSource: 'qlik' });
    expect(Date.parse(result.purgeConfirmedAt!)).toBeGreaterThanOrEqual(Date.parse(result.estimatedPurgeDate!));
    expect(h.sim.tenant('Purge1')!.status).toBe('deleted');
    expect(count('Purge1', 'deactivate')).toBe(1);
    expect(count('Purge1', 'reactivate')).toBe(0);
    const probes = requestsFor('Purge1').filter((r) => r.route === 'probe');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    // The probe never carries the region client's credentials.
    expect(probes.every((r) => !r.body.includes('SECRET') && r.headers.authorization === undefined)).toBe(true);
    expect(await handle.query(statusQuery)).toEqual(result);
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    // Small history: probe loops run inside one activity each, the token step is a local activity.
    expect(events.length).toBeLessThanOrEqual(40);
  });

  it('reactivates through the reactivateTenant Update during the grace period', async () => {
    h.sim.addTenant(tenant('React1'));
    const handle = await start(offboarding('React1', { purgeAfterDays: 90 }));
    await untilPhase(handle, 'grace-period');
    const answer = await handle.executeUpdate(reactivateUpdate, { args: [{ reason: 'renewed', requestedBy: 'crm' }] });
    expect(answer.decidedBy).toMatchObject({ message: 'reactivate', reason: 'renewed', requestedBy: 'crm' });
    // A second decision is rejected by the validator, with the reason (unless the run has already ended).
    const second = await handle.executeUpdate(cancelUpdate, { args: [{}] }).catch((e: unknown) => e);
    if (second instanceof WorkflowUpdateFailedError) expect(second.cause?.message).toMatch(/decision was already made/);
    else expect(second).toBeInstanceOf(WorkflowNotFoundError);
    const result = await handle.result();
    expect(result.outcome).toBe('reactivated');
    expect(h.sim.tenant('React1')!.status).toBe('active');
    expect(count('React1', 'deactivate')).toBe(1);
    expect(count('React1', 'reactivate')).toBe(1);
  });

  it('makes no call at all for a cancel sent with signal-with-start', async () => {
    h.sim.addTenant(tenant('Early1'));
    const input = offboarding('Early1');
    const handle = await h.client.workflow.signalWithStart<typeof offboardTenant, [MessageArgs?]>('offboardTenant', {
      taskQueue: h.taskQueue,
      workflowId: workflowIdFor('Early1'),
      args: [input],
      signal: cancelSignal,
      signalArgs: [{ reason: 'customer stayed' }],
    });
    const result = await handle.result();
    expect(result.outcome).toBe('cancelled');
    expect(requestsFor('Early1')).toEqual([]);
    expect(h.sim.tenant('Early1')!.status).toBe('active');
  });

  it('fails fast with HostnameMismatch on a wrong hostname, naming status, code and traceId', async () => {
    h.sim.addTenant(tenant('Wrong1'));
    const handle = await start(offboarding('Wrong1', { hostname: 'someone-else.eu.qlikcloud.com' }));
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('HostnameMismatch');
    expect(failure.message).toMatch(/412/);
    expect(failure.message).toMatch(/Wrong1/);
    const status = failure.details?.[0] as OffboardingStatus;
    expect(status.phase).toBe('failed');
    expect(status.lastError).toMatchObject({ type: 'HostnameMismatch', httpStatus: 412 });
    expect(status.lastError!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(count('Wrong1', 'deactivate')).toBe(1);
    expect(h.sim.tenant('Wrong1')!.status).toBe('active');
  });
});
