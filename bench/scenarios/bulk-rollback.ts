/**
 * Scenario 7, bulk rollback (issue "[3 of 4] Operations at scale", item 1): N reactivations (default 1,000) decided
 * at once must all be sent within ⌈N ÷ budget⌉ minutes + 5 s, while deactivates stay queued behind them on every
 * partition. Per layout: N offboardings put in their grace period (set-up, the simulator's limit off), a backlog of
 * deactivates queued (the queue held at rate 0), the queue handed back to the budget, and then a `reactivate`
 * signal to every one of the N as fast as the client sends them. Timed from the first signal sent to the
 * simulator's receipt of the last reactivate request.
 *
 * Qlik's clock is scaled (`--ops-scale`, like scenario 5): the bound is ⌈N ÷ 90⌉ Qlik minutes ÷ scale + 5 s of wall
 * clock (the 5 s is a latency, not scaled). With the partitions the server spreads the N over, the rollback ends
 * when the fullest partition is done: an uneven spread costs time that one partition would not.
 */
import type { TaskQueueLayout } from '../../harness/dev-server';
import { reactivateSignal } from '../../src/workflows/definitions';
import { workflowIdFor } from '../../src/shared/contract';
import type { BenchOptions } from '../options';
import type { BenchContext } from '../support/context';
import { activityTimesOf } from '../support/activity-times';
import { layoutName, withLayout } from '../support/layouts';
import { setQueueRate } from '../../harness/queue-rate';
import {
  queueDeactivations,
  registerQueueOf,
  startScaleWorkers,
  settleInGracePeriod,
  waitForRequests,
} from '../support/staging';
import { busiestWindow } from '../support/stats';
import { fixed, integer, markdownTable, seconds, verdict } from '../support/table';
import { DEFAULT_BUDGET_PER_MINUTE, rateLimitedSettings } from './rate-limited';

