/**
 * Scenario 1, rate-limited throughput: N offboardings over two worker processes while the simulator enforces Qlik's
 * Tier 2 limit, with Qlik's clock running `scale` times faster so that a run takes seconds instead of minutes.
 * What it shows: how much of the registration budget the product uses, and that Qlik never has to answer 429.
 *
 * As in production, the grace period is far longer than the wave of deactivations: a run ends when every workflow
 * sleeps in its grace period (they stay asleep until the benchmark's server stops), so that the work after the
 * purge date does not compete with the wave (on a two-core machine it would: the scaled rate is not small).
 */
import type { RequestLogEntry } from '../../src/simulator';
import type { BenchOptions } from '../options';
import type { BenchContext } from '../support/context';
import { runProductBatch, type ProductRun } from '../support/product-run';
import { startScaleWorkers } from '../support/staging';
import { busiestWindow, median, sum } from '../support/stats';
import { fixed, integer, markdownTable, percent, runs, seconds, verdict } from '../support/table';

/** Qlik's documented Tier 2 limit per OAuth client, applied over a 5-minute window (QLIK-API.md). */
export const QLIK_TIER2_PER_MINUTE = 100;
const QLIK_WINDOW_MS = 5 * 60_000;
/** `QLIK_REGISTER_CALLS_PER_MINUTE`'s default. */
export const DEFAULT_BUDGET_PER_MINUTE = 90;
const QLIK_TOKEN_LIFETIME_MS = 6 * 3_600_000;
const TIER2_ROUTES = new Set(['token', 'deactivate', 'reactivate']);

/** Scenario 1's time-scaled settings. */
export function rateLimitedSettings(scale: number) {
  return {
    budgetPerMinute: DEFAULT_BUDGET_PER_MINUTE * scale,
    simTier2PerMinute: QLIK_TIER2_PER_MINUTE * scale,
    simWindowMs: QLIK_WINDOW_MS / scale,
    tokenLifetimeMs: QLIK_TOKEN_LIFETIME_MS / scale,
    /** One Qlik minute on the scaled clock. */
    minuteMs: 60_000 / scale,
    probeInitialIntervalMs: 5_000 / scale,
    probeMaxIntervalMs: 3_600_000 / scale,
    /** Not scaled with the rest: 10 days of 5 minutes, longer than the whole benchmark. */
    dayMs: 300_000,
  };
}

/** One run's figures. */
interface RateRun {
  run: ProductRun;
  tier2Calls: number;
  rejected429: number;
  /** Calls per minute over the middle 80 % of the calls: the rate the limiter sustains. */
  sustainedPerMinute?: number;
  /** All calls ÷ (first start → last call): what the batch achieved, start-up and the limiter's burst included. */
  overallPerMinute?: number;
  /** Client clock at the first start → receipt of the last deactivate. */
  wallMs?: number;
  /** Client clock at the first start → every run in its grace period (seen by polling visibility). */
  allAsleepMs?: number;
  busiestWindow: number;
  busiestMinute: number;
  tokenRequests: number;
  deactivatesPerWorker: (number | undefined)[];
}

