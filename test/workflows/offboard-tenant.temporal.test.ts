/**
 * The workflow on Temporal's time-skipping server, with scripted activities: 90-day grace periods in seconds,
 * every row of the contract's message table that signals and cancellation requests can reach, and the failures.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  workflowIdFor,
  type MessageArgs,
  type OffboardingInput,
  type OffboardingStatus,
} from '../../src/shared/contract';
import { cancelSignal, reactivateSignal, statusQuery } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { createTimeSkippingEnv, workflowBundle } from '../../harness/temporal';
import {
  nonRetryable,
  qlikAnswer,
  serverNow,
  stubActivities,
  stubSettings,
  untilCancelled,
  type Calls,
  type StubScript,
} from '../support/stub-activities';

const DAY_MS = 86_400_000;
let env: TestWorkflowEnvironment;
let queueCounter = 0;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  await workflowBundle();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

function input(overrides: Partial<OffboardingInput> = {}): OffboardingInput {
  return { tenantId: `t${++queueCounter}`, hostname: 'acme.eu.qlikcloud.com', region: 'eu', ...overrides };
}

/** Runs `body` with a worker (main and register queues) serving the scripted activities. */
async function withWorker<T>(
  script: Omit<StubScript, 'settings'> & { timings?: Parameters<typeof stubSettings>[1] },
  body: (ctx: { taskQueue: string; calls: Calls }) => Promise<T>,
): Promise<T> {
  const taskQueue = `ts-${queueCounter}-${Date.now()}`;
  const { activities, calls } = stubActivities({ settings: stubSettings(taskQueue, script.timings), ...script });
  const bundle = await workflowBundle();
  const workers = await Promise.all(
    [taskQueue, `${taskQueue}-register-eu`].map((queue) =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue: queue,
        activities,
        workflowBundle: bundle,
        // Cancellation reaches an activity with its next heartbeat: send them often.
        maxHeartbeatThrottleInterval: '200ms',
        defaultHeartbeatThrottleInterval: '200ms',
      }),
    ),
  );
  const [main, register] = workers;
  return main!.runUntil(register!.runUntil(body({ taskQueue, calls })));
}

function start(taskQueue: string, offboarding: OffboardingInput, signal?: 'cancel' | 'reactivate') {
  const options = {
    taskQueue,
    workflowId: workflowIdFor(offboarding.tenantId, offboarding.dryRun === true),
    args: [offboarding] as [OffboardingInput],
  };
  if (signal) {
    return env.client.workflow.signalWithStart<typeof offboardTenant, [MessageArgs?]>('offboardTenant', {
      ...options,
      signal: signal === 'cancel' ? cancelSignal : reactivateSignal,
      signalArgs: [{ reason: 'signal-with-start', requestedBy: 'test' }],
    });
  }
  return env.client.workflow.start<typeof offboardTenant>('offboardTenant', options);
}

