/**
 * Issue "[1 of 4] Hardening", item 4: Qlik's `estimatedPurgeDate` is checked before it is trusted (contract v3).
 * It is adopted only when it lies 9 to 91 days (of `OFFBOARD_DAY_LENGTH`, here the simulator's short day) after the
 * deactivate answer; otherwise the date is computed (`purgeDateSource: "computed"`, deactivation + `purgeAfterDays`
 * days) and `lastError` carries an `ImplausiblePurgeDate` warning. A recorded decision always gets at least one
 * reactivation attempt.
 *
 * The simulator answers each tenant's deactivate with that tenant's `purgeDateAnswer`, verbatim, while purging it at
 * the real date. Once a run is past the point where the date is adopted, the test cancels it (to keep it short) and
 * checks that the tenant ends active. The cases run concurrently.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OffboardingStatus } from '../../src/shared/contract';
import { cancelSignal, cancelUpdate } from '../../src/workflows/definitions';
import { tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import {
  count,
  describeEnd,
  offboarding,
  Scenarios,
  settle,
  start,
  waitForRequest,
  waitForStatus,
  type Handle,
  type RunEnd,
} from '../support/edges';

/** One simulated day: `OFFBOARD_DAY_LENGTH` of the workers, and the simulator's day. */
const DAY_MS = 1_000;
const PURGE_AFTER_DAYS = 10;

let env: TestWorkflowEnvironment;
let h: Harness;

interface Answer {
  tenantId: string;
  what: string;
  /**
   * The simulator's answer, from the time the tenant is seeded (just before its run starts); undefined: its own
   * (`purgeAfterDays` days from the deactivate).
   */
  answer?: (seededAt: number) => string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Answers that are not 9–91 days after the deactivate answer. */
const IMPLAUSIBLE: Answer[] = [
  { tenantId: 'Pd-Past', what: 'a date in the past (clock skew)', answer: (t) => iso(t - 5 * 60_000) },
  { tenantId: 'Pd-1970', what: 'the sentinel 1970-01-01T00:00:00Z', answer: () => '1970-01-01T00:00:00Z' },
  {
    tenantId: 'Pd-DateOnly-Today',
    what: "a date without time (today's, i.e. midnight past)",
    answer: (t) => iso(t).slice(0, 10),
  },
  { tenantId: 'Pd-DateOnly', what: 'a date without time (2026-12-30)', answer: () => '2026-12-30' },
  { tenantId: 'Pd-9999', what: 'year 9999', answer: () => '9999-12-31T23:59:59Z' },
  // Measured from the seed, a little before the answer: 8 days is under 9 whenever the answer comes.
  { tenantId: 'Pd-8d', what: '8 days ahead', answer: (t) => iso(t + 8 * DAY_MS) },
  { tenantId: 'Pd-95d', what: '95 days ahead', answer: (t) => iso(t + 95 * DAY_MS) },
];

/** Answers that must still be adopted as they are. */
const PLAUSIBLE: Answer[] = [
  { tenantId: 'Pd-Own', what: `Qlik's own answer (${PURGE_AFTER_DAYS} days)` },
  { tenantId: 'Pd-30d', what: '30 days ahead', answer: (t) => iso(t + 30 * DAY_MS) },
];

/** A decision while the deactivate is in flight, and Qlik answers a date in the past. */
const DECIDED_WHILE_DEACTIVATING: Answer[] = [
  { tenantId: 'Pd-Dec-Past', what: 'a date in the past', answer: (t) => iso(t - 60 * 60_000) },
  { tenantId: 'Pd-Dec-1970', what: 'the sentinel 1970-01-01T00:00:00Z', answer: () => '1970-01-01T00:00:00Z' },
];

interface Observed {
  /** The status once the run was past adopting the date (grace period or later). */
  adopted: OffboardingStatus;
  end: RunEnd;
  tenant: string;
  reactivatesThatTookEffect: number;
  reactivateRequests: number;
}

/** Runs until the date is adopted, records the status, then cancels. */
async function adoptThenCancel(a: Answer): Promise<Observed> {
  const handle = await start(h, offboarding(a.tenantId, { purgeAfterDays: PURGE_AFTER_DAYS }));
  const beforeDate: OffboardingStatus['phase'][] = ['validating', 'deactivating', 'verifying'];
  const { status: adopted } = await waitForStatus(handle, (s) => !beforeDate.includes(s.phase), 30_000);
  // A signal, not the Update: where the date was taken as past, the Update would be rejected (or the run is over).
  await handle.signal(cancelSignal, { reason: 'test over' }).catch((error: unknown) => {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  });
  return observe(a, adopted, handle);
}

/** How the run ended, with the date it adopted, and what Qlik saw of the tenant's reactivation. */
async function observe(a: Answer, adopted: OffboardingStatus, handle: Handle): Promise<Observed> {
  const end = await settle(handle, 40_000);
  const view = h.sim.tenant(a.tenantId)!;
  return {
    adopted,
    end,
    tenant: view.status,
    reactivatesThatTookEffect: view.reactivateCount,
    reactivateRequests: count(h, a.tenantId, 'reactivate'),
  };
}

/** Decides (cancelOffboarding) while the slow deactivate is in flight. */
async function decideWhileDeactivating(a: Answer): Promise<Observed> {
  const handle = await start(h, offboarding(a.tenantId, { purgeAfterDays: PURGE_AFTER_DAYS }));
  const inFlight = await waitForRequest(h, a.tenantId, (r) => r.route === 'deactivate' && r.pending === true);
  if (!inFlight) throw new Error(`${a.tenantId}: the deactivate was never in flight`);
  const adopted = await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'customer stayed' }] });
  return observe(a, adopted, handle);
}

