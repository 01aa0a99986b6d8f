/**
 * The fault families of the issue "Faults at Qlik", as data: the simulator's faults and behaviour, the worker
 * settings, the outcome each plan must reach, the faults the request log must show, and the family's own proofs.
 * test/workflows/qlik-faults.e2e runs each with a few dozen tenants, qlik-faults.chaos with 200.
 */
import type {
  FaultKind,
  FaultRule,
  FaultStep,
  RequestLogEntry,
  RouteName,
  Simulator,
  SimulatorOptions,
} from '../../src/simulator';
import type { Outcome } from '../../src/shared/contract';
import { fleetPlan, fleetTenantId, type FleetRun, type FleetTenant, type Plan } from './fleet';
import { answerLost, requestsAbout, retryAfterViolations } from './request-log';
import { firstHits, seededRandom } from './seeded';

/** What a family's own checks get to look at. */
export interface FamilyContext {
  run: FleetRun;
  log: RequestLogEntry[];
  sim: Simulator;
}

export interface FaultFamily {
  /** Short code, also the tenant ID prefix. */
  name: string;
  /** What the family injects, for test titles. */
  title: string;
  sim: SimulatorOptions;
  env?: Record<string, string>;
  /** Outcomes that differ from the plans' usual ones. */
  expected?: Partial<Record<Plan, Outcome>>;
  /** Route → fault kinds the request log must show (proof that the injection really happened). */
  mustFire: Partial<Record<RouteName, FaultKind[]>>;
  /** Runs alongside the fleet (e.g. switches faults on and off); returns how to stop it. */
  during?: (sim: Simulator) => { stop(): void };
  /** Spread the fleet's starts over this many ms (default: all at once). */
  staggerMs?: number;
  /** Done to each purge-plan tenant once its workflow is in the grace period. */
  duringGrace?: (sim: Simulator, tenant: FleetTenant) => void;
  /** Further proofs, by name; each returns its violations. */
  checks?: Record<string, (ctx: FamilyContext) => string[]>;
}

export const ROUTES: RouteName[] = ['token', 'deactivate', 'reactivate', 'probe'];

/**
 * One simulated day in these runs: purge-plan tenants sleep 10 days = 5 s, the others 90 days = 45 s (their cancel or
 * reactivate must get through before that even on a busy machine).
 */
export const FAMILY_DAY_MS = 500;

/** Worker settings shared by the families; generous bounds so that faults delay but do not decide outcomes. */
export const FAMILY_ENV: Record<string, string> = {
  OFFBOARD_VERIFY_TIMEOUT: '3s',
  OFFBOARD_PURGE_OVERDUE_AFTER: '12s',
  OFFBOARD_PROBE_INITIAL_INTERVAL: '100ms',
  OFFBOARD_PROBE_MAX_INTERVAL: '500ms',
};

/** A light background of 503s on every route, for families whose subject is a behaviour rather than a fault. */
function background(): FaultRule[] {
  return [...firstHits(ROUTES, '503'), { route: '*', kind: '503', probability: 0.1 }];
}
const backgroundFired = Object.fromEntries(ROUTES.map((r) => [r, ['503']])) as Partial<Record<RouteName, FaultKind[]>>;

const byPlan = (run: FleetRun, plan: Plan) => run.ends.filter((e) => e.tenant.plan === plan);

/**
 * Qlik outages in time: every 500 ms, with probability 1/4, every route answers one of `kinds` for the next
 * 0.3–1.5 s; no outage starts after 30 s, so that every run can finish. `firstHits` (one request per route and
 * kind, before any outage) make sure that rarely called routes meet each fault.
 */
function outages(
  sim: Simulator,
  random: () => number,
  options: { firstHits: { route: RouteName; kind: FaultKind }[]; kinds: FaultKind[] },
): { stop(): void } {
  const startedAt = Date.now();
  let outage: { kind: FaultKind; until: number } | undefined;
  let current = '';
  const tick = (): void => {
    const now = Date.now();
    if (outage && now >= outage.until) outage = undefined;
    if (!outage && now - startedAt < 30_000 && random() < 0.25) {
      const kind = options.kinds[Math.floor(random() * options.kinds.length)]!;
      outage = { kind, until: now + 300 + Math.floor(random() * 1_200) };
    }
    const log = sim.requests();
    const pending = options.firstHits.filter((h) => !log.some((r) => r.route === h.route && r.fault === h.kind));
    const rules: FaultRule[] = pending.map((h) => ({ route: h.route, sequence: [h.kind] }));
    if (outage) rules.push({ route: '*', kind: outage.kind });
    const key = JSON.stringify(rules);
    if (key !== current) sim.setFaults(rules); // setFaults restarts scripts: only when something changed
    current = key;
  };
  tick();
  const timer = setInterval(tick, 500);
  return { stop: () => clearInterval(timer) };
}

