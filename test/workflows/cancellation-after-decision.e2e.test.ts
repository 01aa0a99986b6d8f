/**
 * Issue "[1 of 4] Hardening", item 3: a Temporal cancellation request (Web UI "Cancel", `temporal workflow cancel`,
 * here `handle.cancel()`) that arrives after a `cancel` or `reactivate` decision is ignored: the decision is carried
 * out and the run completes (Temporal status COMPLETED, so `result` succeeds) with the decision's outcome
 * (CONTRACT "Messages", phase `reactivating`; "Rules added (v3)").
 *
 * One case per phase a run can be in after a decision: the deactivate still in flight, the reactivate in flight
 * (decided during verifying and during the grace period), the reactivation between refused attempts, and at once
 * after the decision. Slow calls come from the simulator's `slow` fault. The cases run concurrently.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FaultRule, RequestLogEntry, SimTenantSeed } from '../../src/simulator';
import type { OffboardingStatus } from '../../src/shared/contract';
import { cancelSignal, cancelUpdate, reactivateSignal, reactivateUpdate } from '../../src/workflows/definitions';
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
  type Handle,
} from '../support/edges';

const DAY_MS = 300;
/**
 * How long a slow call takes at the simulator: under the harness's 2 s request timeout, so that the call answers
 * normally (a deactivate that timed out would be retried, and could be applied after the reactivation).
 */
const SLOW_MS = 1_500;

let env: TestWorkflowEnvironment;
let h: Harness;

type Decision = 'cancel' | 'reactivate';
type Via = 'signal' | 'update';

interface Case {
  tenantId: string;
  /** Where the decision is made. */
  decidedIn: OffboardingStatus['phase'];
  decision: Decision;
  via: Via;
  /** What is going on when the cancellation request is sent. */
  cancelWhile: 'deactivate in flight' | 'reactivate in flight' | 'reactivate refused, to be retried' | 'just decided';
  seed?: Partial<SimTenantSeed>;
  rules: (tenantId: string) => FaultRule[];
}

const slow =
  (route: 'deactivate' | 'reactivate', delayMs: number) =>
  (tenantId: string): FaultRule[] => [{ route, tenantId, sequence: [{ kind: 'slow', delayMs }] }];

/** Five refusals: the reactivation is retried for a second or more, long enough to send the request meanwhile. */
const refusals = (kind: '403' | '409') => Array.from({ length: 5 }, () => ({ kind }));

const CASES: Case[] = [
  {
    tenantId: 'Cad-Deact-Cancel',
    decidedIn: 'deactivating',
    decision: 'cancel',
    via: 'update',
    cancelWhile: 'deactivate in flight',
    rules: slow('deactivate', SLOW_MS),
  },
  {
    tenantId: 'Cad-Deact-React',
    decidedIn: 'deactivating',
    decision: 'reactivate',
    via: 'signal',
    cancelWhile: 'deactivate in flight',
    rules: slow('deactivate', SLOW_MS),
  },
  {
    tenantId: 'Cad-Verif-React',
    decidedIn: 'verifying',
    decision: 'reactivate',
    via: 'update',
    cancelWhile: 'reactivate in flight',
    // The host lags behind the deactivate (under OFFBOARD_VERIFY_TIMEOUT, 3 s), so the run stays in verifying.
    seed: { propagationDelayMs: 2_500 },
    rules: slow('reactivate', SLOW_MS),
  },
  {
    tenantId: 'Cad-Verif-Cancel',
    decidedIn: 'verifying',
    decision: 'cancel',
    via: 'signal',
    cancelWhile: 'reactivate in flight',
    seed: { propagationDelayMs: 2_500 },
    rules: slow('reactivate', SLOW_MS),
  },
  {
    tenantId: 'Cad-Grace-Cancel',
    decidedIn: 'grace-period',
    decision: 'cancel',
    via: 'update',
    cancelWhile: 'reactivate in flight',
    rules: slow('reactivate', SLOW_MS),
  },
  {
    tenantId: 'Cad-Grace-React',
    decidedIn: 'grace-period',
    decision: 'reactivate',
    via: 'update',
    cancelWhile: 'reactivate in flight',
    rules: slow('reactivate', SLOW_MS),
  },
  {
    tenantId: 'Cad-Retry-React',
    decidedIn: 'grace-period',
    decision: 'reactivate',
    via: 'signal',
    cancelWhile: 'reactivate refused, to be retried',
    rules: (tenantId) => [{ route: 'reactivate', tenantId, sequence: refusals('403') }],
  },
  {
    tenantId: 'Cad-Retry-Cancel',
    decidedIn: 'grace-period',
    decision: 'cancel',
    via: 'update',
    cancelWhile: 'reactivate refused, to be retried',
    rules: (tenantId) => [{ route: 'reactivate', tenantId, sequence: refusals('409') }],
  },
  {
    tenantId: 'Cad-Now-Cancel',
    decidedIn: 'grace-period',
    decision: 'cancel',
    via: 'signal',
    cancelWhile: 'just decided',
    rules: () => [],
  },
  {
    tenantId: 'Cad-Now-React',
    decidedIn: 'grace-period',
    decision: 'reactivate',
    via: 'update',
    cancelWhile: 'just decided',
    rules: () => [],
  },
];

