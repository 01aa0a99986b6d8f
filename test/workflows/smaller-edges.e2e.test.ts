/**
 * Issue "[1 of 4] Hardening", item 7 (first two edges), end to end (contract v3):
 * - While reactivating before the purge date, "purged" counts only as two consecutive answers one probe interval
 *   apart; the reactivation keeps being retried meanwhile. A single passing 404 at the tenant host (a resolver
 *   glitch) must not end the run `purged` with the tenant left disabled.
 * - A dry run reports `dry-run-ok` only after a token was obtained for the region: it fails `InvalidCredentials` when
 *   the token is refused, and `CredentialsNotVerified` when the token endpoint stays unavailable for
 *   `OFFBOARD_VERIFY_TIMEOUT`.
 *
 * Two harnesses on one dev server: the token endpoint of harness B's region `us` is down for the whole file, and its
 * `eu` client has a wrong secret, so nothing there shares a token with harness A. The cases run concurrently.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CLIENT_SECRETS, tenant } from '../../harness/simulator';
import { createLocalEnv } from '../../harness/temporal';
import { type Harness, startHarness } from '../../harness/workers';
import { cancelSignal, reactivateUpdate } from '../../src/workflows/definitions';
import {
  count,
  describeEnd,
  offboarding,
  requestsFor,
  Scenarios,
  settle,
  start,
  waitForStatus,
  type RunEnd,
} from '../support/edges';

const VERIFY_TIMEOUT_MS = 3_000;

let env: TestWorkflowEnvironment;
/** Harness A: the purge-glitch cases, and a dry run whose client is unknown to its region (400). */
let a: Harness;
/** Harness B: a dry run whose region's token endpoint is down (503), and one with a wrong secret (401). */
let b: Harness;

const GLITCH_CASES = [
  { tenantId: 'Edge-Glitch-React', decision: 'reactivate' as const, refusal: '403' as const, outcome: 'reactivated' },
  { tenantId: 'Edge-Glitch-Cancel', decision: 'cancel' as const, refusal: '409' as const, outcome: 'cancelled' },
];

const DRY_RUNS = [
  {
    tenantId: 'Edge-Dry-Down',
    what: 'the token endpoint answers 503 throughout',
    harness: () => b,
    region: 'us',
    failureType: 'CredentialsNotVerified',
  },
  {
    tenantId: 'Edge-Dry-Secret',
    what: 'the token is refused with 401 (wrong secret)',
    harness: () => b,
    region: 'eu',
    failureType: 'InvalidCredentials',
  },
  {
    tenantId: 'Edge-Dry-Client',
    what: 'the token is refused with 400 (client unknown to the region)',
    harness: () => a,
    region: 'us',
    failureType: 'InvalidCredentials',
  },
];

interface GlitchSeen {
  end: RunEnd;
  tenant: string;
  reactivatesThatTookEffect: number;
  reactivateRequests: number;
  glitches: number;
}

/** Grace period, then a decision; the reactivate is refused twice, and the host answers 404 once meanwhile. */
async function glitchWhileReactivating(c: (typeof GLITCH_CASES)[number]): Promise<GlitchSeen> {
  const handle = await start(a, offboarding(c.tenantId, { purgeAfterDays: 30 }));
  const grace = await waitForStatus(handle, (s) => s.phase === 'grace-period');
  if (!grace.reached) throw new Error(`${c.tenantId}: never reached the grace period (phase ${grace.status.phase})`);
  if (c.decision === 'reactivate') await handle.executeUpdate(reactivateUpdate, { args: [{ reason: 'renewed' }] });
  else await handle.signal(cancelSignal, { reason: 'customer stayed' });
  const end = await settle(handle, 40_000);
  const view = a.sim.tenant(c.tenantId)!;
  return {
    end,
    tenant: view.status,
    reactivatesThatTookEffect: view.reactivateCount,
    reactivateRequests: count(a, c.tenantId, 'reactivate'),
    glitches: requestsFor(a, c.tenantId).filter((r) => r.route === 'probe' && r.fault === '404').length,
  };
}

interface DrySeen {
  end: RunEnd;
  stateChangingCalls: number;
  tokenRequests: number;
  /** Real ms from the first token request to the run's close. */
  firstTokenToCloseMs?: number;
}