/**
 * Per-tenant scripts of 0–2 lost answers (drawn from `random`) on deactivate and reactivate: every tenant meets the
 * fault at a meaningful rate, and no tenant meets so many in a row that its retries outlast its grace period.
 */
function lostAnswerScripts(random: () => number, prefix: string, count: number): FaultRule[] {
  const rules: FaultRule[] = [];
  for (let i = 0; i < count; i++) {
    const tenantId = fleetTenantId(prefix, i);
    const plan = fleetPlan(i);
    // The first tenants of the fleet meet the fault for sure, so that each route proves it fired.
    const script = (): FaultStep[] => [...Array<FaultStep>(i < 5 ? 1 : Math.floor(random() * 3)).fill('lost'), 'ok'];
    rules.push({ route: 'deactivate', tenantId, sequence: script() });
    if (plan === 'reactivate' || plan === 'cancel') rules.push({ route: 'reactivate', tenantId, sequence: script() });
  }
  return rules;
}

/** The families for fleets of `count` tenants, with their random parts drawn from `seed`. */
export function faultFamilies(seed: number, count: number): FaultFamily[] {
  const random = seededRandom(seed);
  return [
    {
      name: 'R429',
      title: '429 with retry-after on every route',
      sim: {
        seed,
        faults: [
          ...firstHits(ROUTES, { kind: '429', retryAfterS: 2 }),
          { route: '*', kind: '429', probability: 0.1, retryAfterS: 1 },
          { route: '*', kind: '429', probability: 0.1, retryAfterS: 2 },
        ],
      },
      // Starts spread over 3 s: workflows keep arriving while the token endpoint says "wait".
      staggerMs: 3_000,
      mustFire: Object.fromEntries(ROUTES.map((r) => [r, ['429']])),
      checks: {
        'no registration call (token, deactivate, reactivate) is retried before retry-after': ({ log }) =>
          retryAfterViolations(log, ['token', 'deactivate', 'reactivate']),
        'no probe of a tenant host is retried before retry-after': ({ log }) => retryAfterViolations(log, ['probe']),
      },
    },
    {
      name: 'S5XX',
      title: 'outages: bursts of 500/502/503 on every route',
      sim: { seed },
      // Time-based, like a real outage: a count-based script would last for ever once traffic thins out.
      during: (sim) =>
        outages(sim, random, {
          firstHits: [
            { route: 'token', kind: '500' },
            { route: 'deactivate', kind: '502' },
            { route: 'deactivate', kind: '503' },
            { route: 'reactivate', kind: '503' },
            { route: 'reactivate', kind: '500' },
            { route: 'probe', kind: '500' },
            { route: 'probe', kind: '502' },
            { route: 'probe', kind: '503' },
          ],
          kinds: ['500', '502', '503'],
        }),
      mustFire: {
        token: ['500'],
        deactivate: ['502', '503'],
        reactivate: ['503', '500'],
        probe: ['500', '502', '503'],
      },
    },
    {
      name: 'RST',
      title: 'connection resets on every route',
      sim: { seed, faults: [...firstHits(ROUTES, 'reset'), { route: '*', kind: 'reset', probability: 0.15 }] },
      mustFire: Object.fromEntries(ROUTES.map((r) => [r, ['reset']])),
    },
    {
      name: 'SLOW',
      title: 'answers slower than the 2 s request timeout on every route',
      sim: {
        seed,
        // A slow call is applied after the client gave up, and the retry may be slow too: a 10 s grace period keeps
        // the retries well inside it (Qlik's shortest is 10 days against retries of minutes).
        dayMs: 1_000,
        faults: [
          ...firstHits(ROUTES, { kind: 'slow', delayMs: 2_500 }),
          { route: '*', kind: 'slow', probability: 0.1, delayMs: 2_500 },
        ],
      },
      mustFire: Object.fromEntries(ROUTES.map((r) => [r, ['slow']])),
    },
    {
      name: 'LOST',
      title: 'lost answers on deactivate and reactivate (applied, connection dropped)',
      sim: {
        seed,
        // Retries back off 1 s, 2 s, …: a 5 s grace period outlasts two lost answers in a row.
        // A repeated reactivate of an active tenant is refused (400): only the probe can tell that it worked.
        reactivateWhenActive: 'reject',
        faults: lostAnswerScripts(random, 'LOST', count),
      },
      mustFire: { deactivate: ['lost'], reactivate: ['lost'] },
      checks: {
        'the purge date used is the one of the last answer (Qlik resets the countdown on a repeat)': ({
          run,
          sim,
          log,
        }) => {
          const problems: string[] = [];
          let repeats = 0;
          for (const end of byPlan(run, 'purge')) {
            const { id, hostname } = end.tenant;
            const applied = requestsAbout(log, id, hostname).filter((r) => r.route === 'deactivate' && r.applied);
            if (applied.length > 1) repeats++;
            const simDate = sim.tenant(id)?.estimatedPurgeDate;
            if (end.status?.estimatedPurgeDate !== simDate || end.status?.purgeDateSource !== 'qlik') {
              problems.push(
                `${id}: workflow used ${end.status?.estimatedPurgeDate} (${end.status?.purgeDateSource}), Qlik's last answer said ${simDate}`,
              );
            }
          }
          if (repeats === 0) problems.push('no purge-plan tenant saw a repeated deactivate: the check proved nothing');
          return problems;
        },
        'a reactivation whose answer was lost is recognised by the probe, not failed': ({ run, log }) => {
          let recognised = 0;
          for (const end of run.ends) {
            const reacts = requestsAbout(log, end.tenant.id, end.tenant.hostname).filter(
              (r) => r.route === 'reactivate',
            );
            const lostThenRefused = reacts.some(
              (r, i) => r.fault === 'lost' && reacts.slice(i + 1).some((n) => n.status === 400),
            );
            if (lostThenRefused && (end.outcome === 'reactivated' || end.outcome === 'cancelled')) recognised++;
          }
          return recognised > 0
            ? []
            : ['no tenant went through lost reactivate → 400 → probe: the path was not exercised'];
        },
      },
    },
    {
      name: 'TOK',
      title: 'token endpoint failures and token expiry mid-run (1.5 s token lifetime)',
      sim: {
        seed,
        tokenLifetimeMs: 1_500,
        faults: [
          {
            route: 'token',
            sequence: ['500', '503', 'reset', { kind: '429', retryAfterS: 1 }, { kind: 'slow', delayMs: 2_500 }],
          },
          { route: 'token', kind: '503', probability: 0.3 },
        ],
      },
      mustFire: { token: ['500', '503', 'reset', '429', 'slow'] },
      checks: {
        'token requests stay bounded: about one per token lifetime and client, plus the failed ones': ({
          run,
          log,
        }) => {
          const tokens = log.filter((r) => r.route === 'token');
          const issued = tokens.filter((r) => r.applied).length;
          const lifetimes = Math.ceil((run.endedAt - run.startedAt) / 1_500) + 2;
          const clients = new Set(tokens.map((r) => r.clientId)).size;
          const bound = lifetimes * clients;
          const failed = tokens.filter((r) => !r.applied || answerLost(r)).length;
          const problems: string[] = [];
          if (issued > bound)
            problems.push(`${issued} tokens issued, more than ${bound} (${clients} clients × ${lifetimes} lifetimes)`);
          if (tokens.length > bound + failed)
            problems.push(`${tokens.length} token requests for ${issued} tokens and ${failed} failures`);
          return problems;
        },
      },
    },
    {
      name: 'PROP',
      title: 'the tenant host shows the deactivation 1.5 s late (probe propagation delay)',
      sim: { seed, propagationDelayMs: 1_500, faults: background() },
      // Twice the default 3 s: on a loaded 2-core machine a probe loop could start late enough that 1.5 s of slack
      // ran out before the host showed the deactivation (DeactivationNotObserved; seen in CI, with the old code too).
      env: { OFFBOARD_VERIFY_TIMEOUT: '6s' },
      mustFire: backgroundFired,
      checks: {
        'the deactivation is confirmed only once the tenant host shows it': ({ run, sim }) =>
          byPlan(run, 'purge').flatMap((end) => {
            const confirmed = Date.parse(end.status?.deactivationConfirmedAt ?? '');
            const deactivated = Date.parse(sim.tenant(end.tenant.id)?.deactivatedAt ?? '');
            return confirmed >= deactivated + 1_500 - 50
              ? []
              : [
                  `${end.tenant.id}: confirmed at ${end.status?.deactivationConfirmedAt}, deactivated at ${sim.tenant(end.tenant.id)?.deactivatedAt}`,
                ];
          }),
      },
    },
    {
      name: 'PROPX',
      title: 'the tenant host never shows the deactivation before the purge (propagation beyond the verify timeout)',
      sim: { seed, propagationDelayMs: 60_000, faults: background() },
      env: { OFFBOARD_VERIFY_TIMEOUT: '1500ms' },
      mustFire: backgroundFired,
      checks: {
        'a DeactivationNotObserved warning is recorded and the grace period begins anyway': ({ run, sim }) =>
          byPlan(run, 'purge').flatMap((end) => {
            const { lastError, deactivationConfirmedAt } = end.status ?? {};
            if (lastError?.type === 'DeactivationNotObserved' && deactivationConfirmedAt === undefined) return [];
            // Under load the verification may start so late that the tenant is already purged: that also confirms.
            const purgedAt = sim.tenant(end.tenant.id)?.purgedAt;
            if (deactivationConfirmedAt && purgedAt && deactivationConfirmedAt >= purgedAt) return [];
            return [`${end.tenant.id}: lastError ${JSON.stringify(lastError)}, confirmed ${deactivationConfirmedAt}`];
          }),
      },
    },
    {
      name: 'LAG',
      title: 'the purge lags the purge date by 1.5 s',
      sim: { seed, purgeLagMs: 1_500, faults: background() },
      mustFire: backgroundFired,
      checks: {
        'the purge is confirmed only after it happened': ({ run, sim }) =>
          byPlan(run, 'purge').flatMap((end) => {
            const purgedAt = Date.parse(sim.tenant(end.tenant.id)?.purgedAt ?? '');
            return Date.parse(end.status?.purgeConfirmedAt ?? '') >= purgedAt
              ? []
              : [
                  `${end.tenant.id}: confirmed ${end.status?.purgeConfirmedAt} before the purge at ${sim.tenant(end.tenant.id)?.purgedAt}`,
                ];
          }),
      },
    },
    {
      name: 'OVER',
      title: 'the purge lags beyond OFFBOARD_PURGE_OVERDUE_AFTER',
      sim: { seed, purgeLagMs: 120_000, faults: background() },
      env: { OFFBOARD_PURGE_OVERDUE_AFTER: '2s' },
      expected: { purge: 'purge-overdue' },
      mustFire: backgroundFired,
    },
    {
      name: 'P404',
      title: 'a purged host answers 404; a deactivated one TENANT_DISABLED',
      sim: { seed, purgedAnswer: '404', deactivatedCode: 'TENANT_DISABLED', faults: background() },
      mustFire: backgroundFired,
    },
    {
      name: 'PRST',
      title: 'a purged host resets the connection (not a purge answer in QLIK-API §5: never taken as purged)',
      sim: { seed, purgedAnswer: 'reset', faults: background() },
      env: { OFFBOARD_PURGE_OVERDUE_AFTER: '2s' },
      expected: { purge: 'purge-overdue' },
      mustFire: backgroundFired,
      checks: {
        'the tenant is gone at Qlik, yet the workflow did not claim a purge it could not see': ({ run, sim }) =>
          byPlan(run, 'purge').flatMap((end) =>
            sim.tenant(end.tenant.id)?.status === 'deleted' && end.status?.purgeConfirmedAt === undefined
              ? []
              : [
                  `${end.tenant.id}: ${sim.tenant(end.tenant.id)?.status}, purgeConfirmedAt ${end.status?.purgeConfirmedAt}`,
                ],
          ),
      },
    },
    {
      name: 'EXT',
      title: 'the tenant is reactivated out of band during the grace period',
      // A 10 s grace period: time enough, even on a busy machine, to see the run in it and change the tenant.
      sim: { seed, dayMs: 1_000, faults: background() },
      expected: { purge: 'reactivated-externally' },
      duringGrace: (sim, tenant) => sim.setExternalStatus(tenant.id, 'active'),
      mustFire: backgroundFired,
      checks: {
        'the workflow made no reactivate call of its own for those tenants': ({ run, log }) =>
          byPlan(run, 'purge').flatMap((end) =>
            requestsAbout(log, end.tenant.id, end.tenant.hostname).some((r) => r.route === 'reactivate')
              ? [`${end.tenant.id}: reactivate called`]
              : [],
          ),
      },
    },
  ];
}
