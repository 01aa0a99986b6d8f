/**
 * Issue "[4 of 4] Grace-period controls", item 3: an out-of-band reactivation is noticed within a probe interval or
 * two, not at the purge date (`OFFBOARD_GRACE_PROBE_INTERVAL`). End to end: the dev server, the product's workers,
 * the simulator over real HTTP; the simulator's `setExternalStatus` plays what an admin does in Qlik's console.
 *
 * Days of 500 ms and a probe every 2 s (four days): a 90-day grace period lasts 45 s, and a reactivation is noticed
 * within two probes, some 4–6 s. Every case runs concurrently (drivers start in `beforeAll`); each `it` checks one.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RequestLogEntry, SimTenantView } from '../../src/simulator';
import type { OffboardingStatus } from '../../src/shared/contract';
import { WarningType } from '../../src/shared/failure-types';
import { extendUpdate, reactivateUpdate } from '../../src/workflows/definitions';
import { tenant } from '../../harness/simulator';
import { startReceiver, type Receiver } from '../../harness/webhook-receiver';
import { type Harness, startHarness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import {
  describeEnd,
  offboarding,
  requestsFor,
  Scenarios,
  settle,
  start,
  waitForStatus,
  type Handle,
  type RunEnd,
} from '../support/edges';

const DAY_MS = 500;
/**
 * Four days. Longer than the dev server's timer precision (a timer fires up to a second late: Temporal's
 * `timerProcessorMaxTimeShift`), so that a confirmation due a probe interval (100 ms) after a first "purged" answer
 * still comes well before the next regular probe.
 */
const INTERVAL_MS = 2_000;
const WEBHOOK_SECRET = 'grace-probes-test-webhook-secret';
/** 503 answers between two "active" ones in the continue-as-new case. */
const UNKNOWN_STREAK = 10;

let env: TestWorkflowEnvironment;
/** Grace probes every 2 s, with a webhook. */
let h: Harness;
/** `OFFBOARD_GRACE_PROBE_INTERVAL=off`. */
let off: Harness;
/** Grace probes every 2 s, and a history bound that makes a run continue as new every few probes. */
let can: Harness;
let receiver: Receiver;

interface Observed {
  /** The status once the case's set-up was done (e.g. when the tenant was reactivated out of band). */
  before?: OffboardingStatus;
  end: RunEnd;
  tenant: SimTenantView;
  /** The tenant host's probes (time, HTTP status), in order. */
  probes: Array<Pick<RequestLogEntry, 'at' | 'status'>>;
  /** When the case changed the tenant out of band (real epoch ms). */
  changedAt?: number;
  /** The Web UI's current details while the run slept in its grace period. */
  details?: string;
  /** The status the last run of the chain was started with (continue-as-new). */
  carried?: OffboardingStatus;
}

const scenarios = new Scenarios<Observed>();

const inGrace = (s: OffboardingStatus) => s.phase === 'grace-period';
const sawGraceProbe = (state: 'active' | 'deactivated' | 'purged') => (s: OffboardingStatus) =>
  inGrace(s) && s.graceProbes?.last?.state === state;

async function observe(
  harness: Harness,
  handle: Handle,
  id: string,
  extra: Partial<Observed> = {},
  budgetMs = 90_000,
): Promise<Observed> {
  const end = await settle(handle, budgetMs);
  const probes = requestsFor(harness, id)
    .filter((r) => r.route === 'probe')
    .map(({ at, status }) => ({ at, status }));
  return { ...extra, end, tenant: harness.sim.tenant(id)!, probes };
}

/** Waits for `until`, and fails the case (not the file) with the last status when it does not come. */
async function waitFor(handle: Handle, what: string, until: (s: OffboardingStatus) => boolean, timeoutMs = 30_000) {
  const { reached, status } = await waitForStatus(handle, until, timeoutMs);
  if (!reached) throw new Error(`never ${what}; last status: ${JSON.stringify(status)}`);
  return status;
}

async function currentDetails(handle: Handle): Promise<string> {
  const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
  return metadata.currentDetails ?? '';
}

