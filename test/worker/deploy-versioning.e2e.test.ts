/**
 * Deploying new code while runs sleep (README, "Changing the workflow safely": the rollout runbook). Proven on the
 * dev server with the built worker process (one per build, as deployed), the simulator over real HTTP, and the
 * runbook's own CLI commands:
 * - runs started before versioning was switched on (an unversioned worker), and runs started on build A, sleep in
 *   their grace period;
 * - `temporal worker deployment set-current-version` makes build B current, then A's worker stops;
 * - every run wakes on B (auto-upgrade: its next workflow task goes to the current version) and ends `purged`, and
 *   its history shows where each workflow task ran: unversioned or A before the switch, B after, never back.
 * The registration workers stay unversioned in every build (src/worker/create-workers.ts): the deactivates of the
 * runs started on A went through them, so their purge also proves that the server routes those activities there.
 * One process per build, as deployed: SDK 1.24 refuses a second worker for the same task queue and build ID in one
 * process, which two builds' unversioned registration workers would be.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Simulator } from '../../src/simulator';
import { workflowIdFor } from '../../src/shared/contract';
import type { offboardTenant } from '../../src/workflows';
import { searchAttributes } from '../../src/workflows/definitions';
import { startWorkerProcess, type WorkerProcess } from '../../harness/processes';
import { temporalBinary } from '../../harness/repo';
import {
  CLIENT_SECRETS,
  freshTaskQueue,
  hostnameOf,
  startProcessSimulator,
  tenant,
  workerEnv,
} from '../../harness/simulator';
import { createLocalEnv } from '../../harness/temporal';
import { waitFor, waitForPhase } from '../../harness/wait';
import { requestsAbout } from '../support/request-log';
import { defineLeakScan } from '../support/secrets';

const run = promisify(execFile);
const { EventType, VersioningBehavior } = temporal.api.enums.v1;
const DEPLOYMENT = 'qlik-offboarding';
/** 90 simulated days of 300 ms: a grace period of 27 s, for the switches (7 s measured on a loaded machine). */
const DAY_MS = 300;
const GRACE_DAYS = 90;
/** The order in which the builds take over. */
const DEPLOY_ORDER = ['unversioned', 'build-a', 'build-b'];
/** After its purge date, a run needs two "purged" probes one probe interval apart (≤ 500 ms) and its report. */
const END_WITHIN_MS = 15_000;

let env: TestWorkflowEnvironment;
let sim: Simulator;
const taskQueue = freshTaskQueue('deploy');
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await createLocalEnv();
  sim = await startProcessSimulator({ dayMs: DAY_MS });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await sim?.close();
  await env?.teardown();
});

/** The built worker; `buildId` makes it a version of {@link DEPLOYMENT}, as a deploy sets the two variables. */
async function worker(buildId?: string): Promise<WorkerProcess> {
  const versioning = buildId ? { OFFBOARD_DEPLOYMENT_NAME: DEPLOYMENT, OFFBOARD_BUILD_ID: buildId } : undefined;
  const w = await startWorkerProcess(workerEnv({ address: env.address, sim, taskQueue, env: versioning }));
  workers.push(w);
  return w;
}

/** A `temporal worker deployment …` command of the runbook, against this file's server; its JSON answer. */
async function deploymentCommand(...args: string[]): Promise<unknown> {
  const connection = ['--address', env.address, '--namespace', env.namespace ?? 'default', '--output', 'json'];
  const { stdout } = await run(temporalBinary('cli'), ['worker', 'deployment', ...args, ...connection]);
  return stdout.trim() === '' ? undefined : JSON.parse(stdout);
}

/** Makes `buildId` current, as the runbook does; the server refuses until it has seen the version's pollers. */
async function setCurrent(buildId: string): Promise<void> {
  let refusal = '';
  const accepted = () =>
    deploymentCommand('set-current-version', '--deployment-name', DEPLOYMENT, '--build-id', buildId, '--yes').then(
      () => true,
      (error: { stderr?: string }) => {
        refusal = error.stderr?.trim() ?? String(error);
        return false;
      },
    );
  await waitFor(`${DEPLOYMENT}/${buildId} accepted as current`, accepted, 20_000, 250).catch((error: Error) => {
    throw new Error(`${error.message}; last refusal: ${refusal}`);
  });
}

async function startOffboarding(id: string): Promise<WorkflowHandle<typeof offboardTenant>> {
  sim.addTenant(tenant(id));
  const handle = await env.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue,
    workflowId: workflowIdFor(id),
    args: [{ tenantId: id, hostname: hostnameOf(id), region: 'eu', purgeAfterDays: GRACE_DAYS }],
  });
  await waitForPhase(env.client, handle.workflowId, 'grace-period', 20_000);
  return handle;
}