function analyse(run: ProductRun, minuteMs: number, windowMs: number): RateRun {
  const tier2 = run.requests.filter((r: RequestLogEntry) => TIER2_ROUTES.has(r.route) && r.clientId === run.clientId);
  const accepted = tier2.filter((r) => r.status !== 429);
  const times = accepted.map((r) => r.at).sort((a, b) => a - b);
  const deactivates = accepted.filter((r) => r.route === 'deactivate').map((r) => r.at);
  // Temporal's limiter is a token bucket holding one second of rate: it lets a burst through first.
  const sustained = (() => {
    if (times.length < 10) return undefined;
    const from = Math.floor(times.length * 0.1);
    const to = Math.ceil(times.length * 0.9) - 1;
    const spanMs = times[to]! - times[from]!;
    return spanMs > 0 ? ((to - from) / spanMs) * 60_000 : undefined;
  })();
  const lastMs = times[times.length - 1];
  return {
    run,
    tier2Calls: tier2.length,
    rejected429: run.requests.filter((r) => r.status === 429).length,
    sustainedPerMinute: sustained,
    overallPerMinute: lastMs !== undefined ? (times.length / (lastMs - run.batch.startedAtMs)) * 60_000 : undefined,
    wallMs: deactivates.length > 0 ? Math.max(...deactivates) - run.batch.startedAtMs : undefined,
    allAsleepMs: run.batch.problems.length === 0 ? run.batch.endedAtMs - run.batch.startedAtMs : undefined,
    busiestWindow: busiestWindow(times, windowMs),
    busiestMinute: busiestWindow(times, minuteMs),
    tokenRequests: tier2.filter((r) => r.route === 'token').length,
    deactivatesPerWorker: run.workers.map((w) => w.deactivates),
  };
}

export interface RateLimitedResult {
  table: string;
  runs: ProductRun[];
}

