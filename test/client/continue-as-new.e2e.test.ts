/**
 * Contract v3: a run may continue as new under the same workflow ID (the original input as argument 0, the carried
 * state as argument 1), and every reader of the client library and the CLI follows the chain and counts the
 * offboarding once: start (join or ConflictingOffboarding, and the closed-run rules), status, result, watch, list and
 * report. Real dev server, the product's workers, the simulator; the history bound is lowered so that a few hundred
 * ignored signals make a run continue as new.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  AlreadyCompletedError,
  closedOffboardingsReport,
  ConflictingOffboardingError,
  getOffboardingResult,
  getOffboardingStatus,
  listOffboardings,
  OffboardingEndedError,
  startOffboarding,
  type OffboardingRun,
  type ReportRow,
  type StartedOffboarding,
} from '../../src/client';
import type { OffboardingInput, OffboardingResult, OffboardingStatus } from '../../src/shared/contract';
import { tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { reactivateAcrossContinueAsNew } from '../support/signal-chain';
import { cli, cliEnv, eventually, inputFor, type CliRun } from '../support/cli';

const BOUND = 300;
const who = `can-test-${process.pid}`;
const testStart = new Date(Date.now() - 60_000);

let env: TestWorkflowEnvironment;
let h: Harness;
let vars: Record<string, string>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise's outcome as a value, so that a reader started early is asserted on later without an unhandled rejection. */
type Settled<T> = { value: T } | { error: unknown };
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** One offboarding driven across a continue-as-new, with the readers that were started before it. */
interface Chain {
  id: string;
  workflowId: string;
  input: OffboardingInput;
  started: StartedOffboarding;
  /** The status just before the storm of signals (phase confirming-purge). */
  before: OffboardingStatus;
  /** Readers started while the first run was still open. */
  libraryResult: Promise<Settled<OffboardingResult>>;
  cliResult: Promise<CliRun>;
  watch: Promise<CliRun>;
}

/** The run status of one run of the chain, read without following it. */
async function runStatus(workflowId: string, runId: string): Promise<string> {
  return (await h.client.workflow.getHandle(workflowId, runId, { followRuns: false }).describe()).status.name;
}

/** The tenant's status once it is in `phase` (through the library's status, which reads the latest run). */
function untilPhase(id: string, phase: OffboardingStatus['phase'], timeoutMs = 30_000): Promise<OffboardingStatus> {
  return eventually(
    async () => {
      const status = await getOffboardingStatus(h.client, id).catch(() => undefined);
      return status?.phase === phase ? status : undefined;
    },
    `${id} in ${phase}`,
    timeoutMs,
  );
}

/** A `reactivate` after the purge date (recorded, not acted on), sent again if it meets a continue-as-new. */
function ignoredSignal(workflowId: string, requestedBy: string): Promise<void> {
  return reactivateAcrossContinueAsNew(h.client, workflowId, { requestedBy });
}

/**
 * Starts an offboarding, waits until its purge date has passed (every decision is then ignored, yet each is an event
 * in the history), starts the readers, then sends ignored `reactivate` signals until the first run has continued as
 * new.
 */
async function chainAcrossContinueAsNew(id: string): Promise<Chain> {
  h.sim.addTenant(tenant(id));
  const input = inputFor(id, { purgeAfterDays: 10, requestedBy: who, reason: 'continue-as-new test' });
  const started = await startOffboarding(h.client, input, { taskQueue: h.taskQueue });
  const before = await untilPhase(id, 'confirming-purge');
  const chain: Chain = {
    id,
    workflowId: started.workflowId,
    input,
    started,
    before,
    libraryResult: settled(getOffboardingResult(h.client, id)),
    cliResult: cli(['result', id, '--json'], vars),
    watch: cli(['watch', id, '--json', '--interval', '200ms'], vars),
  };
  // A run continues as new only between signals (Temporal refuses to close a run while new events arrive), so the
  // storm comes in bursts with pauses.
  for (let sent = 0; ;) {
    for (const burstEnd = sent + BOUND / 2; sent < burstEnd; sent += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => ignoredSignal(started.workflowId, `storm-${sent + i}`)));
    }
    const deadline = Date.now() + 2_000;
    while ((await runStatus(started.workflowId, started.runId)) === 'RUNNING' && Date.now() < deadline) {
      await sleep(100);
    }
    const first = await runStatus(started.workflowId, started.runId);
    if (first === 'CONTINUED_AS_NEW') return chain;
    if (first !== 'RUNNING' || sent >= 4 * BOUND) {
      throw new Error(`${id}: the first run ended ${first} instead of continuing as new (${sent} signals)`);
    }
  }
}

let purged: Promise<Chain>;
let canceled: Promise<Chain>;

