/**
 * Scenario 6, reactivation latency (issue "[3 of 4] Operations at scale", item 1): a reactivation decided during the
 * grace period must be sent within 5 s whatever the backlog of deactivates queued on the region's registration queue.
 * Temporal orders a partition's tasks by priority (reactivate 1, deactivate 4), but the server splits the queue's
 * limit among its partitions, so a reactivation still waits for its own partition's next slot: up to
 * partitions × 60 ÷ budget seconds. Measured per budget and layout.
 *
 * For each budget: offboardings put in their grace period (set-up, the simulator's limit off), then a backlog of
 * deactivates queued on every partition (the queue held at rate 0), then the queue handed back to the budget and the
 * reactivations decided one at a time, at random moments (a decision does not know where the partitions' slots
 * are), each through the `reactivateTenant` Update. Latency: from the decision (the status's `decidedBy.at`: when
 * the workflow took it, on the server's clock, the one the simulator's log shares on this machine) to the
 * simulator's receipt of the reactivate request; and, for comparison, from just before the Update was sent, which
 * adds the time a busy workflow worker takes to get to it. Budgets are on Qlik's
 * clock; each runs at its own time scale (budget ÷ 90, the simulator's limit and window scaled alike), but the
 * latency is on the wall clock, unscaled.
 */
import type { TaskQueueLayout } from '../../harness/dev-server';
import { reactivateUpdate } from '../../src/workflows/definitions';
import { partitionSlotSeconds, REACTIVATION_SEND_TARGET_MS } from '../../src/registration-budget';
import { workflowIdFor } from '../../src/shared/contract';
import type { BenchOptions } from '../options';
import type { BenchContext } from '../support/context';
import { layoutName, withLayout } from '../support/layouts';
import { activityTimesOf } from '../support/activity-times';
import { activityPartitions, watchBacklogs } from '../support/partitions';
import { setQueueRate } from '../../harness/queue-rate';
import {
  queueDeactivations,
  registerQueueOf,
  startScaleWorkers,
  settleInGracePeriod,
  waitForRequests,
} from '../support/staging';
import { max, percentile } from '../support/stats';
import { integer, markdownTable, millis, seconds, verdict } from '../support/table';
import { rateLimitedSettings } from './rate-limited';

/** Reactivations decided per budget and layout. */
const DECISIONS = 12;
/** How fast the set-up lets the first deactivates through (the simulator's limit is off meanwhile). */
const SET_UP_CALLS_PER_SECOND = 20;

