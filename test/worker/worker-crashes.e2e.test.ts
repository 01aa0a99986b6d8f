/**
 * Crashes and restarts of the worker process (`node dist/src/worker.js`, as `npm run worker` runs it), against a
 * dev server and the simulator. Proven from the workflow results and the simulator's request log:
 * - SIGKILL with one run in each phase (deactivating with the call in flight, verifying, grace period, confirming
 *   purge, reactivating with the call in flight), then a new worker: every run ends with the right outcome, and no
 *   deactivate or reactivate is repeated beyond what the lost answer (it died with the worker) explains;
 * - two workers on the task queue, one SIGKILLed mid-run: the other finishes every run;
 * - SIGTERM: the worker drains (in-flight calls finish and are reported, so none is repeated), exits 0 within its
 *   grace time, and a new worker finishes every run.
 * The three scenarios run side by side, each with its own simulator and task queue. A deactivate in flight when a
 * worker dies is retried only after its start-to-close timeout (2 minutes), so this file takes about 2.5 minutes.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RequestLogEntry, Simulator } from '../../src/simulator';
import { workflowIdFor, type OffboardingInput } from '../../src/shared/contract';
import { reactivateSignal } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { type Exit, startWorkerProcess, type WorkerProcess } from '../../harness/processes';
import { ensureBuilt } from '../../harness/repo';
import {
  CLIENT_SECRETS,
  freshTaskQueue,
  hostnameOf,
  startProcessSimulator,
  tenant,
  workerEnv,
} from '../../harness/simulator';
import { createLocalEnv } from '../../harness/temporal';
import {
  awaitEnd,
  fleetPlan,
  runFleet,
  unexpectedEnds,
  type FleetRun,
  type FleetTenant,
  type RunEnd,
} from '../support/fleet';
import { requestsAbout, stateChangeViolations } from '../support/request-log';
import { callViolations } from '../support/run-family';
import { defineLeakScan } from '../support/secrets';
import { sleep, statusOf, waitFor, waitForPhase } from '../../harness/wait';

let env: TestWorkflowEnvironment;
const sims: Simulator[] = [];
const workers: WorkerProcess[] = [];

async function simulator(options: Parameters<typeof startProcessSimulator>[0]): Promise<Simulator> {
  const sim = await startProcessSimulator(options);
  sims.push(sim);
  return sim;
}

async function worker(sim: Simulator, taskQueue: string, extra: Record<string, string> = {}): Promise<WorkerProcess> {
  const w = await startWorkerProcess(workerEnv({ address: env.address, sim, taskQueue, env: extra }));
  workers.push(w);
  return w;
}

function start(taskQueue: string, input: OffboardingInput) {
  return env.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue,
    workflowId: workflowIdFor(input.tenantId),
    args: [input],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario 1: SIGKILL with a run in every phase.

const PHASE_TENANTS = {
  deactivating: 'KILL-deact',
  verifying: 'KILL-verify',
  'grace-period': 'KILL-grace',
  'confirming-purge': 'KILL-confirm',
  reactivating: 'KILL-react',
} as const;

interface PhaseKill {
  phasesAtKill: Record<string, string | undefined>;
  killAt: number;
  firstExit: Exit;
  ends: Record<string, RunEnd>;
  log: RequestLogEntry[];
}

async function killInEveryPhase(): Promise<PhaseKill> {
  const ids = PHASE_TENANTS;
  // One simulated day = 2 s: grace periods of 20 s (10 days) to 180 s (90 days). The calls held in flight are
  // retried only after the activity's 2-minute start-to-close timeout, so those tenants get 90 days.
  const sim = await simulator({
    dayMs: 2_000,
    purgeLagMs: 8_000, // keeps the confirming tenant in `confirming-purge` for 8 s
    faults: [
      { route: 'deactivate', tenantId: ids.deactivating, sequence: [{ kind: 'slow', delayMs: 30_000 }] },
      { route: 'reactivate', tenantId: ids.reactivating, sequence: [{ kind: 'slow', delayMs: 30_000 }] },
      { route: 'probe', tenantId: ids.verifying, kind: '503', times: 40 },
    ],
  });
  for (const id of Object.values(ids)) sim.addTenant(tenant(id));
  const taskQueue = freshTaskQueue('phases');
  const extra = { OFFBOARD_VERIFY_TIMEOUT: '90s', OFFBOARD_PURGE_OVERDUE_AFTER: '60s' };
  const first = await worker(sim, taskQueue, extra);
  const input = (id: string, purgeAfterDays: number): OffboardingInput => ({
    tenantId: id,
    hostname: hostnameOf(id),
    region: 'eu',
    purgeAfterDays,
  });

  const handles = {
    confirm: await start(taskQueue, input(ids['confirming-purge'], 10)),
    grace: await start(taskQueue, input(ids['grace-period'], 30)),
    react: await start(taskQueue, input(ids.reactivating, 90)),
  };
  await waitForPhase(env.client, handles.react.workflowId, 'grace-period', 30_000);
  await handles.react.signal(reactivateSignal, { reason: 'crash test', requestedBy: 'reliability-suite' });
  await sleep(3_000);
  const deact = await start(taskQueue, input(ids.deactivating, 90));
  await sleep(7_000);
  const verify = await start(taskQueue, input(ids.verifying, 10));

  const phases = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.values(ids).map(async (id) => [id, (await statusOf(env.client, workflowIdFor(id)))?.phase] as const),
      ),
    );
  let phasesAtKill: Record<string, string | undefined> = {};
  await waitFor(
    'a run in every phase at once',
    async () => {
      phasesAtKill = await phases();
      return Object.entries(ids).every(([phase, id]) => phasesAtKill[id] === phase);
    },
    60_000,
    200,
  );
  const killAt = Date.now();
  first.kill('SIGKILL');
  const firstExit = await first.exited;
  await worker(sim, taskQueue, extra);

  const deadline = Date.now() + 240_000;
  const all = [handles.confirm, handles.grace, handles.react, deact, verify];
  const ends: Record<string, RunEnd> = {};
  const tenantOf = (id: string): FleetTenant => ({
    id,
    hostname: hostnameOf(id),
    region: 'eu',
    plan: 'purge',
    workflowId: workflowIdFor(id),
  });
  // The run killed while deactivating is reactivated once it is in its grace period (after the retried call).
  const reactivateLater = (async () => {
    await waitForPhase(env.client, deact.workflowId, 'grace-period', 200_000);
    await deact.signal(reactivateSignal, { reason: 'crash test', requestedBy: 'reliability-suite' });
  })();
  await Promise.all(
    all.map(async (handle) => {
      const id = handle.workflowId.replace('offboard-tenant-', '');
      ends[id] = await awaitEnd(handle, tenantOf(id), deadline);
    }),
  );
  await reactivateLater.catch(() => undefined);
  return { phasesAtKill, killAt, firstExit, ends, log: sim.requests() };
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario 2: two workers, one SIGKILLed mid-run.

interface TwoWorkers {
  run: FleetRun;
  log: RequestLogEntry[];
  killAt: number;
  killedExit: Exit;
  killedHadWork: boolean;
  survivorHadWork: boolean;
}

async function twoWorkersOneKilled(): Promise<TwoWorkers> {
  const sim = await simulator({ dayMs: 250 });
  const taskQueue = freshTaskQueue('two');
  const doomed = await worker(sim, taskQueue);
  const survivor = await worker(sim, taskQueue);
  const count = 30;
  // Purge-plan runs sleep 30 days (7.5 s): at the kill they are mid-grace, their probe loops and timers in flight.
  const fleet = runFleet({
    client: env.client,
    sim,
    taskQueue,
    prefix: 'TWO',
    count,
    purgeAfterDays: { purge: 30, hold: 90 },
    timeoutMs: 200_000,
  });
  // Kill once every registration call of the fleet has been made and answered, plus a second for the workers to
  // report them: a call whose completion dies with its worker is retried only after its 2-minute timeout (correct,
  // and proven by the phase scenario above, but too slow to wait for here).
  const plans = Array.from({ length: count }, (_, i) => fleetPlan(i));
  const deactivations = plans.filter((p) => p === 'purge' || p === 'reactivate' || p === 'cancel').length;
  const reactivations = plans.filter((p) => p === 'reactivate' || p === 'cancel').length;
  await waitFor(
    'every deactivation and reactivation of the fleet',
    () => {
      const log = sim.requests();
      return (
        log.filter((r) => r.route === 'deactivate' && r.applied).length === deactivations &&
        log.filter((r) => r.route === 'reactivate' && r.applied).length === reactivations
      );
    },
    60_000,
    20,
  );
  await sleep(1_000);
  const killAt = Date.now();
  const killedHadWork = /offboarding TWO-/.test(doomed.logs());
  doomed.kill('SIGKILL');
  const killedExit = await doomed.exited;
  const run = await fleet;
  const survivorHadWork = /offboarding TWO-/.test(survivor.logs());
  return { run, log: sim.requests(), killAt, killedExit, killedHadWork, survivorHadWork };
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario 3: SIGTERM while deactivate calls are in flight.

interface GracefulStop {
  exit: Exit;
  stopTookMs: number;
  inFlightAtTerm: number;
  ends: RunEnd[];
  log: RequestLogEntry[];
  slowIds: string[];
}

async function gracefulShutdown(): Promise<GracefulStop> {
  const slowIds = ['TERM-slow-0', 'TERM-slow-1', 'TERM-slow-2'];
  const otherIds = ['TERM-0', 'TERM-1', 'TERM-2', 'TERM-3'];
  const sim = await simulator({
    dayMs: 250,
    faults: slowIds.map((tenantId) => ({
      route: 'deactivate' as const,
      tenantId,
      sequence: [{ kind: 'slow' as const, delayMs: 3_000 }],
    })),
  });
  const taskQueue = freshTaskQueue('term');
  const first = await worker(sim, taskQueue);
  const handles = [];
  for (const id of [...otherIds, ...slowIds]) {
    sim.addTenant(tenant(id));
    handles.push(await start(taskQueue, { tenantId: id, hostname: hostnameOf(id), region: 'eu', purgeAfterDays: 10 }));
  }
  await waitFor(
    'the slow deactivate calls in flight',
    () => sim.requests().filter((r) => r.pending && r.route === 'deactivate').length === slowIds.length,
    30_000,
    20,
  );
  const inFlightAtTerm = sim.requests().filter((r) => r.pending && r.route === 'deactivate').length;
  const termAt = Date.now();
  first.kill('SIGTERM');
  const exit = await first.exited;
  const stopTookMs = Date.now() - termAt;
  await worker(sim, taskQueue);
  const deadline = Date.now() + 60_000;
  const ends = await Promise.all(
    handles.map((handle) => {
      const id = handle.workflowId.replace('offboard-tenant-', '');
      return awaitEnd(
        handle,
        { id, hostname: hostnameOf(id), region: 'eu', plan: 'purge', workflowId: handle.workflowId },
        deadline,
      );
    }),
  );
  return { exit, stopTookMs, inFlightAtTerm, ends, log: sim.requests(), slowIds };
}

// ---------------------------------------------------------------------------------------------------------------

let phaseKill: PhaseKill;
let two: TwoWorkers;
let graceful: GracefulStop;

beforeAll(async () => {
  ensureBuilt();
  env = await createLocalEnv();
  [phaseKill, two, graceful] = await Promise.all([killInEveryPhase(), twoWorkersOneKilled(), gracefulShutdown()]);
}, 360_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await Promise.all(sims.map((sim) => sim.close()));
  await env?.teardown();
});

describe('SIGKILL of the worker with a run in each phase, then a new worker', () => {
  it('really caught one run in each phase, with the deactivate and reactivate calls in flight', () => {
    expect(phaseKill.firstExit.signal).toBe('SIGKILL');
    expect(phaseKill.phasesAtKill).toEqual({
      [PHASE_TENANTS.deactivating]: 'deactivating',
      [PHASE_TENANTS.verifying]: 'verifying',
      [PHASE_TENANTS['grace-period']]: 'grace-period',
      [PHASE_TENANTS['confirming-purge']]: 'confirming-purge',
      [PHASE_TENANTS.reactivating]: 'reactivating',
    });
    const inFlight = (id: string, route: string) =>
      requestsAbout(phaseKill.log, id, hostnameOf(id)).some(
        (r) => r.route === route && r.at <= phaseKill.killAt && r.fault === 'slow',
      );
    expect(inFlight(PHASE_TENANTS.deactivating, 'deactivate')).toBe(true);
    expect(inFlight(PHASE_TENANTS.reactivating, 'reactivate')).toBe(true);
  });

  it('every run completes with the right outcome', () => {
    const outcomes = Object.fromEntries(
      Object.entries(phaseKill.ends).map(([id, end]) => [id, end.outcome ?? end.failureType ?? 'still running']),
    );
    expect(outcomes).toEqual({
      [PHASE_TENANTS.deactivating]: 'reactivated', // reactivated by the test once the retried deactivate completed
      [PHASE_TENANTS.verifying]: 'purged',
      [PHASE_TENANTS['grace-period']]: 'purged',
      [PHASE_TENANTS['confirming-purge']]: 'purged',
      [PHASE_TENANTS.reactivating]: 'reactivated',
    });
  });

  it('no deactivate or reactivate is in effect twice beyond what the answer lost with the worker explains', () => {
    const problems = Object.values(PHASE_TENANTS).flatMap((id) =>
      stateChangeViolations(requestsAbout(phaseKill.log, id, hostnameOf(id)), id, {
        answerLossMoments: [phaseKill.killAt],
        reactivations: id === PHASE_TENANTS.deactivating || id === PHASE_TENANTS.reactivating ? 1 : 0,
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe('two workers on the task queue, one SIGKILLed mid-run', () => {
  it('both workers had work before the kill, and the killed one died by SIGKILL', () => {
    expect(two.killedHadWork).toBe(true);
    expect(two.survivorHadWork).toBe(true);
    expect(two.killedExit.signal).toBe('SIGKILL');
  });

  it('the surviving worker finishes every run with its expected outcome', () => {
    expect(unexpectedEnds(two.run)).toEqual([]);
  });

  it('each tenant is deactivated once in effect and reactivated at most once', () => {
    expect(callViolations(two.run, two.log, [two.killAt])).toEqual([]);
  });
});

describe('graceful shutdown (SIGTERM) with deactivate calls in flight', () => {
  it('the worker drains and exits 0 within its shutdown grace time', () => {
    expect(graceful.inFlightAtTerm).toBe(graceful.slowIds.length);
    expect(graceful.exit).toEqual({ code: 0, signal: null });
    expect(graceful.stopTookMs).toBeLessThan(45_000);
  });

  it('no run fails: a new worker finishes every one', () => {
    expect(graceful.ends.map((e) => [e.tenant.id, e.outcome ?? e.failureType ?? 'still running'])).toEqual(
      graceful.ends.map((e) => [e.tenant.id, 'purged']),
    );
  });

  it('the in-flight calls finished and were reported: none was sent again', () => {
    for (const id of graceful.slowIds) {
      const deactivates = requestsAbout(graceful.log, id, hostnameOf(id)).filter((r) => r.route === 'deactivate');
      expect({ id, calls: deactivates.length, applied: deactivates.filter((r) => r.applied).length }).toEqual({
        id,
        calls: 1,
        applied: 1,
      });
      expect(deactivates[0]!.clientGone).toBeUndefined();
    }
  });
});

defineLeakScan(() => ({
  client: env.client,
  logLines: workers.flatMap((w) => w.logs().split('\n')),
  requestLog: sims.flatMap((sim) => sim.requests()),
  secrets: Object.values(CLIENT_SECRETS),
}));