async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** The activities that reach Qlik or the tenant (reading the worker's settings does not). */
function tenantCalls(calls: Calls): Calls {
  const { readWorkerSettings: _settings, ...rest } = calls;
  return rest;
}

/** Skips time until the workflow reaches `phase` (bounded). */
async function untilPhase(handle: WorkflowHandle, phase: OffboardingStatus['phase']): Promise<OffboardingStatus> {
  for (let i = 0; i < 100; i++) {
    const status = await handle.query(statusQuery);
    if (status.phase === phase) return status;
    await env.sleep('1s');
  }
  throw new Error(`never reached ${phase}: ${JSON.stringify(await handle.query(statusQuery))}`);
}

describe('offboardTenant on the time-skipping server', () => {
  it('deactivates, sleeps the full 90-day grace period and confirms the purge', async () => {
    await withWorker({ deactivate: async () => qlikAnswer(90) }, async ({ taskQueue, calls }) => {
      const startedAt = await env.currentTimeMs();
      const handle = await start(taskQueue, input({ purgeAfterDays: 90, requestedBy: 'crm', reason: 'churn' }));
      const result = await handle.result();
      expect(result.outcome).toBe('purged');
      expect(result.phase).toBe('completed');
      expect(result.purgeDateSource).toBe('qlik');
      const purgeDate = Date.parse(result.estimatedPurgeDate!);
      expect(purgeDate - startedAt).toBeGreaterThanOrEqual(90 * DAY_MS - 60_000);
      expect(Date.parse(result.purgeConfirmedAt!)).toBeGreaterThanOrEqual(purgeDate);
      expect(result.deactivationConfirmedAt).toBeDefined();
      expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(purgeDate);
      expect(calls).toMatchObject({ deactivateTenant: 1, awaitDeactivated: 1, confirmPurge: 1 });
      expect(calls.reactivateTenant).toBeUndefined();
      // The query still answers once the run has closed.
      expect((await handle.query(statusQuery)).outcome).toBe('purged');
    });
  });

  it.each(['cancel', 'reactivate'] as const)(
    'makes no call at all when %s comes with signal-with-start',
    async (message) => {
      await withWorker({}, async ({ taskQueue, calls }) => {
        const handle = await start(taskQueue, input(), message);
        const result = await handle.result();
        expect(result.outcome).toBe('cancelled');
        expect(result.decidedBy).toMatchObject({ message, reason: 'signal-with-start', requestedBy: 'test' });
        expect(tenantCalls(calls)).toEqual({});
      });
    },
  );

  it('reactivates the tenant when reactivate arrives during the grace period', async () => {
    await withWorker({}, async ({ taskQueue, calls }) => {
      const handle = await start(taskQueue, input());
      await untilPhase(handle, 'grace-period');
      await env.sleep('5 days');
      await handle.signal(reactivateSignal, { reason: 'customer came back', requestedBy: 'ops' });
      const result = await handle.result();
      expect(result.outcome).toBe('reactivated');
      expect(result.reactivatedAt).toBeDefined();
      expect(result.decidedBy).toMatchObject({ message: 'reactivate', requestedBy: 'ops' });
      expect(calls.reactivateTenant).toBe(1);
      expect(calls.confirmPurge).toBeUndefined();
    });
  });

  it('reactivates once however many decisions arrive, and records the rest as ignored', async () => {
    await withWorker({}, async ({ taskQueue, calls }) => {
      const handle = await start(taskQueue, input());
      await untilPhase(handle, 'grace-period');
      await handle.signal(cancelSignal, { reason: 'first' });
      await handle.signal(reactivateSignal, { reason: 'second' });
      await handle.signal(cancelSignal, { reason: 'third' });
      const result = await handle.result();
      expect(result.outcome).toBe('cancelled');
      expect(result.decidedBy).toMatchObject({ message: 'cancel', reason: 'first' });
      expect(calls.reactivateTenant).toBe(1);
      expect(result.ignoredSignals.map((s) => s.reason)).toEqual(['second', 'third']);
      expect(result.ignoredSignals[0]!.why).toMatch(/decision was already made/);
    });
  });

  it('cancels during verifying: stops probing and reactivates', async () => {
    await withWorker({ awaitDeactivated: untilCancelled }, async ({ taskQueue, calls }) => {
      const handle = await start(taskQueue, input());
      await untilPhase(handle, 'verifying');
      await handle.signal(cancelSignal, { reason: 'wrong tenant' });
      const result = await handle.result();
      expect(result.outcome).toBe('cancelled');
      expect(calls).toMatchObject({ deactivateTenant: 1, reactivateTenant: 1 });
    });
  });

  it('lets an in-flight deactivate finish, then reactivates (reactivate → outcome reactivated)', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await withWorker(
      {
        deactivate: async () => {
          await released;
          return qlikAnswer(30);
        },
      },
      async ({ taskQueue, calls }) => {
        const handle = await start(taskQueue, input());
        await untilPhase(handle, 'deactivating');
        await handle.signal(reactivateSignal, { reason: 'changed my mind' });
        release();
        const result = await handle.result();
        expect(result.outcome).toBe('reactivated');
        expect(result.deactivatedAt).toBeDefined();
        expect(calls).toMatchObject({ deactivateTenant: 1, reactivateTenant: 1 });
        expect(calls.awaitDeactivated).toBeUndefined();
      },
    );
  });

  it('handles a cancellation request in the grace period: reactivates, then the run ends Canceled', async () => {
    await withWorker({}, async ({ taskQueue, calls }) => {
      const handle = await start(taskQueue, input());
      await untilPhase(handle, 'grace-period');
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      const error = await handle.result().catch((e: WorkflowFailedError) => e);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      const status = await handle.query(statusQuery);
      expect(status.decidedBy?.message).toBe('cancellation');
      expect(status.outcome).toBe('cancelled');
      expect(calls.reactivateTenant).toBe(1);
    });
  });

  it('ignores decisions after the purge date and confirms the purge', async () => {
    let confirmStarted!: () => void;
    const started = new Promise<void>((resolve) => (confirmStarted = resolve));
    let finishConfirm!: () => void;
    const finished = new Promise<void>((resolve) => (finishConfirm = resolve));
    await withWorker(
      {
        confirmPurge: async (purgeDateMs) => {
          confirmStarted();
          await finished;
          return {
            outcome: 'purged',
            at: new Date(Math.max(serverNow(), purgeDateMs)).toISOString(),
            last: { state: 'purged', httpStatus: 404 },
          };
        },
      },
      async ({ taskQueue, calls }) => {
        const handle = await start(taskQueue, input({ purgeAfterDays: 10 }));
        // Time skips only while a result is awaited.
        const resultPromise = handle.result();
        await started;
        await handle.signal(reactivateSignal, { reason: 'too late' });
        await handle.signal(cancelSignal, { reason: 'also too late' });
        finishConfirm();
        const result = await resultPromise;
        expect(result.outcome).toBe('purged');
        expect(result.decidedBy).toBeUndefined();
        expect(result.ignoredSignals).toHaveLength(2);
        expect(result.ignoredSignals[0]!.why).toMatch(/purge date has passed/);
        expect(calls.reactivateTenant).toBeUndefined();
      },
    );
  });

  it('waits until notBefore before deactivating, and a cancel meanwhile makes no call', async () => {
    const deactivatedAt: number[] = [];
    await withWorker(
      {
        deactivate: async () => {
          deactivatedAt.push(serverNow());
          return qlikAnswer(10);
        },
      },
      async ({ taskQueue, calls }) => {
        const now = await env.currentTimeMs();
        const notBefore = new Date(now + 5 * DAY_MS).toISOString();
        const first = await start(taskQueue, input({ notBefore }));
        expect((await untilPhase(first, 'scheduled')).notBefore).toBe(notBefore);
        expect(calls.deactivateTenant).toBeUndefined();
        const result = await first.result();
        expect(result.outcome).toBe('purged');
        expect(deactivatedAt[0]).toBeGreaterThanOrEqual(Date.parse(notBefore));

        const later = new Date((await env.currentTimeMs()) + 5 * DAY_MS).toISOString();
        const second = await start(taskQueue, input({ notBefore: later }));
        await untilPhase(second, 'scheduled');
        await second.signal(cancelSignal, { reason: 'not needed' });
        expect((await second.result()).outcome).toBe('cancelled');
        expect(calls.deactivateTenant).toBe(1);
      },
    );
  });

  it.each([
    ['reactivated-externally', 'active'],
    ['purge-overdue', 'overdue'],
  ] as const)('reports %s when confirming the purge finds the tenant %s', async (outcome, found) => {
    await withWorker(
      {
        confirmPurge: async () => ({
          outcome: found,
          at: new Date(serverNow()).toISOString(),
          last: { state: found === 'active' ? 'active' : 'deactivated' },
        }),
      },
      async ({ taskQueue }) => {
        const result = await (await start(taskQueue, input())).result();
        expect(result.outcome).toBe(outcome);
      },
    );
  });

  it('refuses bad input and a wrong workflow ID with InvalidInput, before any activity', async () => {
    await withWorker({}, async ({ taskQueue, calls }) => {
      const bad = await env.client.workflow.start('offboardTenant', {
        taskQueue,
        workflowId: workflowIdFor('bad-input'),
        args: [{ tenantId: 'bad-input', hostname: 'https://acme.eu.qlikcloud.com', region: 'EU', purgeAfterDays: 9 }],
      });
      const failure = await failureOf(bad);
      expect(failure.type).toBe('InvalidInput');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/hostname: must be a DNS name/);
      expect(failure.message).toMatch(/region: must be a Qlik region code/);
      expect(failure.message).toMatch(/purgeAfterDays: must be a whole number from 10 to 90/);
      expect((failure.details?.[0] as OffboardingStatus).phase).toBe('failed');

      const wrongId = await env.client.workflow.start('offboardTenant', {
        taskQueue,
        workflowId: 'some-other-id',
        args: [input()],
      });
      expect((await failureOf(wrongId)).message).toMatch(/workflow ID: must be offboard-tenant-/);
      expect(tenantCalls(calls)).toEqual({});
    });
  });

  it.each([
    ['ProtectedTenant', { tenantId: 'keep-me' }],
    ['RegionNotConfigured', { region: 'jp' }],
    ['InvalidInput', { hostname: 'acme.example.com' }],
  ] as const)('refuses %s from the worker policy without calling Qlik', async (type, overrides) => {
    await withWorker({}, async ({ taskQueue, calls }) => {
      const failure = await failureOf(await start(taskQueue, input(overrides)));
      expect(failure.type).toBe(type);
      expect(calls.deactivateTenant).toBeUndefined();
      expect(calls.ensureToken).toBeUndefined();
    });
  });

  it('fails fast with HostnameMismatch on a 412, the final status in details[0]', async () => {
    await withWorker(
      { deactivate: async () => Promise.reject(nonRetryable('HostnameMismatch')) },
      async ({ taskQueue }) => {
        const failure = await failureOf(await start(taskQueue, input()));
        expect(failure.type).toBe('HostnameMismatch');
        const status = failure.details?.[0] as OffboardingStatus;
        expect(status).toMatchObject({ phase: 'failed', lastError: { type: 'HostnameMismatch' } });
      },
    );
  });

  it('continues with a computed purge date when a refusal follows a lost answer and the tenant is deactivated', async () => {
    await withWorker(
      { deactivate: async () => Promise.reject(nonRetryable('RequestRejected', 2)) },
      async ({ taskQueue, calls }) => {
        const result = await (await start(taskQueue, input({ purgeAfterDays: 20 }))).result();
        expect(result.outcome).toBe('purged');
        expect(result.purgeDateSource).toBe('computed');
        expect(Date.parse(result.estimatedPurgeDate!) - Date.parse(result.deactivatedAt!)).toBe(20 * DAY_MS);
        // The tenant host is asked (a probe loop) before the refusal is taken as the answer.
        expect(calls.awaitDeactivated).toBe(2);
      },
    );
  });

  it('fails with ReactivationFailed when the purge date passes before reactivation succeeds', async () => {
    await withWorker(
      {
        reactivate: async () => Promise.reject(nonRetryable('Forbidden')),
        timings: { probeMaxIntervalMs: DAY_MS },
      },
      async ({ taskQueue, calls }) => {
        const handle = await start(taskQueue, input({ purgeAfterDays: 10 }));
        await untilPhase(handle, 'grace-period');
        await handle.signal(reactivateSignal, {});
        const failure = await failureOf(handle);
        expect(failure.type).toBe('ReactivationFailed');
        expect((failure.details?.[0] as OffboardingStatus).lastError?.type).toBe('ReactivationFailed');
        expect(calls.reactivateTenant).toBeGreaterThan(1);
      },
    );
  });

  it('keeps a 90-day run refused with 403 on every reactivate far from the history limits, then fails ReactivationFailed', async () => {
    await withWorker(
      {
        deactivate: async () => qlikAnswer(90),
        reactivate: async () => Promise.reject(nonRetryable('Forbidden')),
        // The shortest intervals the worker configuration allows with real days.
        timings: { probeInitialIntervalMs: 1_000, probeMaxIntervalMs: 300_000 },
      },
      async ({ taskQueue, calls }) => {
        const handle = await start(taskQueue, input({ purgeAfterDays: 90 }));
        await untilPhase(handle, 'grace-period');
        await handle.signal(reactivateSignal, { requestedBy: 'ops' });
        const failure = await failureOf(handle);
        expect(failure.type).toBe('ReactivationFailed');
        expect(calls.reactivateTenant).toBeGreaterThan(90);
        const history = await handle.fetchHistory();
        const bytes = Buffer.byteLength(JSON.stringify(history));
        // Measured: about 650 events (rounds of one activity, a minute growing to a day) for ~3,400 attempts.
        expect(history.events?.length).toBeLessThan(1_000);
        expect(bytes).toBeLessThan(10 * 1024 * 1024);
      },
    );
  }, 300_000);

  it('finishes a dry run with dry-run-ok and no state-changing call', async () => {
    await withWorker(
      { probe: () => ({ state: 'active', httpStatus: 401, code: 'OAUTH-1' }) },
      async ({ taskQueue, calls }) => {
        const result = await (await start(taskQueue, input({ dryRun: true }))).result();
        expect(result.outcome).toBe('dry-run-ok');
        expect(result.dryRun).toBe(true);
        expect(calls.deactivateTenant).toBeUndefined();
        expect(calls).toMatchObject({ ensureToken: 1, probeTenant: 1 });
      },
    );
  });
});
