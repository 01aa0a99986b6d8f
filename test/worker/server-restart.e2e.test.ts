/**
 * Stop and start the Temporal dev server (with its SQLite database: `temporal-dev.sh` on a private port, never the
 * default 7233 one) while runs sleep in their grace period and while deactivate calls are in flight, with the worker
 * process (`node dist/src/worker.js`) left running throughout. Proven: the worker survives the outage, the grace
 * timers still fire (each purge is confirmed after its purge date), every run ends with its expected outcome, and
 * no deactivate or reactivate is in effect twice beyond what the outage explains.
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Simulator } from '../../src/simulator';
import { workflowIdFor, type OffboardingInput } from '../../src/shared/contract';
import { reactivateSignal } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { devServer, type DevServer } from '../../harness/dev-server';
import { startWorkerProcess, type WorkerProcess } from '../../harness/processes';
import { ensureBuilt } from '../../harness/repo';
import {
  CLIENT_SECRETS,
  freshTaskQueue,
  hostnameOf,
  startProcessSimulator,
  tenant,
  workerEnv,
} from '../../harness/simulator';
import { awaitEnd, type RunEnd } from '../support/fleet';
import { requestsAbout, stateChangeViolations } from '../support/request-log';
import { sleep, waitFor, waitForPhase } from '../../harness/wait';
import { defineLeakScan } from '../support/secrets';

const SLEEPING = ['RESTART-sleep-0', 'RESTART-sleep-1', 'RESTART-sleep-2', 'RESTART-sleep-3'];
const IN_FLIGHT = ['RESTART-flight-0', 'RESTART-flight-1'];

let server: DevServer;
let sim: Simulator;
let connection: Connection | undefined;
let worker: WorkerProcess | undefined;
let ends: RunEnd[] = [];
let stoppedAt = 0;
let startedAgainAt = 0;
let workerAliveAfterRestart = false;

beforeAll(async () => {
  ensureBuilt();
  server = await devServer({ timeoutMs: 90_000 });
  await server.start();
  // One simulated day = 2 s. The runs whose calls are in flight during the outage get 90 days (180 s): a call whose
  // completion cannot be reported is retried after its 2-minute start-to-close timeout, and must still be in time.
  sim = await startProcessSimulator({
    dayMs: 2_000,
    faults: IN_FLIGHT.map((tenantId) => ({
      route: 'deactivate' as const,
      tenantId,
      sequence: [{ kind: 'slow' as const, delayMs: 4_000 }],
    })),
  });
  const taskQueue = freshTaskQueue('restart');
  worker = await startWorkerProcess(
    workerEnv({ address: server.address, sim, taskQueue, env: { OFFBOARD_PURGE_OVERDUE_AFTER: '60s' } }),
  );
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const start = (id: string, purgeAfterDays: number) => {
    sim.addTenant(tenant(id));
    const input: OffboardingInput = { tenantId: id, hostname: hostnameOf(id), region: 'eu', purgeAfterDays };
    return client.workflow.start<typeof offboardTenant>('offboardTenant', {
      taskQueue,
      workflowId: workflowIdFor(id),
      args: [input],
    });
  };

  const handles: WorkflowHandle<typeof offboardTenant>[] = [];
  for (const id of SLEEPING) handles.push(await start(id, 10));
  for (const id of SLEEPING) await waitForPhase(client, workflowIdFor(id), 'grace-period', 30_000);
  for (const id of IN_FLIGHT) handles.push(await start(id, 90));
  await waitFor(
    'the deactivate calls in flight',
    () => sim.requests().filter((r) => r.pending && r.route === 'deactivate').length === IN_FLIGHT.length,
    30_000,
    20,
  );

  stoppedAt = Date.now();
  await server.stop();
  await sleep(5_000);
  await server.start();
  startedAgainAt = Date.now();
  const running = worker;
  workerAliveAfterRestart = await Promise.race([running.exited.then(() => false), sleep(2_000).then(() => true)]);

  // The runs whose deactivate was in flight are reactivated once they reach their grace period.
  const reactivations = IN_FLIGHT.map(async (id) => {
    await waitForPhase(client, workflowIdFor(id), 'grace-period', 200_000);
    await client.workflow.getHandle(workflowIdFor(id)).signal(reactivateSignal, { reason: 'restart test' });
  });
  const deadline = Date.now() + 240_000;
  ends = await Promise.all(
    handles.map((handle) => {
      const id = handle.workflowId.replace('offboard-tenant-', '');
      return awaitEnd(
        handle,
        { id, hostname: hostnameOf(id), region: 'eu', plan: 'purge', workflowId: handle.workflowId },
        deadline,
      );
    }),
  );
  await Promise.allSettled(reactivations);
}, 360_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await worker?.exited;
  await connection?.close();
  await sim?.close();
  await server?.destroy();
});

describe('Temporal dev server stopped and started again (persistent database)', () => {
  it('the worker process keeps running through the outage', () => {
    expect(workerAliveAfterRestart).toBe(true);
  });

  it('runs asleep in their grace period wake up: each purge is confirmed after its purge date', () => {
    for (const end of ends.filter((e) => SLEEPING.includes(e.tenant.id))) {
      expect({ id: end.tenant.id, outcome: end.outcome ?? end.failureType ?? 'still running' }).toEqual({
        id: end.tenant.id,
        outcome: 'purged',
      });
      expect(Date.parse(end.status!.purgeConfirmedAt!)).toBeGreaterThanOrEqual(
        Date.parse(end.status!.estimatedPurgeDate!),
      );
      // The grace period spanned the outage.
      expect(Date.parse(end.status!.estimatedPurgeDate!)).toBeGreaterThan(stoppedAt);
    }
  });

  it('the deactivate calls were in flight when the server stopped (answered during the outage)', () => {
    for (const id of IN_FLIGHT) {
      const call = requestsAbout(sim.requests(), id, hostnameOf(id)).find((r) => r.route === 'deactivate')!;
      expect(call.at).toBeLessThanOrEqual(stoppedAt);
      expect(call.at + 4_000).toBeGreaterThan(stoppedAt);
      expect(call.at + 4_000).toBeLessThan(startedAgainAt);
    }
  });

  it('runs whose deactivate call was in flight complete (reactivated by the test after their grace period began)', () => {
    expect(
      ends.filter((e) => IN_FLIGHT.includes(e.tenant.id)).map((e) => e.outcome ?? e.failureType ?? 'still running'),
    ).toEqual(IN_FLIGHT.map(() => 'reactivated'));
  });

  it("answers Temporal's HTTP API on the port it was given (any language can drive it), after the restart too", async () => {
    const api = `http://127.0.0.1:${server.httpPort}/api/v1/namespaces/default`;
    const namespace = await fetch(api);
    expect(namespace.status).toBe(200);
    expect(((await namespace.json()) as { namespaceInfo?: { name?: string } }).namespaceInfo?.name).toBe('default');
    // A run the worker completed, described over HTTP by the contract's workflow ID.
    const described = await fetch(`${api}/workflows/${workflowIdFor(SLEEPING[0]!)}`);
    expect(described.status).toBe(200);
    const info = ((await described.json()) as { workflowExecutionInfo?: { type?: { name?: string }; status?: string } })
      .workflowExecutionInfo;
    expect(info).toMatchObject({ type: { name: 'offboardTenant' }, status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED' });
  });

  it('no deactivate or reactivate is in effect twice beyond what the outage explains', () => {
    const log = sim.requests();
    const problems = [...SLEEPING, ...IN_FLIGHT].flatMap((id) =>
      stateChangeViolations(requestsAbout(log, id, hostnameOf(id)), id, {
        answerLossMoments: [stoppedAt, startedAgainAt],
        reactivations: IN_FLIGHT.includes(id) ? 1 : 0,
      }),
    );
    expect(problems).toEqual([]);
  });
});

defineLeakScan(() => ({
  client: new Client({ connection: connection! }),
  logLines: worker!.logs().split('\n'),
  requestLog: sim.requests(),
  secrets: Object.values(CLIENT_SECRETS),
}));
