/**
 * Issue "[1 of 4] Hardening", item 1: "active" right after a possibly applied call is not an answer (contract v3;
 * QLIK-API §2, §3, §5). End to end: the dev server, the product's workers, the simulator over real HTTP.
 *
 * The tenant host keeps answering "active" for a propagation delay after the deactivate took effect. Delays are
 * chosen relative to the probe interval (a constant `PROBE_INTERVAL_MS` here): `short` is under one interval but
 * outlasts the pause before a repeat deactivate (the activity's 1 s retry), so the first probe after the repeat still
 * sees "active"; `long` spans more than two intervals. Both stay under `OFFBOARD_VERIFY_TIMEOUT`, so by the v3 rule a
 * run must still see the tenant deactivated before it may conclude anything from "active".
 *
 * Every case runs concurrently (drivers start in `beforeAll`); each `it` checks one case's observations.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FaultRule, FaultStep, SimTenantView } from '../../src/simulator';
import type { OffboardingStatus } from '../../src/shared/contract';
import { cancelSignal, cancelUpdate, reactivateSignal } from '../../src/workflows/definitions';
import { tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import {
  count,
  describeEnd,
  offboarding,
  requestsFor,
  Scenarios,
  settle,
  start,
  waitForRequest,
  waitForStatus,
  type RunEnd,
} from '../support/edges';

const PROBE_INTERVAL_MS = 4_000;
// Long enough that a fixed run sees the long delay end with a few probes to spare, even on a loaded machine.
const VERIFY_TIMEOUT_MS = 18_000;
const DAY_MS = 300;
const DELAYS = { short: 3_000, long: 9_000 } as const;
type Delay = keyof typeof DELAYS;

/** What each refusal of a repeat deactivate becomes (CONTRACT "Result"). */
const REFUSALS = {
  '400': 'RequestRejected',
  '403': 'Forbidden',
  '404': 'TenantNotFound',
  '409': 'RequestRejected',
  '412': 'HostnameMismatch',
} as const;
type Refusal = keyof typeof REFUSALS;
/** A repeat deactivate's answers: each refusal, or 200 with a new, later date. */
const REPEAT_ANSWERS = [...(Object.keys(REFUSALS) as Refusal[]), '200'] as const;
type RepeatAnswer = (typeof REPEAT_ANSWERS)[number];

let env: TestWorkflowEnvironment;
let h: Harness;

interface Observed {
  /** The status when the run reached verifying or the grace period, or the last one seen if it never did. */
  watching: { reached: boolean; status: OffboardingStatus };
  end: RunEnd;
  tenant: SimTenantView;
  /** Real ms from the first deactivate attempt to the run's end. */
  firstAttemptToEndMs?: number;
  reactivates: number;
  /** The purge date the simulator held when the run reached the grace period (that of the last deactivate). */
  simPurgeDate?: string;
}

const scenarios = new Scenarios<Observed>();

const id = (...parts: (string | number)[]) => ['Lag', ...parts].join('-');

function firstDeactivateAt(tenantId: string): number | undefined {
  return requestsFor(h, tenantId).find((r) => r.route === 'deactivate')?.at;
}

/** The fault rules of every case, set once before any case starts (setting rules restarts their sequences). */
const rules: FaultRule[] = [];

/** (a) and (b): a first deactivate attempt `first`, then the repeat answered `repeat`. */
function deactivateRules(tenantId: string, first: 'lost' | 'reset', repeat: RepeatAnswer): FaultRule[] {
  const second: FaultStep = repeat === '200' ? 'ok' : { kind: repeat };
  return [{ route: 'deactivate', tenantId, sequence: [first, second] }];
}

