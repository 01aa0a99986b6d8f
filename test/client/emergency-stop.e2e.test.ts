/**
 * "Stop, the file was wrong" end to end (issue: "An emergency stop, and undoing a bulk"): a customer-lifecycle
 * system starts a wave of offboardings in one region; their deactivates queue on the region's rate-limited
 * registration queue, so most are not yet sent. Ops stop the region once a few were sent, then cancel the selection
 * by requester. Real dev server, the product's workers at a low registration budget, the simulator over real HTTP.
 *
 * What is proven, from what a user can observe (the simulator's request log and tenants, the runs' results):
 * - no deactivate request reached Qlik after `stop` returned;
 * - every cancelled tenant is active at Qlik, and every run ended with outcome `cancelled`;
 * - the tenants whose deactivate had not been sent got no call at all;
 * - with the stop in force a new deactivate waits (held), and `resume` lets it go.
 *
 * The workflow's part: each deactivate attempt checks the stops last thing before it is sent (held while stopped),
 * and a cancel withdraws a deactivate never sent. Before it (rules revision 1), the deactivates queued before the
 * stop were still sent after it: 29 of them in this test.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { getOffboardingResult, getOffboardingStatus, startOffboarding } from '../../src/client';
import type { RequestLogEntry } from '../../src/simulator';
import { tenant } from '../../harness/simulator';
import { sleep, waitFor } from '../../harness/wait';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { cli, cliEnv, inputFor } from '../support/cli';

/** 30 registration calls a minute: one every 2 s, so most of the wave is still queued when the stop comes. */
const CALLS_PER_MINUTE = 30;
const WAVE = 30;
/** Stop once this many deactivates have been sent. */
const SENT_BEFORE_STOP = 3;
/**
 * A deactivate whose check read the registry just before the stop was recorded may reach Qlik a moment after
 * `stop` returned: the check and the request are a few milliseconds apart, never more than this.
 */
const CHECK_TO_SEND_MS = 200;
/** How long a held deactivate is watched for not being sent. */
const HOLD_WATCH_MS = 6_000;

let env: TestWorkflowEnvironment;
let h: Harness;
let vars: Record<string, string>;
const who = `lifecycle-${process.pid}`;
const ids = Array.from({ length: WAVE }, (_, i) => `Wave${String(i + 1).padStart(2, '0')}`);

/** What the scenario observed; each `it` asserts one property of it. */
interface Observed {
  stopReturnedAt: number;
  sentBeforeStop: Set<string>;
  /** Deactivate requests received during the watch after the stop, before the cancel. */
  sentWhileStopped: RequestLogEntry[];
  cancel: { code: number; results: Array<{ tenantId: string; result: string; reason?: string }>; stderr: string };
  outcomes: Map<string, string>;
}
let observed: Promise<Observed>;

const deactivates = (): RequestLogEntry[] => h.sim.requests().filter((r) => r.route === 'deactivate');

async function scenario(): Promise<Observed> {
  for (const id of ids) h.sim.addTenant(tenant(id));
  for (const id of ids) {
    await startOffboarding(h.client, inputFor(id, { requestedBy: who, purgeAfterDays: 90, reason: 'wave' }), {
      taskQueue: h.taskQueue,
    });
  }
  await waitFor(`${SENT_BEFORE_STOP} deactivates sent`, () => deactivates().length >= SENT_BEFORE_STOP, 60_000, 50);

  const stopped = await cli(
    ['stop', '--region', 'eu', '--reason', 'the file was wrong', '--by', 'alice', '--json'],
    vars,
  );
  const stopReturnedAt = Date.now();
  if (stopped.code !== 0) throw new Error(`stop failed (${stopped.code}): ${stopped.stderr}`);
  const sentBeforeStop = new Set(
    deactivates()
      .filter((r) => r.at <= stopReturnedAt)
      .map((r) => r.tenantId!),
  );

  // The stop holds what was queued: for a while, nothing more goes out.
  await sleep(HOLD_WATCH_MS);
  const sentWhileStopped = deactivates().filter((r) => r.at > stopReturnedAt + CHECK_TO_SEND_MS);

  const run = await cli(
    ['cancel', '--requested-by', who, '--by', 'alice', '--reason', 'the file was wrong', '--yes', '--json'],
    vars,
  );
  const cancel = { code: run.code, results: run.code <= 1 ? JSON.parse(run.stdout) : [], stderr: run.stderr };

  const outcomes = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      const result = await getOffboardingResult(h.client, id).catch((e: Error) => ({ outcome: `error: ${e.message}` }));
      outcomes.set(id, String(result.outcome));
    }),
  );
  return { stopReturnedAt, sentBeforeStop, sentWhileStopped, cancel, outcomes };
}

