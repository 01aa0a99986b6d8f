/**
 * Issue "[3 of 4] Operations at scale", item 2: a decision (or cancellation request) recorded before any deactivate
 * request for the tenant may have been sent ends the run `cancelled` with no call at all; a request that may have
 * reached Qlik is waited for and undone (CONTRACT "Messages", the two halves of `deactivating`).
 *
 * Under a real backlog: the region's budget is 2 calls a second and a dozen offboardings queue their deactivates
 * first, so the targets' attempts wait on the registration queue. The race cases send their decision at staggered
 * times across the window in which their attempts are dispatched: whichever side wins, the tenant must end active,
 * with either no call at all or a deactivate that was undone.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RequestLogEntry } from '../../src/simulator';
import { cancelSignal, reactivateUpdate } from '../../src/workflows/definitions';
import { tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import {
  count,
  describeEnd,
  offboarding,
  requestsFor,
  type RunEnd,
  Scenarios,
  type Handle,
  settle,
  sleep,
  start,
  waitForRequest,
} from '../support/edges';

const BACKLOG = Array.from({ length: 12 }, (_, i) => `Wd-Backlog-${i + 1}`);
/**
 * Even cases decide at staggered times from their start (early ones while the attempt is surely queued); odd cases
 * decide a few tens of ms after their own deactivate reached the simulator, whatever the machine's load: so both
 * halves are met, and the moment an attempt is dispatched is crossed from both sides.
 */
const RACES: Array<{ tenantId: string; decide: { afterStartMs: number } | { afterSentMs: number } }> = Array.from(
  { length: 10 },
  (_, i) => ({
    tenantId: `Wd-Race-${i + 1}`,
    decide: i % 2 === 0 ? { afterStartMs: 400 + i * 700 } : { afterSentMs: (i - 1) * 15 },
  }),
);

let env: TestWorkflowEnvironment;
let h: Harness;

/** What a case saw: how the run ended, the tenant's calls, and whether the deactivate was still queued at the decision. */
interface Seen {
  end: RunEnd;
  calls: Array<RequestLogEntry['route']>;
  tenantStatus?: string;
  deactivatesBeforeDecision: number;
}

const scenarios = new Scenarios<Seen>();

async function observe(tenantId: string, deactivatesBeforeDecision: number, end: RunEnd): Promise<Seen> {
  const calls = requestsFor(h, tenantId)
    .filter((r) => r.route === 'deactivate' || r.route === 'reactivate')
    .map((r) => r.route);
  return { end, calls, tenantStatus: h.sim.tenant(tenantId)?.status, deactivatesBeforeDecision };
}

/** Starts the tenant's offboarding, decides with `decide` after `afterMs`, and awaits the end. */
async function decideAfter(tenantId: string, afterMs: number, decide: (handle: Handle) => Promise<unknown>) {
  const handle = await start(h, offboarding(tenantId, { purgeAfterDays: 90 }));
  await sleep(afterMs);
  const before = count(h, tenantId, 'deactivate');
  await decide(handle);
  return observe(tenantId, before, await settle(handle, 90_000));
}

/** Starts the tenant's offboarding, decides `afterMs` after its deactivate reached the simulator, awaits the end. */
async function decideAfterSent(tenantId: string, afterMs: number, decide: (handle: Handle) => Promise<unknown>) {
  const handle = await start(h, offboarding(tenantId, { purgeAfterDays: 90 }));
  await waitForRequest(h, tenantId, (r) => r.route === 'deactivate', 60_000);
  await sleep(afterMs);
  await decide(handle);
  return observe(tenantId, 1, await settle(handle, 90_000));
}

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({ env: { QLIK_REGISTER_CALLS_PER_MINUTE: '120' } }));
  for (const id of [...BACKLOG, ...RACES.map((r) => r.tenantId), 'Wd-Queued-Cancel', 'Wd-Queued-React']) {
    h.sim.addTenant(tenant(id));
  }
  for (const id of ['Wd-Queued-Request', 'Wd-InFlight', 'Wd-Backoff-Refused', 'Wd-Backoff-Lost']) {
    h.sim.addTenant(tenant(id));
  }
  h.sim.setFaults([
    { route: 'deactivate', tenantId: 'Wd-InFlight', sequence: [{ kind: 'slow', delayMs: 1_500 }] },
    // A 503 that Qlik did not apply, and one it applied with the answer lost: the workflow cannot tell them apart.
    { route: 'deactivate', tenantId: 'Wd-Backoff-Refused', sequence: [{ kind: '503' }] },
    { route: 'deactivate', tenantId: 'Wd-Backoff-Lost', sequence: ['lost'] },
  ]);
  await h.startWorkers();
  for (const id of BACKLOG) await start(h, offboarding(id, { purgeAfterDays: 10 }));

  scenarios.run('cancel signal', () =>
    decideAfter('Wd-Queued-Cancel', 200, (handle) =>
      handle.signal(cancelSignal, { reason: 'wrong row', requestedBy: 'ops' }),
    ),
  );
  scenarios.run('reactivate update', () =>
    decideAfter('Wd-Queued-React', 200, (handle) =>
      handle.executeUpdate(reactivateUpdate, { args: [{ reason: 'wrong row' }] }),
    ),
  );
  scenarios.run('cancellation request', () => decideAfter('Wd-Queued-Request', 200, (handle) => handle.cancel()));
  scenarios.run('in flight', async () => {
    const handle = await start(h, offboarding('Wd-InFlight', { purgeAfterDays: 30 }));
    const sent = await waitForRequest(h, 'Wd-InFlight', (r) => r.route === 'deactivate', 60_000);
    await handle.signal(cancelSignal, { reason: 'too late to withdraw' });
    return observe('Wd-InFlight', sent ? 1 : 0, await settle(handle, 90_000));
  });
  for (const id of ['Wd-Backoff-Refused', 'Wd-Backoff-Lost']) {
    scenarios.run(id, async () => {
      const handle = await start(h, offboarding(id, { purgeAfterDays: 90 }));
      await waitForRequest(h, id, (r) => r.route === 'deactivate' && !r.pending, 60_000);
      await handle.signal(cancelSignal, { reason: 'decided between attempts' });
      return observe(id, 1, await settle(handle, 90_000));
    });
  }
  for (const race of RACES) {
    const decide = (handle: Handle) => handle.signal(cancelSignal, { reason: 'race' });
    scenarios.run(race.tenantId, () =>
      'afterStartMs' in race.decide
        ? decideAfter(race.tenantId, race.decide.afterStartMs, decide)
        : decideAfterSent(race.tenantId, race.decide.afterSentMs, decide),
    );
  }
}, 60_000);