async function decide(handle: Handle, decision: Decision, via: Via): Promise<void> {
  const args = { reason: `test: ${decision} by ${via}`, requestedBy: 'hardening-test' };
  if (via === 'signal') await handle.signal(decision === 'cancel' ? cancelSignal : reactivateSignal, args);
  else await handle.executeUpdate(decision === 'cancel' ? cancelUpdate : reactivateUpdate, { args: [args] });
}

/** Whether the situation the case names holds at the simulator right now. */
function situation(c: Case): Case['cancelWhile'] | 'something else' {
  const log = requestsFor(h, c.tenantId);
  const pending = (route: RequestLogEntry['route']) => log.some((r) => r.route === route && r.pending === true);
  if (c.cancelWhile === 'deactivate in flight') return pending('deactivate') ? c.cancelWhile : 'something else';
  if (c.cancelWhile === 'reactivate in flight') return pending('reactivate') ? c.cancelWhile : 'something else';
  if (c.cancelWhile === 'reactivate refused, to be retried') {
    const reactivates = log.filter((r) => r.route === 'reactivate');
    const refusedOnly = reactivates.length > 0 && reactivates.every((r) => r.status >= 400 && r.status < 500);
    return refusedOnly ? c.cancelWhile : 'something else';
  }
  return c.cancelWhile;
}

async function drive(c: Case) {
  const handle = await start(h, offboarding(c.tenantId, { purgeAfterDays: 90 }));
  if (c.decidedIn === 'deactivating') {
    const inFlight = await waitForRequest(h, c.tenantId, (r) => r.route === 'deactivate' && r.pending === true);
    if (!inFlight) throw new Error(`${c.tenantId}: the deactivate was never in flight`);
  } else {
    const at = await waitForStatus(handle, (s) => s.phase === c.decidedIn);
    if (!at.reached) throw new Error(`${c.tenantId}: never reached ${c.decidedIn} (phase ${at.status.phase})`);
  }
  await decide(handle, c.decision, c.via);
  if (c.cancelWhile === 'reactivate in flight') {
    await waitForRequest(h, c.tenantId, (r) => r.route === 'reactivate' && r.pending === true);
  } else if (c.cancelWhile === 'reactivate refused, to be retried') {
    await waitForRequest(h, c.tenantId, (r) => r.route === 'reactivate' && r.status >= 400);
  }
  const cancelSentWhile = situation(c);
  await handle.cancel();
  const end = await settle(handle, 45_000);
  return { end, cancelSentWhile, tenant: h.sim.tenant(c.tenantId)!, reactivates: count(h, c.tenantId, 'reactivate') };
}

const scenarios = new Scenarios<Awaited<ReturnType<typeof drive>>>();

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({ sim: { dayMs: DAY_MS } }));
  await h.startWorkers();
  for (const c of CASES) h.sim.addTenant({ ...tenant(c.tenantId), ...c.seed });
  h.sim.setFaults(CASES.flatMap((c) => c.rules(c.tenantId)));
  for (const c of CASES) scenarios.run(c.tenantId, () => drive(c));
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

describe('offboardTenant: a cancellation request after a decision', () => {
  it.each(CASES)(
    'is ignored: the run completes with the outcome of $decision ($via, decided in $decidedIn) when the request comes while $cancelWhile',
    async (c) => {
      const seen = await scenarios.get(c.tenantId);
      expect({
        cancelSentWhile: seen.cancelSentWhile,
        end: describeEnd(seen.end),
        tenant: seen.tenant.status,
        reactivatesThatTookEffect: seen.tenant.reactivateCount,
      }).toEqual({
        cancelSentWhile: c.cancelWhile,
        // `result` succeeds: the run is COMPLETED, not CANCELED, with the decision's outcome.
        end: `completed (COMPLETED); outcome ${c.decision === 'cancel' ? 'cancelled' : 'reactivated'}`,
        tenant: 'active',
        reactivatesThatTookEffect: 1,
      });
      expect(seen.end.status?.decidedBy).toMatchObject({ message: c.decision, requestedBy: 'hardening-test' });
    },
    90_000,
  );
});