beforeAll(async () => {
  receiver = await startReceiver(WEBHOOK_SECRET);
  ({ env, h } = await startLocalHarness({
    sim: { dayMs: DAY_MS, tier1PerMinute: 0, tier2PerMinute: 0 },
    env: {
      OFFBOARD_GRACE_PROBE_INTERVAL: `${INTERVAL_MS}ms`,
      REPORT_WEBHOOK_URL: receiver.url,
      REPORT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
  }));
  off = await startHarness(env, {
    sim: { dayMs: DAY_MS, tier1PerMinute: 0, tier2PerMinute: 0 },
    env: { OFFBOARD_GRACE_PROBE_INTERVAL: 'off' },
  });
  can = await startHarness(env, {
    sim: { dayMs: DAY_MS, tier1PerMinute: 0, tier2PerMinute: 0 },
    env: { OFFBOARD_GRACE_PROBE_INTERVAL: `${INTERVAL_MS}ms` },
  });
  // Above the ~30 events before the grace period; then a run continues as new every few probes (about 6 events each).
  can.config.historyBounds = { events: 60, bytes: 4 * 1024 * 1024 };
  // Probes answer 503 while verifying (the run never sees the tenant deactivated), then normally.
  h.sim.setFaults([
    { route: 'probe', tenantId: 'GpNeverSeen', kind: '503', times: 6 },
    // Every deactivate after the first is refused, as Qlik refuses purgeAfterDays outside OEM agreements.
    { route: 'deactivate', tenantId: 'GpExtensionRefused', kind: '403', after: 'deactivate' },
  ]);
  await Promise.all([h.startWorkers(), off.startWorkers(), can.startWorkers()]);

  scenarios.run('out of band', async () => {
    const id = 'GpOutOfBand';
    h.sim.addTenant(tenant(id));
    const handle = await start(h, offboarding(id, { purgeAfterDays: 90 }));
    await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    const details = await currentDetails(handle);
    h.sim.setExternalStatus(id, 'active');
    const changedAt = Date.now();
    return observe(h, handle, id, { changedAt, details, before: await handle.query('status') });
  });

  scenarios.run('never seen deactivated', async () => {
    const id = 'GpNeverSeen';
    h.sim.addTenant(tenant(id));
    // 30 days: 15 s, of which the verify timeout takes 3.
    const handle = await start(h, offboarding(id, { purgeAfterDays: 30 }));
    // Reactivated out of band while the probes of verifying still get 503s: the run never sees it deactivated.
    await waitFor(handle, 'verifying', (s) => s.phase === 'verifying');
    h.sim.setExternalStatus(id, 'active');
    return observe(h, handle, id, { changedAt: Date.now() });
  });

  scenarios.run('slow to show it', async () => {
    const id = 'GpSlowHost';
    // The host shows the deactivation only after the whole run.
    h.sim.addTenant({ ...tenant(id), propagationDelayMs: 10 * 60_000 });
    const handle = await start(h, offboarding(id, { purgeAfterDays: 30 }));
    return observe(h, handle, id);
  });

  scenarios.run('extended after an out-of-band reactivation', async () => {
    const id = 'GpExtendedSlowHost';
    // Every deactivate of this tenant shows on its host only 6 s (three probe intervals) later.
    h.sim.addTenant({ ...tenant(id), propagationDelayMs: 6_000 });
    const handle = await start(h, offboarding(id, { purgeAfterDays: 30 }));
    await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    // Reactivated in the console, then extended: the extension's repeat deactivate is a fresh one for the host,
    // which answers "active" for two intervals although the tenant is deactivated again.
    h.sim.setExternalStatus(id, 'active');
    const changedAt = Date.now();
    const before = await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 60, requestedBy: 'csm' }] });
    return observe(h, handle, id, { before, changedAt });
  });

  scenarios.run('extension refused after an out-of-band reactivation', async () => {
    const id = 'GpExtensionRefused';
    h.sim.addTenant(tenant(id));
    const handle = await start(h, offboarding(id, { purgeAfterDays: 90 }));
    await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    h.sim.setExternalStatus(id, 'active');
    const changedAt = Date.now();
    await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 90, requestedBy: 'csm' }] });
    return observe(h, handle, id, { changedAt });
  });

  scenarios.run('purged early', async () => {
    const id = 'GpPurgedEarly';
    h.sim.addTenant(tenant(id));
    const handle = await start(h, offboarding(id, { purgeAfterDays: 90 }));
    await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    h.sim.setExternalStatus(id, 'deleted');
    return observe(h, handle, id, { changedAt: Date.now() });
  });

  scenarios.run('deactivated only', async () => {
    const id = 'GpDeactivated';
    h.sim.addTenant(tenant(id));
    const handle = await start(h, offboarding(id, { purgeAfterDays: 24 }));
    const before = await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    return observe(h, handle, id, { before, details: await currentDetails(handle) });
  });

  scenarios.run('active once', async () => {
    const id = 'GpActiveOnce';
    h.sim.addTenant(tenant(id));
    const handle = await start(h, offboarding(id, { purgeAfterDays: 30 }));
    await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    h.sim.setExternalStatus(id, 'active');
    const before = await waitFor(handle, 'probed "active"', sawGraceProbe('active'));
    // Deactivated again in the console before the next probe, with the run's purge date (rounded up to a day).
    const daysLeft = Math.ceil((Date.parse(before.estimatedPurgeDate!) - Date.now()) / DAY_MS);
    h.sim.setExternalStatus(id, 'disabled', { purgeAfterDays: daysLeft });
    return observe(h, handle, id, { before, changedAt: Date.now() });
  });

  scenarios.run('reactivate update', async () => {
    const id = 'GpDecided';
    h.sim.addTenant(tenant(id));
    const handle = await start(h, offboarding(id, { purgeAfterDays: 90 }));
    await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    const changedAt = Date.now();
    const before = await handle.executeUpdate(reactivateUpdate, { args: [{ reason: 'renewed', requestedBy: 'crm' }] });
    return observe(h, handle, id, { before, changedAt });
  });

  scenarios.run('cancellation request', async () => {
    const id = 'GpCancelRequest';
    h.sim.addTenant(tenant(id));
    const handle = await start(h, offboarding(id, { purgeAfterDays: 90 }));
    await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    const changedAt = Date.now();
    await handle.cancel();
    return observe(h, handle, id, { changedAt });
  });

  scenarios.run('off', async () => {
    const id = 'GpOff';
    off.sim.addTenant(tenant(id));
    const handle = await start(off, offboarding(id, { purgeAfterDays: 10 }));
    const before = await waitFor(handle, 'in the grace period', inGrace);
    return observe(off, handle, id, { before });
  });

  scenarios.run('continue-as-new', async () => {
    const id = 'GpCarried';
    can.sim.addTenant(tenant(id));
    const handle = await start(can, offboarding(id, { purgeAfterDays: 90 }));
    await waitFor(handle, 'probed "deactivated" in the grace period', sawGraceProbe('deactivated'));
    // Reactivated out of band; the next probe sees it "active", then the host answers 503 for ten probes (unknown:
    // they break no row), some 60 events, more than a run holds under the bound. The confirming "active" therefore
    // comes in a later run, which must know when the first one came.
    can.sim.setFaults([{ route: 'probe', tenantId: id, sequence: ['ok', ...Array(UNKNOWN_STREAK).fill('503')] }]);
    can.sim.setExternalStatus(id, 'active');
    const changedAt = Date.now();
    const end = await observe(can, handle, id, { changedAt });
    // What the last run of the chain was started with: the status an earlier run carried over.
    const history = await can.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[1]?.data;
    const carried = payload
      ? (JSON.parse(Buffer.from(payload).toString('utf8')) as { status: OffboardingStatus })
      : undefined;
    return { ...end, carried: carried?.status };
  });
}, 180_000);