afterAll(() => stopLocalHarness(h, env), 60_000);

const withdrawn = (end: RunEnd['end'], outcome?: string) => ({
  end: expect.objectContaining({ end, ...(outcome ? { outcome } : {}) }),
  calls: [],
  tenantStatus: 'active',
  deactivatesBeforeDecision: 0,
});

describe('a decision before the deactivate was sent withdraws it: no call at all', () => {
  it('a cancel signal ends the run cancelled', async () => {
    const seen = await scenarios.get('cancel signal');
    expect(seen).toEqual(withdrawn('completed', 'cancelled'));
    expect(seen.end.status?.deactivateAttemptsStarted).toBeUndefined();
  }, 120_000);

  it('a reactivate Update ends the run cancelled', async () => {
    expect(await scenarios.get('reactivate update')).toEqual(withdrawn('completed', 'cancelled'));
  }, 120_000);

  it('a Temporal cancellation request ends the run Canceled', async () => {
    expect(await scenarios.get('cancellation request')).toEqual(withdrawn('canceled'));
  }, 120_000);
});

describe('a decision after the deactivate may have been sent waits for it and undoes it', () => {
  it('a deactivate in flight is answered, then reactivated', async () => {
    const seen = await scenarios.get('in flight');
    expect(seen.deactivatesBeforeDecision).toBe(1);
    expect(seen.end).toEqual(expect.objectContaining({ end: 'completed', outcome: 'cancelled' }));
    expect(seen.calls[0]).toBe('deactivate');
    expect(seen.calls).toContain('reactivate');
    expect(seen.tenantStatus).toBe('active');
    expect(seen.end.status?.deactivateAttemptsStarted).toBeUndefined(); // answered: no failed attempt to count
  }, 120_000);
});

describe('a decision between attempts, after one that may have reached Qlik, looks at the tenant first', () => {
  it('not applied: the host never answers "deactivated" within the verify timeout, so no reactivation', async () => {
    const seen = await scenarios.get('Wd-Backoff-Refused');
    expect(seen.end).toEqual(expect.objectContaining({ end: 'completed', outcome: 'cancelled' }));
    expect(seen.calls).toEqual(['deactivate']);
    expect(seen.tenantStatus).toBe('active');
    expect(seen.end.status?.deactivateAttemptsStarted).toBe(1);
    expect(seen.end.status?.deactivatedAt).toBeUndefined();
  }, 120_000);

  it('applied with its answer lost: the host shows it, and the tenant is reactivated', async () => {
    const seen = await scenarios.get('Wd-Backoff-Lost');
    expect(seen.end).toEqual(expect.objectContaining({ end: 'completed', outcome: 'cancelled' }));
    expect(seen.calls).toEqual(['deactivate', 'reactivate']);
    expect(seen.tenantStatus).toBe('active');
    expect(seen.end.status?.deactivationConfirmedAt).toBeDefined();
  }, 120_000);
});

describe('the race: decisions sent as the attempts are dispatched', () => {
  it('every tenant ends active, with no call or with its deactivate undone', async () => {
    const seen = await Promise.all(RACES.map((race) => scenarios.get(race.tenantId)));
    const summary = seen.map((s, i) => ({
      tenantId: RACES[i].tenantId,
      end: describeEnd(s.end),
      calls: s.calls.join(','),
      tenantStatus: s.tenantStatus,
    }));
    for (const row of summary) {
      expect({ ...row, end: row.end.startsWith('completed (COMPLETED); outcome cancelled') }).toEqual({
        ...row,
        end: true,
        tenantStatus: 'active',
      });
      expect(['', 'deactivate,reactivate']).toContain(row.calls);
    }
    // Both halves were exercised: some decisions came before their attempt was sent, some after.
    const kinds = new Set(summary.map((row) => row.calls));
    expect([...kinds].sort()).toEqual(['', 'deactivate,reactivate']);
  }, 180_000);
});