beforeAll(async () => {
  // A day of 2 s: the 90-day grace period lasts 3 minutes, longer than the scenario, so nothing is purged under it.
  ({ env, h } = await startLocalHarness({
    sim: { dayMs: 2_000 },
    env: { QLIK_REGISTER_CALLS_PER_MINUTE: String(CALLS_PER_MINUTE) },
  }));
  await h.startWorkers();
  vars = cliEnv(env, h);
  observed = scenario();
  observed.catch(() => undefined);
}, 60_000);

afterAll(() => stopLocalHarness(h, env));

describe('stop, the file was wrong', () => {
  it('no deactivate request reached Qlik after stop returned', async () => {
    const { stopReturnedAt } = await observed;
    const late = deactivates().filter((r) => r.at > stopReturnedAt + CHECK_TO_SEND_MS);
    expect(late.map((r) => `${r.tenantId} #${r.seq} ${r.at - stopReturnedAt} ms after the stop`)).toEqual([]);
  }, 300_000);

  it('while stopped, the queued deactivates waited', async () => {
    const { sentWhileStopped, sentBeforeStop } = await observed;
    expect(sentBeforeStop.size).toBeGreaterThanOrEqual(SENT_BEFORE_STOP);
    expect(sentBeforeStop.size).toBeLessThan(WAVE);
    expect(sentWhileStopped.map((r) => r.tenantId)).toEqual([]);
  }, 300_000);

  it('cancel --requested-by recorded a decision in every run of the wave', async () => {
    const { cancel } = await observed;
    expect({ code: cancel.code, stderr: cancel.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(cancel.results.map((r) => r.tenantId).sort()).toEqual(ids);
    expect(cancel.results.filter((r) => r.result !== 'recorded')).toEqual([]);
  }, 300_000);

  it('every run ended cancelled, and every tenant is active at Qlik', async () => {
    const { outcomes } = await observed;
    expect([...outcomes].filter(([, outcome]) => outcome !== 'cancelled')).toEqual([]);
    const notActive = ids.map((id) => [id, h.sim.tenant(id)?.status]).filter(([, status]) => status !== 'active');
    expect(notActive).toEqual([]);
  }, 300_000);

  it('a tenant whose deactivate was not sent got no call at all', async () => {
    const { sentBeforeStop } = await observed;
    const touched = ids
      .filter((id) => !sentBeforeStop.has(id))
      .flatMap((id) =>
        h.sim
          .requests()
          .filter((r) => r.tenantId === id && (r.route === 'deactivate' || r.route === 'reactivate'))
          .map((r) => `${id}: ${r.route} #${r.seq}`),
      );
    expect(touched).toEqual([]);
  }, 300_000);

  it('with the stop in force a new deactivate is held; resume lets it go', async () => {
    await observed;
    h.sim.addTenant(tenant('WaveLate1'));
    await startOffboarding(h.client, inputFor('WaveLate1', { requestedBy: 'someone-else', purgeAfterDays: 90 }), {
      taskQueue: h.taskQueue,
    });
    await waitFor(
      'WaveLate1 in deactivating',
      async () => (await getOffboardingStatus(h.client, 'WaveLate1').catch(() => undefined))?.phase === 'deactivating',
      20_000,
    );
    await sleep(HOLD_WATCH_MS);
    const sent = () => deactivates().filter((r) => r.tenantId === 'WaveLate1');
    expect(sent().map((r) => `deactivate #${r.seq}`)).toEqual([]);
    expect((await getOffboardingStatus(h.client, 'WaveLate1')).phase).toBe('deactivating');

    const resumed = await cli(['resume', '--region', 'eu', '--by', 'alice', '--reason', 'file fixed'], vars);
    expect(resumed.code).toBe(0);
    await waitFor(
      'WaveLate1 deactivated after the resume',
      () => h.sim.tenant('WaveLate1')?.status === 'disabled',
      30_000,
    );
    expect(sent()).toHaveLength(1);
  }, 120_000);
});