async function dryRun(c: (typeof DRY_RUNS)[number]): Promise<DrySeen> {
  const h = c.harness();
  const handle = await start(h, offboarding(c.tenantId, { region: c.region, dryRun: true }));
  // Enough for the verify timeout and some: a run still open after this has not given up.
  const end = await settle(handle, VERIFY_TIMEOUT_MS + 20_000);
  const tokens = h.sim.requests().filter((r) => r.route === 'token' && r.region === c.region);
  return {
    end,
    stateChangingCalls: requestsFor(h, c.tenantId, c.region).filter(
      (r) => r.route === 'deactivate' || r.route === 'reactivate',
    ).length,
    tokenRequests: tokens.length,
    firstTokenToCloseMs: tokens.length > 0 ? end.closedAt - tokens[0].at : undefined,
  };
}

const glitches = new Scenarios<GlitchSeen>();
const dryRuns = new Scenarios<DrySeen>();

beforeAll(async () => {
  env = await createLocalEnv();
  a = await startHarness(env, { sim: { dayMs: 1_000 } });
  b = await startHarness(env, { env: { OFFBOARD_VERIFY_TIMEOUT: `${VERIFY_TIMEOUT_MS}ms` } });
  await Promise.all([a.startWorkers(), b.startWorkers()]);

  for (const c of GLITCH_CASES) a.sim.addTenant(tenant(c.tenantId));
  a.sim.setFaults(
    GLITCH_CASES.flatMap((c) => [
      { route: 'reactivate' as const, tenantId: c.tenantId, sequence: [{ kind: c.refusal }, { kind: c.refusal }] },
      // One "purged" answer, the first probe after the reactivation began; the tenant is still deactivated.
      {
        route: 'probe' as const,
        tenantId: c.tenantId,
        after: 'reactivate' as const,
        sequence: [{ kind: '404' as const }],
      },
    ]),
  );

  for (const c of DRY_RUNS) c.harness().sim.addTenant(tenant(c.tenantId, c.region));
  b.sim.setFaults([{ route: 'token', region: 'us', kind: '503' }]);
  b.sim.addClient({ region: 'eu', clientId: 'e2e-eu-client', clientSecret: `${CLIENT_SECRETS.eu}-rotated` });
  // Harness A's `us` client now belongs to another region: `us` answers 400 (unknown client).
  a.sim.addClient({ region: 'ap', clientId: 'e2e-us-client', clientSecret: CLIENT_SECRETS.us });

  for (const c of GLITCH_CASES) glitches.run(c.tenantId, () => glitchWhileReactivating(c));
  for (const c of DRY_RUNS) dryRuns.run(c.tenantId, () => dryRun(c));
}, 120_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await env?.teardown();
});

describe('offboardTenant: one "purged" answer while reactivating before the purge date', () => {
  it.each(GLITCH_CASES)(
    'does not end $decision as purged on a single 404 from the tenant host, and keeps retrying the reactivation (refused with $refusal) until it succeeds',
    async (c) => {
      const seen = await glitches.get(c.tenantId);
      expect({
        glitchesInjected: seen.glitches,
        end: describeEnd({ ...seen.end, status: undefined }),
        tenant: seen.tenant,
        reactivatesThatTookEffect: seen.reactivatesThatTookEffect,
        // Two refused, then the one that succeeds.
        atLeastThreeReactivateRequests: seen.reactivateRequests >= 3,
      }).toEqual({
        glitchesInjected: 1,
        end: `completed (COMPLETED); outcome ${c.outcome}`,
        tenant: 'active',
        reactivatesThatTookEffect: 1,
        atLeastThreeReactivateRequests: true,
      });
    },
    90_000,
  );
});

describe('offboardTenant: a dry run must obtain a token', () => {
  it.each(DRY_RUNS)(
    'fails $failureType when $what',
    async (c) => {
      const seen = await dryRuns.get(c.tenantId);
      expect({
        end: seen.end.end,
        failureType: seen.end.failureType,
        stateChangingCalls: seen.stateChangingCalls,
        tokenWasAsked: seen.tokenRequests > 0,
      }).toEqual({
        end: 'failed',
        failureType: c.failureType,
        stateChangingCalls: 0,
        tokenWasAsked: true,
      });
      expect(seen.end.status?.phase).toBe('failed');
      expect(seen.end.status?.outcome).toBeUndefined();
    },
    90_000,
  );

  it('gives the token endpoint OFFBOARD_VERIFY_TIMEOUT before failing CredentialsNotVerified', async () => {
    const seen = await dryRuns.get('Edge-Dry-Down');
    expect(seen.end).toMatchObject({ end: 'failed', failureType: 'CredentialsNotVerified' });
    expect(seen.firstTokenToCloseMs).toBeGreaterThanOrEqual(VERIFY_TIMEOUT_MS - 250);
  }, 90_000);
});
