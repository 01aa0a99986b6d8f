/**
 * Scenario 5, the budget on each layout (issue "[3 of 4] Operations at scale", item 3): how much of the registration
 * budget the product uses, and whether Qlik ever answers 429, over one of Qlik's 5-minute windows, on one partition
 * per queue and on the server's default layout, where the server splits the limit among the partitions.
 *
 * The limiter is what is measured, so the measurement starts only once a backlog lies on every partition: the
 * registration queue is held (API rate 0) while enough offboardings to outlast the window queue their deactivates,
 * then handed back to the product's own limit. Every partition's backlog is sampled each second; the row says
 * whether each one still held tasks at the end of the window (if one ran dry, the figure says nothing of the
 * limiter and the table says so). Qlik's clock is scaled (`--ops-scale`) like scenario 1's.
 */
import type { TaskQueueLayout } from '../../harness/dev-server';
import type { BenchOptions } from '../options';
import type { BenchContext } from '../support/context';
import { layoutName, withLayout } from '../support/layouts';
import { watchBacklogs } from '../support/partitions';
import { setQueueRate } from '../../harness/queue-rate';
import { queueDeactivations, registerQueueOf, startScaleWorkers, waitForRequests } from '../support/staging';
import { busiestWindow } from '../support/stats';
import { integer, markdownTable, percent, seconds, verdict } from '../support/table';
import { QLIK_TIER2_PER_MINUTE, rateLimitedSettings } from './rate-limited';

const TIER2_ROUTES = new Set(['token', 'deactivate', 'reactivate']);
/** Temporal's limiter lets one second of rate through at once when a queue is released: left out of the window. */
const BURST_MS = 1_000;

interface LayoutRun {
  layout: TaskQueueLayout;
  partitions: number;
  queuedPerPartition: number[];
  /** Deactivates received in the window after the burst, and what the budget allows in it. */
  inWindow: number;
  allowedByBudget: number;
  burst: number;
  rejected429: number;
  busiestWindow: number;
  tier2Calls: number;
  /** The smallest backlog each partition held during the window (sampled each second). */
  minBacklogs?: number[];
  releaseToFirstCallMs?: number;
}

async function runOnLayout(ctx: BenchContext, options: BenchOptions, layout: TaskQueueLayout): Promise<LayoutRun> {
  const s = rateLimitedSettings(options.opsScale);
  ctx.sim.configure({
    tier2PerMinute: s.simTier2PerMinute,
    rateWindowMs: s.simWindowMs,
    tokenLifetimeMs: s.tokenLifetimeMs,
    dayMs: s.dayMs,
  });
  const label = `s5p${layout}`;
  const workers = await startScaleWorkers(ctx, label, options, s, s.budgetPerMinute);
  try {
    const queue = registerQueueOf(workers);
    const windowCalls = (s.budgetPerMinute * s.simWindowMs) / 60_000;
    // Enough to outlast the window on every partition: a partition gets its share ± a few standard deviations.
    const count = Math.ceil(windowCalls * 1.4) + 20;
    ctx.log(
      `scenario 5, ${layoutName(layout)}: queueing ${count} deactivates, then one ${seconds(s.simWindowMs)} window`,
    );
    ctx.sim.clearRequests();
    const backlog = await queueDeactivations(ctx, workers, { label, count, timeoutMs: 300_000 });
    const watch = await watchBacklogs(ctx.client, queue);
    const releasedAt = Date.now();
    await setQueueRate(ctx.client, queue, undefined);
    const deactivates = () =>
      ctx.sim
        .requests()
        .filter((r) => r.clientId === workers.clientId && r.route === 'deactivate' && r.status !== 429)
        .map((r) => r.at);
    let first: number | undefined;
    await waitForRequests(
      ctx,
      () => {
        first ??= deactivates()[0];
        return first !== undefined && Date.now() > first + BURST_MS + s.simWindowMs + 1_000;
      },
      { timeoutMs: s.simWindowMs + 120_000, pollMs: 500 },
    );
    await watch.stop();
    const requests = ctx.sim.requests().filter((r) => r.clientId === workers.clientId);
    const tier2 = requests.filter((r) => TIER2_ROUTES.has(r.route) && r.status !== 429).map((r) => r.at);
    const times = deactivates();
    const from = (first ?? NaN) + BURST_MS;
    const to = from + s.simWindowMs;
    const run: LayoutRun = {
      layout,
      partitions: backlog.partitions.length,
      queuedPerPartition: backlog.queuedPerPartition,
      inWindow: times.filter((t) => t >= from && t < to).length,
      allowedByBudget: windowCalls,
      burst: times.filter((t) => t < from).length,
      rejected429: requests.filter((r) => r.status === 429).length,
      busiestWindow: busiestWindow(tier2, s.simWindowMs),
      tier2Calls: tier2.length,
      minBacklogs: first === undefined ? undefined : watch.minimumBetween(first, to),
      releaseToFirstCallMs: first === undefined ? undefined : first - releasedAt,
    };
    ctx.log(
      `  ${run.inWindow} of ${integer(windowCalls)} in the window (${percent(run.inWindow / windowCalls)}), ` +
        `${run.rejected429} x 429; least backlog per partition ${run.minBacklogs?.join('/') ?? '—'}`,
    );
    return run;
  } finally {
    await workers.stop();
  }
}