/** (a) and (b), with the tenant host lagging `delayMs` behind a deactivation. */
async function deactivatePath(tenantId: string) {
  const handle = await start(h, offboarding(tenantId, { purgeAfterDays: 90 }));
  let watching = await waitForStatus(handle, (s) => s.phase === 'verifying' || s.phase === 'grace-period', 40_000);
  let simPurgeDate: string | undefined;
  if (watching.reached) {
    // Keep the test short: once the run watches the tenant, undo the offboarding.
    const grace = await waitForStatus(handle, (s) => s.phase === 'grace-period', 30_000);
    if (grace.reached) watching = grace;
    simPurgeDate = h.sim.tenant(tenantId)?.estimatedPurgeDate;
    await handle.signal(cancelSignal, { reason: 'test over' });
  }
  const end = await settle(handle, 45_000);
  const started = firstDeactivateAt(tenantId);
  return {
    watching,
    end,
    tenant: h.sim.tenant(tenantId)!,
    firstAttemptToEndMs: started === undefined ? undefined : end.closedAt - started,
    reactivates: count(h, tenantId, 'reactivate'),
    simPurgeDate,
  };
}

/** (c): a slow deactivate (so that a decision can arrive while it is in flight); the first reactivate refused. */
function reactivateRules(tenantId: string, refusal: Refusal): FaultRule[] {
  return [
    { route: 'deactivate', tenantId, sequence: [{ kind: 'slow', delayMs: 1_500 }] },
    { route: 'reactivate', tenantId, sequence: [{ kind: refusal }] },
  ];
}

/** (c): the decision arrives while the deactivate is in flight. */
async function reactivatePath(tenantId: string, decision: 'cancel' | 'reactivate') {
  const handle = await start(h, offboarding(tenantId, { purgeAfterDays: 90 }));
  const inFlight = await waitForRequest(h, tenantId, (r) => r.route === 'deactivate' && r.pending === true, 20_000);
  if (!inFlight) throw new Error(`${tenantId}: the deactivate was never in flight`);
  if (decision === 'cancel') await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'customer stayed' }] });
  else await handle.signal(reactivateSignal, { reason: 'customer renewed' });
  const end = await settle(handle, 45_000);
  return {
    watching: { reached: true, status: end.status! },
    end,
    tenant: h.sim.tenant(tenantId)!,
    reactivates: count(h, tenantId, 'reactivate'),
  };
}

const deactivateCases = REPEAT_ANSWERS.flatMap((repeat) =>
  (Object.keys(DELAYS) as Delay[]).map((delay) => ({ repeat, delay, tenantId: id('D', repeat, delay) })),
);
const neverAppliedCases = (Object.keys(REFUSALS) as Refusal[]).map((refusal) => ({
  refusal,
  tenantId: id('N', refusal),
}));
const reactivateCases = (['400', '403', '409'] as const).flatMap((refusal, i) =>
  (Object.keys(DELAYS) as Delay[]).map((delay, j) => ({
    refusal,
    delay,
    decision: (i + j) % 2 === 0 ? ('cancel' as const) : ('reactivate' as const),
    tenantId: id('R', refusal, delay),
  })),
);

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({
    sim: { dayMs: DAY_MS },
    env: {
      OFFBOARD_PROBE_INITIAL_INTERVAL: `${PROBE_INTERVAL_MS}ms`,
      OFFBOARD_PROBE_MAX_INTERVAL: `${PROBE_INTERVAL_MS}ms`,
      OFFBOARD_VERIFY_TIMEOUT: `${VERIFY_TIMEOUT_MS}ms`,
    },
  }));
  await h.startWorkers();
  for (const c of deactivateCases) {
    h.sim.addTenant({ ...tenant(c.tenantId), propagationDelayMs: DELAYS[c.delay] });
    rules.push(...deactivateRules(c.tenantId, 'lost', c.repeat));
  }
  for (const c of neverAppliedCases) {
    // Nothing is applied, so the host answers "active" throughout: the tenant really is active.
    h.sim.addTenant(tenant(c.tenantId));
    rules.push(...deactivateRules(c.tenantId, 'reset', c.refusal));
  }
  for (const c of reactivateCases) {
    h.sim.addTenant({ ...tenant(c.tenantId), propagationDelayMs: DELAYS[c.delay] });
    rules.push(...reactivateRules(c.tenantId, c.refusal));
  }
  h.sim.setFaults(rules);
  for (const c of [...deactivateCases, ...neverAppliedCases])
    scenarios.run(c.tenantId, () => deactivatePath(c.tenantId));
  for (const c of reactivateCases) scenarios.run(c.tenantId, () => reactivatePath(c.tenantId, c.decision));
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