beforeAll(async () => {
  // 10 simulated days last 5 s; the purge lags 10 s behind the date, which leaves time to continue as new.
  ({ env, h } = await startLocalHarness({
    sim: { dayMs: 500, purgeLagMs: 10_000 },
    env: { OFFBOARD_PURGE_OVERDUE_AFTER: '1m' },
  }));
  h.config.historyBounds = { events: BOUND, bytes: 1024 * 1024 };
  await h.startWorkers();
  vars = cliEnv(env, h);
  // Both chains run at once; each `it` awaits what it needs.
  purged = chainAcrossContinueAsNew('CanPurged1');
  canceled = chainAcrossContinueAsNew('CanCancel1').then(async (chain) => {
    // A Temporal cancellation request after the purge date: the latest run ends Canceled, no call.
    await h.client.workflow.getHandle(chain.workflowId).cancel();
    return chain;
  });
  purged.catch(() => undefined);
  canceled.catch(() => undefined);
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

/** The chain's latest run ID. */
async function latestRunId(workflowId: string): Promise<string> {
  return (await h.client.workflow.getHandle(workflowId).describe()).runId;
}

describe('an offboarding that continued as new', () => {
  it('start joins the chain with the same input and refuses a different one as ConflictingOffboarding', async () => {
    const chain = await purged;
    const latest = await latestRunId(chain.workflowId);
    expect(latest).not.toBe(chain.started.runId);

    const joined = await startOffboarding(h.client, chain.input, { taskQueue: h.taskQueue });
    expect(joined).toEqual({ workflowId: chain.workflowId, runId: latest, started: false });
    const conflict = await startOffboarding(
      h.client,
      { ...chain.input, purgeAfterDays: 30, reason: 'other' },
      { taskQueue: h.taskQueue },
    ).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictingOffboardingError);
    expect(conflict).toMatchObject({ fields: ['purgeAfterDays', 'reason'], runId: latest });

    const startArgs = ['start', '--tenant-id', chain.id, '--hostname', chain.input.hostname, '--region', 'eu'];
    const same = ['--purge-after-days', '10', '--requested-by', who, '--reason', 'continue-as-new test', '--json'];
    const cliJoined = await cli([...startArgs, ...same], vars);
    expect(cliJoined.code).toBe(0);
    expect(JSON.parse(cliJoined.stdout)).toEqual({ workflowId: chain.workflowId, runId: latest, started: false });
    const cliConflict = await cli([...startArgs, '--purge-after-days', '20', '--requested-by', who, '--json'], vars);
    expect(cliConflict.code).toBe(1);
    expect(JSON.parse(cliConflict.stderr).error).toMatchObject({
      code: 'ConflictingOffboarding',
      fields: ['purgeAfterDays', 'reason'],
    });
    // Nothing new started: still the same chain, still running.
    expect(await latestRunId(chain.workflowId)).toBe(latest);
  });

  it('status answers from the latest run, through the continue-as-new to the end', async () => {
    const chain = await purged;
    const now = await getOffboardingStatus(h.client, chain.id);
    expect(now).toMatchObject({
      deactivatedAt: chain.before.deactivatedAt,
      estimatedPurgeDate: chain.before.estimatedPurgeDate,
      deactivationConfirmedAt: chain.before.deactivationConfirmedAt,
    });
    // The first run stays in confirming-purge for ever; only the latest run gets to the end.
    const final = await untilPhase(chain.id, 'completed', 45_000);
    expect(final.outcome).toBe('purged');
    const cliStatus = await cli(['status', chain.id, '--json'], vars);
    expect(cliStatus.code).toBe(0);
    expect(JSON.parse(cliStatus.stdout)).toMatchObject({ phase: 'completed', outcome: 'purged' });
  }, 60_000);

  it('result (library and CLI), asked before the continue-as-new, waits through the chain for the final outcome', async () => {
    const chain = await purged;
    const library = await chain.libraryResult;
    expect(library).toEqual({ value: expect.objectContaining({ phase: 'completed', outcome: 'purged' }) });
    const fromCli = await chain.cliResult;
    expect(fromCli.code).toBe(0);
    expect(JSON.parse(fromCli.stdout)).toMatchObject({
      phase: 'completed',
      outcome: 'purged',
      deactivatedAt: chain.before.deactivatedAt,
    });
    // And a start after the chain completed looks at its latest run: refused without restart.
    await expect(startOffboarding(h.client, chain.input, { taskQueue: h.taskQueue })).rejects.toBeInstanceOf(
      AlreadyCompletedError,
    );
  }, 60_000);

  it('watch follows the watched run to the new run and to the end', async () => {
    const chain = await purged;
    const watch = await chain.watch;
    expect(watch.stderr).toBe('');
    expect(watch.code).toBe(0);
    const lines = watch.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { phase?: string; end?: string; outcome?: string });
    expect(lines.map((line) => line.phase).filter(Boolean)).toContain('confirming-purge');
    expect(lines.at(-2)).toMatchObject({ phase: 'completed', outcome: 'purged' });
    expect(lines.at(-1)).toEqual({ end: 'Completed', outcome: 'purged' });
  }, 60_000);

  it('list shows the offboarding once, as its latest run (library and CLI)', async () => {
    const chain = await purged;
    await getOffboardingResult(h.client, chain.id);
    const finalRun = await latestRunId(chain.workflowId);
    const rows = await eventually(async () => {
      const runs = await listOffboardings(h.client, { tenantId: chain.id });
      return runs.some((run) => run.runId === finalRun && run.runStatus === 'COMPLETED') ? runs : undefined;
    }, `${chain.id} completed in visibility`);
    expect(rows.map((run) => [run.runId, run.runStatus, run.outcome])).toEqual([[finalRun, 'COMPLETED', 'purged']]);

    const fromCli = await cli(['list', '--requested-by', who, '--json'], vars);
    expect(fromCli.code).toBe(0);
    const mine = (JSON.parse(fromCli.stdout) as OffboardingRun[]).filter((run) => run.workflowId === chain.workflowId);
    expect(mine.map((run) => run.runId)).toEqual([finalRun]);
  }, 60_000);

  it('report counts the offboarding once, with the outcome of its latest run (library and CLI)', async () => {
    const chain = await purged;
    await getOffboardingResult(h.client, chain.id);
    const finalRun = await latestRunId(chain.workflowId);
    const window = { since: testStart, until: new Date(Date.now() + 60_000) };
    const rows = await eventually(async () => {
      const report = await closedOffboardingsReport(h.client, window);
      const mine = report.filter((row) => row.workflowId === chain.workflowId);
      return mine.some((row) => row.runId === finalRun) ? mine : undefined;
    }, `${chain.id} in the report`);
    expect(rows).toEqual([
      expect.objectContaining({
        tenantId: chain.id,
        runId: finalRun,
        runStatus: 'Completed',
        outcome: 'purged',
        deactivated: true,
        deactivatedAt: chain.before.deactivatedAt,
        reason: 'continue-as-new test',
      }),
    ]);

    const fromCli = await cli(['report', '--since', testStart.toISOString(), '--format', 'json'], vars);
    expect(fromCli.code).toBe(0);
    const cliRows = (JSON.parse(fromCli.stdout) as ReportRow[]).filter((row) => row.workflowId === chain.workflowId);
    expect(cliRows.map((row) => [row.runStatus, row.outcome])).toEqual([['Completed', 'purged']]);
  }, 60_000);
});

