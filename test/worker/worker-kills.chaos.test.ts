/**
 * Repeated worker crashes at scale: CHAOS_TENANTS (default 200) tenants with mixed plans are offboarded by two
 * worker processes while 503s hit every route (10%), and one worker after another is SIGKILLed and replaced every
 * few seconds until every run has passed its deactivation. Proven: every run ends with its expected outcome, and no
 * deactivate or reactivate is in effect twice beyond what an answer lost with a killed worker explains.
 * About 5 minutes: a call in flight when its worker dies is retried after its 2-minute timeout, so every grace
 * period here is 90 simulated days of 2 s (3 minutes) — the retried deactivate must come before the purge date.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Simulator } from '../../src/simulator';
import { startWorkerProcess, type WorkerProcess } from '../../harness/processes';
import { ensureBuilt } from '../../harness/repo';
import { CLIENT_SECRETS, freshTaskQueue, startProcessSimulator, workerEnv } from '../../harness/simulator';
import { createLocalEnv } from '../../harness/temporal';
import { runFleet, unexpectedEnds, type FleetRun } from '../support/fleet';
import { callViolations } from '../support/run-family';
import { defineLeakScan } from '../support/secrets';
import { sleep } from '../../harness/wait';

const TENANTS = Number(process.env.CHAOS_TENANTS ?? 200);

let env: TestWorkflowEnvironment;
let sim: Simulator;
const workers: WorkerProcess[] = [];
const kills: number[] = [];
let run: FleetRun;

beforeAll(async () => {
  ensureBuilt();
  env = await createLocalEnv();
  sim = await startProcessSimulator({ dayMs: 2_000, seed: 7, faults: [{ route: '*', kind: '503', probability: 0.1 }] });
  const taskQueue = freshTaskQueue('kills');
  const workerSettings = workerEnv({
    address: env.address,
    sim,
    taskQueue,
    env: { OFFBOARD_PURGE_OVERDUE_AFTER: '60s', OFFBOARD_VERIFY_TIMEOUT: '30s' },
  });
  const spawn = async () => {
    const w = await startWorkerProcess(workerSettings);
    workers.push(w);
    return w;
  };
  let live = [await spawn(), await spawn()];
  const fleet = runFleet({
    client: env.client,
    sim,
    taskQueue,
    prefix: 'KILLS',
    count: TENANTS,
    purgeAfterDays: { purge: 90, hold: 90 },
    timeoutMs: 420_000,
  });
  // Kill the older worker and start a new one every 4 s, until every planned deactivation has happened.
  const deactivations = Math.ceil((TENANTS * 3) / 5);
  for (let round = 0; round < 15; round++) {
    await sleep(4_000);
    kills.push(Date.now());
    live[0]!.kill('SIGKILL');
    live = [live[1]!, await spawn()];
    const done = new Set(
      sim
        .requests()
        .filter((r) => r.route === 'deactivate' && r.applied)
        .map((r) => r.tenantId),
    );
    if (done.size >= deactivations) break;
  }
  run = await fleet;
}, 600_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await sim?.close();
  await env?.teardown();
});

describe(`${TENANTS} tenants, workers SIGKILLed and replaced every 4 s`, () => {
  it('killed workers several times', () => {
    expect(kills.length).toBeGreaterThanOrEqual(3);
  });

  it('every run ends with its expected outcome', () => {
    expect(unexpectedEnds(run)).toEqual([]);
  });

  it('no deactivate or reactivate is in effect twice beyond what a lost answer explains', () => {
    expect(callViolations(run, sim.requests(), kills)).toEqual([]);
  });
});

defineLeakScan(() => ({
  client: env.client,
  logLines: workers.flatMap((w) => w.logs().split('\n')),
  requestLog: sim.requests(),
  secrets: Object.values(CLIENT_SECRETS),
}));