/**
 * The run's result, once it has woken and ended; a run that cannot move to B (pinned to a stopped build, say) fails
 * the test. Polled, not awaited: a pending long poll would outlive the test server when the test fails.
 */
async function resultOnNewBuild(handle: WorkflowHandle<typeof offboardTenant>) {
  const purgeDate = (await handle.describe()).typedSearchAttributes.get(searchAttributes.estimatedPurgeDate);
  const boundMs = (purgeDate?.getTime() ?? Date.now()) - Date.now() + END_WITHIN_MS;
  await waitFor(
    `${handle.workflowId} to end within ${END_WITHIN_MS} ms of its purge date`,
    async () => (await handle.describe()).status.name !== 'RUNNING',
    boundMs,
    250,
  );
  return handle.result();
}

/** Where the workflow tasks ran, in order, with consecutive repeats folded: `unversioned`, or the build ID. */
async function buildsThatRanTasks(handle: WorkflowHandle): Promise<string[]> {
  const builds = ((await handle.fetchHistory()).events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    .map((event) => event.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId || 'unversioned');
  return builds.filter((build, i) => build !== builds[i - 1]);
}

describe('deploying a new build while offboardings sleep in their grace period', () => {
  it('runs started unversioned and on build A wake on build B once it is current, and are purged', async () => {
    // Before versioning: today's unversioned worker. Both builds are deployed beside it (started now, so that no
    // start-up falls between the runs' sleeps and the switches); a version gets no task until it is current.
    const [unversionedWorker, buildA] = await Promise.all([worker(), worker('build-a'), worker('build-b')]);
    const unversioned = [await startOffboarding('DEPLOY-U1'), await startOffboarding('DEPLOY-U2')];

    // Versioning switched on: A current, the unversioned worker stops, new runs start on A.
    await setCurrent('build-a');
    await unversionedWorker.stop();
    const onA = [await startOffboarding('DEPLOY-A1'), await startOffboarding('DEPLOY-A2')];

    // The deploy: B current, then A's worker stops.
    await setCurrent('build-b');
    const switchedAt = Date.now();
    await buildA.stop();
    const runs = [...unversioned, ...onA];
    // The precondition of the whole test: no grace period ended before B was current (else this machine is too slow
    // for the simulated day), so every wake-up below is a workflow task that the server routed after the switch.
    // Read from the search attribute, which needs no worker (a query to a run stuck on a stopped build would hang).
    const wokeBeforeSwitch: string[] = [];
    for (const handle of runs) {
      const purgeDate = (await handle.describe()).typedSearchAttributes.get(searchAttributes.estimatedPurgeDate);
      const margin = (purgeDate?.getTime() ?? 0) - switchedAt;
      if (!(margin > 0)) wokeBeforeSwitch.push(`${handle.workflowId}: purge date ${-margin} ms before B was current`);
    }
    expect(wokeBeforeSwitch).toEqual([]);
    expect(
      await deploymentCommand('describe-version', '--deployment-name', DEPLOYMENT, '--build-id', 'build-a'),
    ).toMatchObject({ drainageInfo: { drainageStatus: 'draining' } });

    const results = await Promise.all(runs.map(resultOnNewBuild));
    for (const result of results) {
      expect({ tenant: result.tenantId, outcome: result.outcome }).toEqual({
        tenant: result.tenantId,
        outcome: 'purged',
      });
      expect(sim.tenant(result.tenantId)!.status).toBe('deleted');
      const deactivates = requestsAbout(sim.requests(), result.tenantId, result.hostname).filter(
        (r) => r.route === 'deactivate',
      );
      expect(deactivates).toHaveLength(1);
    }
    const origins = [
      ...unversioned.map((handle) => [handle, 'unversioned'] as const),
      ...onA.map((handle) => [handle, 'build-a'] as const),
    ];
    for (const [handle, origin] of origins) {
      const builds = await buildsThatRanTasks(handle);
      // Started where it was started, ended on B, and never went back to an older build on the way.
      expect({ id: handle.workflowId, first: builds[0], last: builds.at(-1) }).toEqual({
        id: handle.workflowId,
        first: origin,
        last: 'build-b',
      });
      expect(DEPLOY_ORDER.filter((build) => builds.includes(build))).toEqual(builds);
      expect((await handle.describe()).raw.workflowExecutionInfo?.versioningInfo).toMatchObject({
        behavior: VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
        deploymentVersion: { deploymentName: DEPLOYMENT, buildId: 'build-b' },
      });
    }
  }, 120_000);
});

defineLeakScan(() => ({
  client: env.client,
  logLines: workers.flatMap((w) => w.logs().split('\n')),
  requestLog: sim.requests(),
  secrets: Object.values(CLIENT_SECRETS),
}));