interface LatencyRun {
  layout: TaskQueueLayout;
  partitions: number;
  budget: number;
  /** Decision recorded (the status's `decidedBy.at`) → reactivate received. */
  latenciesMs: number[];
  /** Update sent → reactivate received: adds the time the workflow took to take the decision. */
  fromSentMs: number[];
  /** Reactivation scheduled → started (history, server clock): the wait in the registration queue. */
  queueWaitsMs: number[];
  /** Decisions whose reactivate never arrived in time. */
  missing: number;
  /** Least backlog per partition while the decisions were carried out. */
  minBacklogs?: number[];
  /** Deactivates sent per minute meanwhile: the backlog was being served at the budget. */
  deactivatesPerMinute?: number;
  rejected429: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runBudget(
  ctx: BenchContext,
  options: BenchOptions,
  layout: TaskQueueLayout,
  partitions: number,
  budget: number,
): Promise<LatencyRun> {
  const s = rateLimitedSettings(budget / 90);
  const label = `s6p${layout}b${budget}`;
  // The decisions' spacing: longer than the worst wait, so that no reactivation queues behind the one before.
  const slotMs = partitionSlotSeconds({ partitions, callsPerMinute: budget }) * 1000;
  const gapMs = Math.max(1_000, 1.5 * slotMs);
  const measureMs = DECISIONS * gapMs * 1.5 + 10_000 + 3 * slotMs;
  const backlogCount = Math.ceil((budget / 60_000) * measureMs) + 10 * Math.max(partitions, 4);

  ctx.sim.configure({
    tier2PerMinute: 0,
    rateWindowMs: s.simWindowMs,
    tokenLifetimeMs: s.tokenLifetimeMs,
    dayMs: s.dayMs,
  });
  const workers = await startScaleWorkers(ctx, label, options, s, budget);
  try {
    const queue = registerQueueOf(workers);
    ctx.log(
      `scenario 6, ${layoutName(layout, partitions)}, budget ${budget}/min: ${DECISIONS} in their grace period, ` +
        `${backlogCount} deactivates queued, decisions every ~${seconds(gapMs)}`,
    );
    const targets = await settleInGracePeriod(ctx, workers, {
      label: `${label}t`,
      count: DECISIONS,
      purgeAfterDays: 90,
      callsPerSecond: SET_UP_CALLS_PER_SECOND,
      timeoutMs: 180_000,
    });
    await queueDeactivations(ctx, workers, { label: `${label}b`, count: backlogCount, timeoutMs: 300_000 });
    // From here on Qlik's limit applies (scaled to this budget), as it would in production.
    ctx.sim.configure({ tier2PerMinute: s.simTier2PerMinute });
    ctx.sim.clearRequests();
    const watch = await watchBacklogs(ctx.client, queue);
    await setQueueRate(ctx.client, queue, undefined);
    // Let the release's burst pass: the decisions meet the queue in its steady state.
    await sleep(Math.max(2_000, slotMs));

    // Decisions at random moments, each on its own: one whose Update is slow to be answered (a busy workflow worker)
    // does not hold back the next.
    const firstDecisionAt = Date.now();
    const sentAt = new Map<string, number>();
    const decidedAt = new Map<string, number>();
    const updates: Promise<void>[] = [];
    for (const tenantId of targets) {
      await sleep(gapMs * (0.5 + Math.random()));
      sentAt.set(tenantId, Date.now());
      updates.push(
        ctx.client.workflow
          .getHandle(workflowIdFor(tenantId))
          .executeUpdate(reactivateUpdate, { args: [{ reason: 'bench: renewed', requestedBy: 'npm run bench' }] })
          .then((status) => {
            if (status.decidedBy) decidedAt.set(tenantId, Date.parse(status.decidedBy.at));
          }),
      );
    }
    await Promise.all(updates);
    const reactivates = () =>
      new Map(
        ctx.sim
          .requests()
          .filter((r) => r.route === 'reactivate' && r.clientId === workers.clientId && r.status !== 429)
          .map((r) => [r.tenantId!, r.at] as const)
          .reverse(), // the first request per tenant wins the Map
      );
    await waitForRequests(ctx, () => reactivates().size >= targets.length, { timeoutMs: 30_000 + 3 * slotMs });
    const endAt = Date.now();
    await watch.stop();

    const received = reactivates();
    const since = (from: Map<string, number>) =>
      targets.flatMap((id) => {
        const at = received.get(id);
        const t = from.get(id);
        return at === undefined || t === undefined ? [] : [at - t];
      });
    const latenciesMs = since(decidedAt);
    const fromSentMs = since(sentAt);
    // The part spent in the registration queue: the reactivated runs finish within seconds (a probe, the report),
    // and then their histories hold the reactivation's scheduled and started events.
    await Promise.all(
      targets.map((id) =>
        Promise.race([
          ctx.client.workflow
            .getHandle(workflowIdFor(id))
            .result()
            .catch(() => undefined),
          sleep(60_000),
        ]),
      ),
    );
    const times = await activityTimesOf(
      ctx.client,
      targets.map((id) => workflowIdFor(id)),
      'reactivateRound',
    );
    const queueWaitsMs = [...times.values()].flatMap((t) =>
      t.startedMs === undefined ? [] : [t.startedMs - t.scheduledMs],
    );
    const requests = ctx.sim.requests().filter((r) => r.clientId === workers.clientId);
    const deactivates = requests.filter(
      (r) => r.route === 'deactivate' && r.status !== 429 && r.at >= firstDecisionAt && r.at <= endAt,
    ).length;
    const run: LatencyRun = {
      layout,
      partitions,
      budget,
      latenciesMs,
      fromSentMs,
      queueWaitsMs,
      missing: targets.length - latenciesMs.length,
      minBacklogs: watch.minimumBetween(firstDecisionAt, endAt),
      deactivatesPerMinute: (deactivates / (endAt - firstDecisionAt)) * 60_000,
      rejected429: requests.filter((r) => r.status === 429).length,
    };
    ctx.log(
      `  p50 ${millis(percentile(latenciesMs, 50))}, max ${millis(max(latenciesMs))}; least backlog ` +
        `${run.minBacklogs?.join('/') ?? '—'}; ${integer(run.deactivatesPerMinute)} deactivates/min meanwhile`,
    );
    return run;
  } finally {
    await workers.stop();
  }
}

export async function reactivationLatencyScenario(ctx: BenchContext, options: BenchOptions): Promise<string> {
  const results: LatencyRun[] = [];
  for (const layout of options.layouts) {
    await withLayout(ctx, layout, async (layoutCtx) => {
      // The same partitions for every budget: a server's layout does not change between runs.
      const partitions = (await activityPartitions(layoutCtx.client, `bench-${ctx.runTag}-layout-probe`)).length;
      for (const budget of options.budgets)
        results.push(await runBudget(layoutCtx, options, layout, partitions, budget));
    });
  }
  const target = REACTIVATION_SEND_TARGET_MS;
  const rows = results.map((r) => {
    const p99 = percentile(r.latenciesMs, 99);
    const everyPartition = r.minBacklogs !== undefined && r.minBacklogs.every((b) => b > 0);
    const met = r.missing === 0 && p99 !== undefined && p99 <= target;
    return [
      layoutName(r.layout, r.partitions),
      `${integer(r.budget)}/min`,
      seconds(partitionSlotSeconds({ partitions: r.partitions, callsPerMinute: r.budget }) * 1000),
      `**${millis(percentile(r.latenciesMs, 50))}**`,
      `**${millis(p99)}**`,
      `${millis(percentile(r.queueWaitsMs, 50))} / ${millis(percentile(r.queueWaitsMs, 99))}`,
      millis(percentile(r.fromSentMs, 99)),
      `${integer(r.latenciesMs.length)}${r.missing > 0 ? ` (**${r.missing} not sent in time**)` : ''}`,
      r.minBacklogs === undefined
        ? '—'
        : `${r.minBacklogs.map(integer).join(' / ')} (${everyPartition ? 'yes' : '**no**'})`,
      `${integer(r.deactivatesPerMinute)}/min`,
      integer(r.rejected429),
      verdict(everyPartition ? met : undefined),
    ];
  });
  const table = markdownTable(
    [
      'Scenario 6: reactivation latency behind a backlog',
      'budget (Qlik clock)',
      "a partition's slot spacing (partitions × 60 ÷ budget)",
      'decision → reactivate received, p50',
      'p99',
      'of which in the queue (scheduled → started), p50 / p99',
      'p99 from the Update sent',
      'decisions',
      'least backlog per partition meanwhile (every partition held one?)',
      'deactivates sent meanwhile',
      '429s',
      `p99 ≤ ${target / 1000} s`,
    ],
    rows,
  );
  return (
    `${table}\n\n_Each decision is a \`reactivateTenant\` Update, sent at a random moment ${DECISIONS} times per row; ` +
    `latency from the decision (\`decidedBy.at\`) to the simulator's receipt of the reactivate, on the wall clock; the ` +
    `column "from the Update sent" adds the workflow's own time to take the decision. Reactivations have priority 1, the queued deactivates 4 (revision 2). Each ` +
    `budget runs at its own time scale (budget ÷ 90: the simulator's Tier 2 limit and window scaled alike); two ` +
    `worker processes. With ${DECISIONS} decisions per row, p99 (nearest rank) is their maximum._`
  );
}