const scenarios = new Scenarios<Observed>();
/** Each tenant's answer as given to the simulator. */
const answered = new Map<string, string>();

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({ sim: { dayMs: DAY_MS } }));
  await h.startWorkers();
  const seededAt = Date.now();
  for (const a of [...IMPLAUSIBLE, ...PLAUSIBLE, ...DECIDED_WHILE_DEACTIVATING]) {
    const purgeDateAnswer = a.answer?.(seededAt);
    if (purgeDateAnswer !== undefined) answered.set(a.tenantId, purgeDateAnswer);
    h.sim.addTenant({ ...tenant(a.tenantId), ...(purgeDateAnswer !== undefined ? { purgeDateAnswer } : {}) });
  }
  h.sim.setFaults(
    DECIDED_WHILE_DEACTIVATING.map((a) => ({
      route: 'deactivate' as const,
      tenantId: a.tenantId,
      // Under the harness's 2 s request timeout: the call answers normally.
      sequence: [{ kind: 'slow' as const, delayMs: 1_500 }],
    })),
  );
  for (const a of [...IMPLAUSIBLE, ...PLAUSIBLE]) scenarios.run(a.tenantId, () => adoptThenCancel(a));
  for (const a of DECIDED_WHILE_DEACTIVATING) scenarios.run(a.tenantId, () => decideWhileDeactivating(a));
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

/** Whether `status` holds a date computed from the deactivation: deactivatedAt + purgeAfterDays days (± 1.5 s). */
function isComputedFromDeactivation(status: OffboardingStatus): boolean | string {
  if (!status.deactivatedAt || !status.estimatedPurgeDate) return `no date (deactivatedAt ${status.deactivatedAt})`;
  const expected = Date.parse(status.deactivatedAt) + PURGE_AFTER_DAYS * DAY_MS;
  const off = Date.parse(status.estimatedPurgeDate) - expected;
  return Math.abs(off) <= 1_500 || `${status.estimatedPurgeDate} (deactivatedAt ${status.deactivatedAt})`;
}

describe("offboardTenant: Qlik's estimatedPurgeDate is checked before it is trusted", () => {
  it.each(IMPLAUSIBLE)(
    'computes the purge date and warns ImplausiblePurgeDate when Qlik answers $what',
    async (a) => {
      const seen = await scenarios.get(a.tenantId);
      expect({
        purgeDateSource: seen.adopted.purgeDateSource,
        lastError: seen.adopted.lastError?.type,
        computedFromDeactivation: isComputedFromDeactivation(seen.adopted),
        phaseOnceAdopted: seen.adopted.phase,
        end: describeEnd({ ...seen.end, status: undefined }),
        tenant: seen.tenant,
      }).toEqual({
        purgeDateSource: 'computed',
        lastError: 'ImplausiblePurgeDate',
        computedFromDeactivation: true,
        // The real grace period is running: the decision is still possible.
        phaseOnceAdopted: 'grace-period',
        end: 'completed (COMPLETED); outcome cancelled',
        tenant: 'active',
      });
    },
    90_000,
  );

  it.each(PLAUSIBLE)(
    'adopts the date as Qlik answered it when Qlik answers $what',
    async (a) => {
      const seen = await scenarios.get(a.tenantId);
      expect({
        purgeDateSource: seen.adopted.purgeDateSource,
        lastError: seen.adopted.lastError?.type,
        end: describeEnd({ ...seen.end, status: undefined }),
        tenant: seen.tenant,
      }).toEqual({
        purgeDateSource: 'qlik',
        lastError: undefined,
        end: 'completed (COMPLETED); outcome cancelled',
        tenant: 'active',
      });
      const given = answered.get(a.tenantId);
      if (given !== undefined) expect(Date.parse(seen.adopted.estimatedPurgeDate!)).toBe(Date.parse(given));
    },
    90_000,
  );

  it.each(DECIDED_WHILE_DEACTIVATING)(
    'still sends at least one reactivate for a decision recorded during deactivating when Qlik answers $what',
    async (a) => {
      const seen = await scenarios.get(a.tenantId);
      expect(seen.adopted.decidedBy?.message).toBe('cancel');
      expect({
        end: describeEnd(seen.end),
        reactivateRequests: seen.reactivateRequests > 0,
        tenant: seen.tenant,
        reactivatesThatTookEffect: seen.reactivatesThatTookEffect,
      }).toEqual({
        end: 'completed (COMPLETED); outcome cancelled',
        reactivateRequests: true,
        tenant: 'active',
        reactivatesThatTookEffect: 1,
      });
    },
    90_000,
  );
});