/** Deactivates queued behind the rollback (they must wait: reactivations go first). */
const QUEUED_DEACTIVATES = 200;
/** How fast the set-up lets the N deactivates through (the simulator's limit is off meanwhile). */
const SET_UP_CALLS_PER_SECOND = 40;
const SIGNAL_CONCURRENCY = 64;
const TIER2_ROUTES = new Set(['token', 'deactivate', 'reactivate']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RollbackRun {
  layout: TaskQueueLayout;
  partitions: number;
  /** First signal sent → every signal answered. */
  decidingMs: number;
  /** First signal sent → last reactivate received (undefined when some never arrived in time). */
  allSentMs?: number;
  received: number;
  /** First signal sent → the last reactivation scheduled: every decision taken and queued by the workflows. */
  allQueuedMs?: number;
  /** Deactivates sent while the rollback ran, and those among them sent while some reactivation waited queued. */
  deactivatesDuring: number;
  deactivatesAheadOfQueued: number;
  /** Registration calls per minute from the first signal to the last reactivate: did the workers keep up? */
  callsPerMinute?: number;
  rejected429: number;
  busiestWindow: number;
}

async function runOnLayout(ctx: BenchContext, options: BenchOptions, layout: TaskQueueLayout): Promise<RollbackRun> {
  const s = rateLimitedSettings(options.opsScale);
  const label = `s7p${layout}`;
  const n = options.rollback;
  ctx.sim.configure({
    tier2PerMinute: 0,
    rateWindowMs: s.simWindowMs,
    tokenLifetimeMs: s.tokenLifetimeMs,
    dayMs: s.dayMs,
  });
  const workers = await startScaleWorkers(ctx, label, options, s, s.budgetPerMinute);
  try {
    const queue = registerQueueOf(workers);
    ctx.log(`scenario 7, ${layoutName(layout)}: ${n} offboardings into their grace period, then the rollback`);
    const targets = await settleInGracePeriod(ctx, workers, {
      label: `${label}t`,
      count: n,
      purgeAfterDays: 90,
      callsPerSecond: SET_UP_CALLS_PER_SECOND,
      timeoutMs: 900_000,
    });
    const backlog = await queueDeactivations(ctx, workers, {
      label: `${label}b`,
      count: QUEUED_DEACTIVATES,
      timeoutMs: 300_000,
    });
    ctx.sim.configure({ tier2PerMinute: s.simTier2PerMinute });
    ctx.sim.clearRequests();
    await setQueueRate(ctx.client, queue, undefined);

    const startedAt = Date.now();
    let next = 0;
    const lane = async () => {
      while (next < targets.length) {
        const tenantId = targets[next++]!;
        await ctx.client.workflow
          .getHandle(workflowIdFor(tenantId))
          .signal(reactivateSignal, { reason: 'bench: bulk rollback', requestedBy: 'npm run bench' });
      }
    };
    await Promise.all(Array.from({ length: SIGNAL_CONCURRENCY }, lane));
    const decidingMs = Date.now() - startedAt;

    const idealMs = (n / s.budgetPerMinute) * 60_000;
    const reactivated = () => {
      const seen = new Set<string>();
      let last = 0;
      for (const r of ctx.sim.requests()) {
        if (r.route !== 'reactivate' || r.clientId !== workers.clientId || r.status === 429 || !r.tenantId) continue;
        if (!seen.has(r.tenantId)) last = Math.max(last, r.at);
        seen.add(r.tenantId);
      }
      return { count: seen.size, last };
    };
    await waitForRequests(ctx, () => reactivated().count >= n, { timeoutMs: idealMs * 2 + 60_000, pollMs: 1_000 });
    const done = reactivated();
    // Where the time went, from the runs' histories: when each reactivation was queued and when a worker took it.
    await sleep(5_000);
    const times = [
      ...(
        await activityTimesOf(
          ctx.client,
          targets.map((id) => workflowIdFor(id)),
          'reactivateRound',
        )
      ).values(),
    ];
    const requests = ctx.sim.requests().filter((r) => r.clientId === workers.clientId);
    const waiting = times.map((t) => [t.scheduledMs, t.startedMs ?? Infinity] as const);
    const deactivates = requests.filter((r) => r.route === 'deactivate' && r.status !== 429 && r.at <= done.last);
    const tier2 = requests.filter((r) => TIER2_ROUTES.has(r.route) && r.status !== 429);
    const run: RollbackRun = {
      layout,
      partitions: backlog.partitions.length,
      decidingMs,
      allSentMs: done.count >= n ? done.last - startedAt : undefined,
      allQueuedMs: times.length >= n ? Math.max(...times.map((t) => t.scheduledMs)) - startedAt : undefined,
      received: done.count,
      deactivatesDuring: deactivates.length,
      // A deactivate sent while a reactivation sat queued: on one partition priority forbids it; with several, the
      // deactivate's partition may have had no reactivation while another had.
      deactivatesAheadOfQueued: deactivates.filter((d) => waiting.some(([from, to]) => from < d.at && d.at < to))
        .length,
      callsPerMinute:
        done.count > 0
          ? (tier2.filter((r) => r.at >= startedAt && r.at <= done.last).length / (done.last - startedAt)) * 60_000
          : undefined,
      rejected429: requests.filter((r) => r.status === 429).length,
      busiestWindow: busiestWindow(
        tier2.map((r) => r.at),
        s.simWindowMs,
      ),
    };
    ctx.log(`  all ${run.received} sent after ${seconds(run.allSentMs)} (decided within ${seconds(decidingMs)})`);
    return run;
  } finally {
    await workers.stop();
  }
}

export async function bulkRollbackScenario(ctx: BenchContext, options: BenchOptions): Promise<string> {
  const s = rateLimitedSettings(options.opsScale);
  const n = options.rollback;
  const qlikMinutes = Math.ceil(n / DEFAULT_BUDGET_PER_MINUTE);
  const boundMs = (qlikMinutes * 60_000) / options.opsScale + 5_000;
  const idealMs = (n / s.budgetPerMinute) * 60_000;
  const results: RollbackRun[] = [];
  for (const layout of options.layouts) {
    results.push(await withLayout(ctx, layout, (layoutCtx) => runOnLayout(layoutCtx, options, layout)));
  }
  const windowAllowed = Math.floor((s.simTier2PerMinute * s.simWindowMs) / 60_000);
  const rows = results.map((r) => [
    `**${layoutName(r.layout, r.partitions)}**`,
    seconds(r.decidingMs),
    seconds(r.allQueuedMs),
    r.allSentMs === undefined ? `**${r.received} of ${n} sent in time**` : `**${seconds(r.allSentMs)}**`,
    `${seconds(boundMs)}: ${verdict(r.allSentMs === undefined ? false : r.allSentMs <= boundMs)}`,
    `${seconds(idealMs)} (${fixed(r.allSentMs === undefined ? undefined : r.allSentMs / idealMs, 2)})`,
    `${integer(r.callsPerMinute)}/min of ${integer(s.budgetPerMinute)}`,
    `${integer(r.deactivatesAheadOfQueued)} (${integer(r.deactivatesDuring)} sent in all)`,
    integer(r.rejected429),
    `${integer(r.busiestWindow)} of ${integer(windowAllowed)}`,
  ]);
  const table = markdownTable(
    [
      `Scenario 7: bulk rollback of ${integer(n)} (budget ${integer(s.budgetPerMinute)}/min = 90/min × ${options.opsScale})`,
      'all decided (signals sent)',
      'all queued (last reactivation scheduled)',
      'first decision → last reactivate received',
      `bound ⌈${integer(n)} ÷ 90⌉ = ${qlikMinutes} Qlik min ÷ ${options.opsScale} + 5 s`,
      'ideal N ÷ budget (ratio)',
      'registration calls meanwhile',
      'deactivates sent while a reactivation was queued',
      '429s',
      `busiest ${seconds(s.simWindowMs)} window vs Qlik's 500`,
    ],
    rows,
  );
  return (
    `${table}\n\n_Qlik's clock ×${options.opsScale}: the bound's minutes are Qlik's, its 5 s the wall clock's. A ` +
    `\`reactivate\` signal to each of the ${integer(n)}, ${SIGNAL_CONCURRENCY} in flight at a time; ` +
    `${QUEUED_DEACTIVATES} deactivates queued on the partitions meanwhile (priority 4 against the reactivations' 1). ` +
    `Two worker processes, reports ${options.reports ? 'on' : 'off'}; each layout on a dev server of its own._`
  );
}