export async function budgetLayoutsScenario(ctx: BenchContext, options: BenchOptions): Promise<string> {
  const s = rateLimitedSettings(options.opsScale);
  const results: LayoutRun[] = [];
  for (const layout of options.layouts) {
    results.push(await withLayout(ctx, layout, (layoutCtx) => runOnLayout(layoutCtx, options, layout)));
  }
  const windowAllowedByQlik = Math.floor((s.simTier2PerMinute * s.simWindowMs) / 60_000);
  const rows = results.map((r) => {
    const share = r.inWindow / r.allowedByBudget;
    const everyPartition = r.minBacklogs !== undefined && r.minBacklogs.every((b) => b > 0);
    return [
      `**${layoutName(r.layout, r.partitions)}**`,
      r.queuedPerPartition.map(integer).join(' + '),
      r.minBacklogs === undefined
        ? '—'
        : `${r.minBacklogs.map(integer).join(' / ')} (${everyPartition ? 'yes' : '**no**'})`,
      `${integer(r.inWindow)} of ${integer(r.allowedByBudget)}`,
      `**${percent(share)}**: ${verdict(everyPartition ? share >= 0.95 : undefined)}`,
      `**${integer(r.rejected429)}**: ${verdict(r.rejected429 === 0)}`,
      `${integer(r.busiestWindow)} of ${integer(windowAllowedByQlik)}`,
      integer(r.burst),
      seconds(r.releaseToFirstCallMs),
    ];
  });
  const table = markdownTable(
    [
      `Scenario 5: budget on each layout (${integer(s.budgetPerMinute)}/min = 90/min × ${options.opsScale}; window ${seconds(s.simWindowMs)} = 5 min ÷ ${options.opsScale})`,
      'deactivates queued per partition',
      'least backlog per partition in the window (every partition held one?)',
      'deactivates in the window (after the burst)',
      'share of the budget (target ≥ 95 %)',
      '429 answers (target 0)',
      `busiest ${seconds(s.simWindowMs)} window, all Tier 2 calls, vs Qlik's ${QLIK_TIER2_PER_MINUTE}/min × 5`,
      'burst at release (first second)',
      'release → first call',
    ],
    rows,
  );
  return (
    `${table}\n\n_Two worker processes, one OAuth client, reports ${options.reports ? 'on' : 'off'}; each layout on a ` +
    `dev server of its own. The registration queue was held (API rate 0) until every deactivate was queued, then ` +
    `handed back to the workers' limit (the budget); the window is the ${seconds(s.simWindowMs)} after the ` +
    `limiter's first-second burst. The busiest window counts every Tier 2 call of the client (tokens and the burst ` +
    `included) the way the simulator's limiter counts them._`
  );
}