export async function rateLimitedScenario(ctx: BenchContext, options: BenchOptions): Promise<RateLimitedResult> {
  const s = rateLimitedSettings(options.scale);
  ctx.sim.configure({
    tier2PerMinute: s.simTier2PerMinute,
    rateWindowMs: s.simWindowMs,
    tokenLifetimeMs: s.tokenLifetimeMs,
    dayMs: s.dayMs,
  });
  const results: RateRun[] = [];
  for (let rep = 1; rep <= options.repeat; rep++) {
    ctx.log(
      `scenario 1, run ${rep}/${options.repeat}: ${options.tenants} offboardings, 2 worker processes, budget ${s.budgetPerMinute}/min`,
    );
    // Fresh processes, task queue and OAuth client per run: neither Temporal's limiter nor Qlik's window carries
    // anything over from the previous run, and each process starts without a token, as after a deploy.
    const workers = await startScaleWorkers(ctx, `s1r${rep}`, options, s, s.budgetPerMinute);
    let run: ProductRun;
    try {
      run = await runProductBatch(ctx, workers, {
        label: `s1r${rep}`,
        tenants: options.tenants,
        // The ideal time, plus generous room for start-up and the verification.
        timeoutMs: (options.tenants / s.budgetPerMinute) * 60_000 * 3 + 120_000,
        until: { phase: 'grace-period' },
      });
    } finally {
      await workers.stop();
    }
    const figures = analyse(run, s.minuteMs, s.simWindowMs);
    results.push(figures);
    ctx.log(
      `  ${integer(figures.sustainedPerMinute)}/min (${percent((figures.sustainedPerMinute ?? NaN) / s.budgetPerMinute)} of the budget), ` +
        `${figures.rejected429} x 429, last deactivate after ${seconds(figures.wallMs)}`,
    );
  }

  const idealMs = (options.tenants / s.budgetPerMinute) * 60_000;
  const pick = <T>(f: (r: RateRun) => T) => results.map(f);
  const med = (f: (r: RateRun) => number | undefined) => median(pick(f).filter((v): v is number => v !== undefined));
  const shareOfBudget = (r: RateRun) => (r.sustainedPerMinute ?? NaN) / s.budgetPerMinute;
  const total429 = sum(pick((r) => r.rejected429));
  const windowAllowed = Math.floor((s.simTier2PerMinute * s.simWindowMs) / 60_000);
  const medianShare = med(shareOfBudget);
  const problems = results.flatMap((r) => r.run.batch.problems);

  const rows: string[][] = [
    ['Offboardings per run', integer(options.tenants), '', '2 worker processes, 1 region, 1 OAuth client'],
    [
      'Budget (`QLIK_REGISTER_CALLS_PER_MINUTE`)',
      `${integer(s.budgetPerMinute)}/min`,
      '',
      `90/min × ${options.scale}; the simulator allows Qlik's 100/min × ${options.scale} = ${integer(s.simTier2PerMinute)}/min over a ${seconds(s.simWindowMs)} window (Qlik: 5 min ÷ ${options.scale})`,
    ],
    [
      'Registration calls per run (token + deactivate)',
      integer(med((r) => r.tier2Calls)),
      runs(
        pick((r) => r.tier2Calls),
        integer,
      ),
      '',
    ],
    [
      'Sustained registration-call rate',
      `${integer(med((r) => r.sustainedPerMinute))}/min`,
      runs(
        pick((r) => r.sustainedPerMinute),
        integer,
      ),
      'over the middle 80 % of the calls',
    ],
    [
      '**Sustained rate ÷ budget**',
      `**${percent(medianShare)}**`,
      runs(pick(shareOfBudget), percent),
      `target ≥ 95 %: ${verdict(medianShare === undefined ? undefined : medianShare >= 0.95)}`,
    ],
    [
      'Overall rate ÷ budget',
      percent(med((r) => (r.overallPerMinute ?? NaN) / s.budgetPerMinute)),
      runs(
        pick((r) => (r.overallPerMinute ?? NaN) / s.budgetPerMinute),
        percent,
      ),
      'all calls ÷ (first start → last call): start-up and the initial burst included',
    ],
    [
      '**429 answers**',
      `**${integer(total429)}** (all runs)`,
      runs(
        pick((r) => r.rejected429),
        integer,
      ),
      `target 0: ${verdict(total429 === 0)}`,
    ],
    [
      `Busiest ${seconds(s.simWindowMs)} window (Qlik's rate window, scaled)`,
      `${integer(med((r) => r.busiestWindow))} of ${integer(windowAllowed)} allowed`,
      runs(
        pick((r) => r.busiestWindow),
        integer,
      ),
      '',
    ],
    [
      `Busiest ${seconds(s.minuteMs)} (one Qlik minute, scaled)`,
      integer(med((r) => r.busiestMinute)),
      runs(
        pick((r) => r.busiestMinute),
        integer,
      ),
      `budget ${integer(s.budgetPerMinute / options.scale)}, Qlik's nominal limit ${QLIK_TIER2_PER_MINUTE}; Temporal's limiter lets one second of rate (${Math.ceil(s.budgetPerMinute / 60)} calls) through at once, which the time scale magnifies ${options.scale} times`,
    ],
    [
      'Wall time, first start → last deactivate',
      seconds(med((r) => r.wallMs)),
      runs(
        pick((r) => r.wallMs),
        seconds,
      ),
      '',
    ],
    ['Ideal (N ÷ budget)', seconds(idealMs), '', ''],
    [
      'Wall time ÷ ideal',
      fixed(
        med((r) => (r.wallMs ?? NaN) / idealMs),
        2,
      ),
      runs(
        pick((r) => (r.wallMs ?? NaN) / idealMs),
        (v) => fixed(v, 2),
      ),
      '',
    ],
    [
      'Wall time, first start → all in their grace period',
      seconds(med((r) => r.allAsleepMs)),
      runs(
        pick((r) => r.allAsleepMs),
        seconds,
      ),
      'each deactivated, reported and verified; the run ends there (the grace period is 10 days of 5 min)',
    ],
    [
      'Token requests per run',
      integer(med((r) => r.tokenRequests)),
      runs(
        pick((r) => r.tokenRequests),
        integer,
      ),
      `2 processes; token lifetime ${seconds(s.tokenLifetimeMs)} (6 h ÷ ${options.scale}), longer than a run`,
    ],
    [
      'Deactivates per worker process',
      results[0]!.deactivatesPerWorker.map(integer).join(' + '),
      '',
      "first run; from each worker's metrics",
    ],
  ];
  if (problems.length > 0) rows.push(['Problems', problems.join('; '), '', '']);
  return {
    table: markdownTable(['Scenario 1: rate-limited throughput', 'median', 'runs', 'notes'], rows),
    runs: results.map((r) => r.run),
  };
}