afterAll(async () => {
  await off?.close();
  await can?.close();
  await stopLocalHarness(h, env);
  await receiver?.close();
});

const purgeDateOf = (seen: Observed) => Date.parse(seen.end.status!.estimatedPurgeDate!);

describe('grace-period probes (OFFBOARD_GRACE_PROBE_INTERVAL)', () => {
  it('reactivated out of band after an observed deactivation: ends reactivated-externally within two probes, long before the purge date', async () => {
    const seen = await scenarios.get('out of band');
    const status = seen.end.status!;
    expect({ end: describeEnd(seen.end), outcome: seen.end.outcome }).toEqual({
      end: 'completed (COMPLETED); outcome reactivated-externally',
      outcome: 'reactivated-externally',
    });
    expect(status.deactivationConfirmedAt).toBeDefined();
    // Two "active" answers one interval apart, and then no more probes.
    const after = seen.probes.filter((p) => p.at >= seen.changedAt!);
    expect(after).toHaveLength(2);
    expect(after[1]!.at - after[0]!.at).toBeGreaterThanOrEqual(INTERVAL_MS);
    expect(seen.end.closedAt - seen.changedAt!).toBeLessThan(2 * INTERVAL_MS + 4_000);
    expect(purgeDateOf(seen) - seen.end.closedAt).toBeGreaterThan(30_000);
    expect(status.graceProbes).toMatchObject({ intervalMs: INTERVAL_MS, last: { state: 'active' } });
    expect(status.graceProbes!.nextAt).toBeUndefined();
    // The tenant is left as the admin made it: active, and the run never called Qlik's reactivate.
    expect(seen.tenant).toMatchObject({ status: 'active', reactivateCount: 0 });
    // The webhook's final report says so.
    const finals = receiver.processed.filter((r) => r.workflowId === 'offboard-tenant-GpOutOfBand');
    expect(finals.map((r) => [r.event, r.outcome])).toEqual([
      ['deactivated', undefined],
      ['final-report', 'reactivated-externally'],
    ]);
    const note = finals[1]!.notes.find((n) => n.code === 'REACTIVATED_EXTERNALLY');
    expect(note?.text).toContain(`first seen active at ${status.graceProbes!.activeSince}`);
    // The Web UI said when the next probe was due and what the last one saw.
    expect(seen.details).toMatch(
      /\*\*Grace probes\*\* every 2000 ms \(jittered\); next at \S+Z; \d+ sent, last at \S+Z: deactivated/,
    );
  });

  it('never seen deactivated (503s while verifying, reactivated meanwhile): a ReactivatedExternallyUnconfirmed warning, watched to the purge date', async () => {
    const seen = await scenarios.get('never seen deactivated');
    const status = seen.end.status!;
    // At the purge date the host still answers "active": reactivated externally, as without probes.
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome reactivated-externally');
    expect(status.deactivationConfirmedAt).toBeUndefined();
    expect(status.lastError).toMatchObject({ type: WarningType.ReactivatedExternallyUnconfirmed });
    expect(status.lastError!.message).toMatch(/has not seen it answer "deactivated" since its last deactivate/);
    expect(seen.end.closedAt).toBeGreaterThanOrEqual(purgeDateOf(seen));
    // It went on probing after the warning: more than the two "active" answers that raised it.
    expect(status.graceProbes!.probes).toBeGreaterThanOrEqual(3);
  });

  it('deactivated but slow to show it: the warning, the watch to the purge date, and the purge', async () => {
    const seen = await scenarios.get('slow to show it');
    const status = seen.end.status!;
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome purged');
    expect(status.lastError).toMatchObject({ type: WarningType.ReactivatedExternallyUnconfirmed });
    expect(Date.parse(status.purgeConfirmedAt!)).toBeGreaterThanOrEqual(purgeDateOf(seen));
  });

  it('an extension is a deactivate: "active" after it counts only once the host showed it (here: purged at the new date)', async () => {
    const seen = await scenarios.get('extended after an out-of-band reactivation');
    const status = seen.end.status!;
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome purged');
    expect(status.extensions).toMatchObject([{ state: 'applied', purgeAfterDays: 60, requestedBy: 'csm' }]);
    expect(seen.tenant).toMatchObject({ status: 'deleted', deactivateCount: 2, reactivateCount: 0 });
    // The host answered "active" for three intervals after the repeat deactivate: a warning, not the end of the
    // watch (before the rule counted the repeat deactivate, the run ended reactivated-externally here).
    expect(seen.probes.filter((p) => p.at >= seen.changedAt!).length).toBeGreaterThanOrEqual(3);
    expect(status.lastError).toMatchObject({ type: WarningType.ReactivatedExternallyUnconfirmed });
    expect(Date.parse(status.purgeConfirmedAt!)).toBeGreaterThanOrEqual(
      Date.parse(status.extensions![0]!.estimatedPurgeDate!),
    );
    expect(status.redeactivationUnseenSince).toBeUndefined();
  });

  it('a refused extension changed nothing: the reactivation out of band is still noticed within two probes', async () => {
    const seen = await scenarios.get('extension refused after an out-of-band reactivation');
    const status = seen.end.status!;
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome reactivated-externally');
    expect(status.extensions).toMatchObject([{ state: 'refused' }]);
    expect(status.redeactivationUnseenSince).toBeUndefined();
    expect(purgeDateOf(seen) - seen.end.closedAt).toBeGreaterThan(20_000);
    expect(seen.tenant).toMatchObject({ status: 'active', deactivateCount: 1 });
  });

  it('purged before the date: two "purged" answers a probe interval apart end the run purged', async () => {
    const seen = await scenarios.get('purged early');
    const status = seen.end.status!;
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome purged');
    const after = seen.probes.filter((p) => p.at >= seen.changedAt!);
    // LOGIN-2 twice, 100 ms (OFFBOARD_PROBE_INITIAL_INTERVAL) apart, not a grace interval.
    expect(after).toHaveLength(2);
    expect(after[1]!.at - after[0]!.at).toBeGreaterThanOrEqual(100);
    expect(after[1]!.at - after[0]!.at).toBeLessThan(INTERVAL_MS);
    expect(purgeDateOf(seen) - Date.parse(status.purgeConfirmedAt!)).toBeGreaterThan(30_000);
    expect(seen.tenant.status).toBe('deleted');
  });

  it('"deactivated" answers change nothing: about one probe an interval, purged at the date; the Web UI tells the next probe', async () => {
    const seen = await scenarios.get('deactivated only');
    const status = seen.end.status!;
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome purged');
    expect(Date.parse(status.purgeConfirmedAt!)).toBeGreaterThanOrEqual(purgeDateOf(seen));
    // One probe per interval of the grace period (the first one jittered into the first interval).
    const graceMs = purgeDateOf(seen) - Date.parse(seen.before!.phaseSince);
    const graceProbes = status.graceProbes!.probes;
    expect(graceProbes).toBeGreaterThanOrEqual(Math.floor(graceMs / INTERVAL_MS) - 1);
    expect(graceProbes).toBeLessThanOrEqual(Math.ceil(graceMs / INTERVAL_MS));
    expect(status.lastError).toBeUndefined();
    expect(seen.details).toMatch(
      /\*\*Grace probes\*\* every 2000 ms \(jittered\); next at \S+Z; \d+ sent, last at \S+Z: deactivated/,
    );
  });

  it('a single "active" then "deactivated" changes nothing: it takes two in a row', async () => {
    const seen = await scenarios.get('active once');
    expect(seen.before!.graceProbes!.activeSince).toBeDefined();
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome purged');
    expect(seen.end.closedAt).toBeGreaterThanOrEqual(purgeDateOf(seen));
    expect(seen.end.status!.lastError).toBeUndefined();
  });

  it('a reactivate Update during the grace period is still carried out at once', async () => {
    const seen = await scenarios.get('reactivate update');
    expect(seen.before!.decidedBy).toMatchObject({ message: 'reactivate', requestedBy: 'crm' });
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome reactivated');
    expect(seen.tenant).toMatchObject({ status: 'active', reactivateCount: 1 });
    expect(seen.end.closedAt - seen.changedAt!).toBeLessThan(5_000);
  });

  it('a cancellation request during the grace period still reactivates, and the run ends Canceled', async () => {
    const seen = await scenarios.get('cancellation request');
    expect(describeEnd(seen.end)).toBe('canceled (CANCELLED)');
    expect(seen.tenant).toMatchObject({ status: 'active', reactivateCount: 1 });
    expect(seen.end.closedAt - seen.changedAt!).toBeLessThan(5_000);
  });

  it('off: no probe between the verification and the purge date, and no graceProbes in the status', async () => {
    const seen = await scenarios.get('off');
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome purged');
    const graceSince = Date.parse(seen.before!.phaseSince);
    expect(seen.probes.filter((p) => p.at > graceSince && p.at < purgeDateOf(seen))).toEqual([]);
    expect(seen.end.status!.graceProbes).toBeUndefined();
  });

  it('a run that continues as new in its grace period carries the first "active" answer: the confirming one in a later run ends it', async () => {
    const seen = await scenarios.get('continue-as-new');
    const status = seen.end.status!;
    expect(describeEnd(seen.end)).toBe('completed (COMPLETED); outcome reactivated-externally');
    // The first "active" answer, the ten 503s, the confirming "active".
    const after = seen.probes.filter((p) => p.at >= seen.changedAt!).map((p) => p.status);
    expect(after).toEqual([401, ...Array(UNKNOWN_STREAK).fill(503), 401]);
    const firstActiveAt = new Date(seen.probes.find((p) => p.at >= seen.changedAt!)!.at);
    // The row began with the first answer, and the run that ended it was started with it.
    expect(Math.abs(Date.parse(status.graceProbes!.activeSince!) - firstActiveAt.getTime())).toBeLessThan(1_000);
    expect(seen.carried?.phase).toBe('grace-period');
    expect(seen.carried?.graceProbes?.activeSince).toBe(status.graceProbes!.activeSince);
    expect(purgeDateOf(seen) - seen.end.closedAt).toBeGreaterThan(5_000);
  });
});