describe('an offboarding that continued as new and was then canceled', () => {
  it('result (library and CLI) reports the latest run Canceled with its last status', async () => {
    const chain = await canceled;
    const library = await chain.libraryResult;
    expect('error' in library && library.error).toBeInstanceOf(OffboardingEndedError);
    expect('error' in library && library.error).toMatchObject({
      runStatus: 'Canceled',
      status: { tenantId: chain.id, deactivatedAt: chain.before.deactivatedAt, phase: 'completed' },
    });
    const fromCli = await chain.cliResult;
    expect(fromCli.code).toBe(1);
    expect(JSON.parse(fromCli.stdout)).toMatchObject({ runStatus: 'Canceled', status: { tenantId: chain.id } });
    const watch = await chain.watch;
    expect(watch.code).toBe(1);
    expect(JSON.parse(watch.stdout.trim().split('\n').at(-1)!)).toMatchObject({ end: 'Canceled' });
  }, 60_000);

  it('report and list count it once, Canceled; then a start is allowed (the latest run, not a continued one, counts)', async () => {
    const chain = await canceled;
    await getOffboardingResult(h.client, chain.id).catch(() => undefined);
    const finalRun = await latestRunId(chain.workflowId);
    expect(await runStatus(chain.workflowId, finalRun)).toBe('CANCELLED');
    const window = { since: testStart, until: new Date(Date.now() + 60_000) };
    const rows = await eventually(async () => {
      const report = await closedOffboardingsReport(h.client, window);
      const mine = report.filter((row) => row.workflowId === chain.workflowId);
      return mine.some((row) => row.runId === finalRun) ? mine : undefined;
    }, `${chain.id} in the report`);
    expect(rows.map((row) => [row.runId, row.runStatus, row.deactivated])).toEqual([[finalRun, 'Canceled', true]]);
    const listed = await eventually(async () => {
      const runs = await listOffboardings(h.client, { tenantId: chain.id });
      return runs.some((run) => run.runId === finalRun && run.runStatus === 'CANCELLED') ? runs : undefined;
    }, `${chain.id} canceled in visibility`);
    expect(listed.map((run) => run.runId)).toEqual([finalRun]);

    const again = await startOffboarding(h.client, chain.input, { taskQueue: h.taskQueue });
    expect(again).toMatchObject({ workflowId: chain.workflowId, started: true });
    expect(again.runId).not.toBe(finalRun);
    await h.client.workflow.getHandle(chain.workflowId).terminate('test over');
  }, 60_000);
});