describe('offboardTenant: "active" right after a possibly applied deactivate', () => {
  it.each(deactivateCases.filter((c) => c.repeat !== '200'))(
    'keeps watching a tenant whose lost deactivate was applied when the repeat is refused with $repeat and the host still answers active ($delay propagation delay)',
    async ({ tenantId }) => {
      const seen = await scenarios.get(tenantId);
      expect({
        endedWhileDeactivated:
          seen.end.end === 'failed' && seen.tenant.status === 'disabled' ? describeEnd(seen.end) : false,
        wentOnToWatch: seen.watching.reached,
        purgeDateSource: seen.watching.status.purgeDateSource,
        end: seen.end.end,
        outcome: seen.end.outcome,
        tenant: seen.tenant.status,
        reactivatesThatTookEffect: seen.tenant.reactivateCount,
      }).toEqual({
        endedWhileDeactivated: false,
        wentOnToWatch: true,
        // A refused repeat carries no date: it is computed.
        purgeDateSource: 'computed',
        end: 'completed',
        outcome: 'cancelled',
        tenant: 'active',
        reactivatesThatTookEffect: 1,
      });
    },
    90_000,
  );

  it.each(deactivateCases.filter((c) => c.repeat === '200'))(
    'goes on to the grace period with the new date when the repeat of a lost deactivate answers 200 ($delay propagation delay)',
    async ({ tenantId }) => {
      const seen = await scenarios.get(tenantId);
      expect({
        wentOnToWatch: seen.watching.reached,
        purgeDateSource: seen.watching.status.purgeDateSource,
        end: describeEnd(seen.end),
        tenant: seen.tenant.status,
      }).toEqual({
        wentOnToWatch: true,
        purgeDateSource: 'qlik',
        end: 'completed (COMPLETED); outcome cancelled',
        tenant: 'active',
      });
      // The date of the last answer (the repeat's) is the one that holds.
      expect(seen.watching.status.estimatedPurgeDate).toBe(seen.simPurgeDate);
    },
    90_000,
  );
});

describe('offboardTenant: a refused deactivate whose earlier attempt was never applied', () => {
  it.each(neverAppliedCases)(
    'fails with the refusal type of $refusal when the host answers nothing but active, and the tenant was never deactivated',
    async ({ tenantId, refusal }) => {
      const seen = await scenarios.get(tenantId);
      expect({ end: seen.end.end, failureType: seen.end.failureType, tenant: seen.tenant.status }).toEqual({
        end: 'failed',
        failureType: REFUSALS[refusal],
        tenant: 'active',
      });
      expect(seen.tenant.deactivateCount).toBe(0);
      expect(seen.reactivates).toBe(0);
    },
    90_000,
  );

  it.each(neverAppliedCases)(
    'does not conclude "never deactivated" from "active" before OFFBOARD_VERIFY_TIMEOUT has passed since the unclear attempt ($refusal)',
    async ({ tenantId }) => {
      const seen = await scenarios.get(tenantId);
      expect(seen.firstAttemptToEndMs).toBeGreaterThanOrEqual(VERIFY_TIMEOUT_MS);
    },
    90_000,
  );
});

describe('offboardTenant: "active" right after a refused reactivate', () => {
  it.each(reactivateCases)(
    'keeps retrying the reactivation until the tenant is really active when $decision arrives during the deactivate, the first reactivate is refused with $refusal and the host still answers active ($delay propagation delay)',
    async ({ tenantId, decision }) => {
      const seen = await scenarios.get(tenantId);
      expect({
        end: describeEnd({ ...seen.end, status: undefined }),
        tenant: seen.tenant.status,
        reactivatesThatTookEffect: seen.tenant.reactivateCount,
      }).toEqual({
        end: `completed (COMPLETED); outcome ${decision === 'cancel' ? 'cancelled' : 'reactivated'}`,
        tenant: 'active',
        reactivatesThatTookEffect: 1,
      });
      expect(seen.reactivates).toBeGreaterThanOrEqual(2);
    },
    90_000,
  );
});
