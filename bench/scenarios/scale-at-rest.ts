/**
 * Scenario 4, scale at rest: many offboardings held in their grace period (started with the rate limit out of the
 * way), as after a large offboarding wave. What it checks: that the worker's memory stays bounded while thousands of
 * workflows sleep (evicted from its cache, they cost it nothing until they wake), and that ops can still query any
 * of them.
 *
 * With grace probes as deployed ("[4 of 4]": once a day): every sleeping workflow wakes once a (simulated) day, is
 * replayed (it is no longer cached), probes its tenant host and sleeps again. A day lasts an hour here, so 10,000
 * workflows wake 2.8 times a second, 24 times the real rate (0.12 a second). With days of 5 min (288 times: 33 a
 * second) the wake-ups starved the start-up wave on two cores shared with other work (4,218 of 10,000 in their grace
 * period after 25 minutes, docs/performance.md).
 */
import { WORKFLOW_TYPE } from '../../src/shared/contract';
import { statusQuery } from '../../src/workflows/definitions';
import type { BenchOptions } from '../options';
import { startAll, waitForCount } from '../support/batch';
import { addSimClient, offboardingJobs, startProductWorker, tenantIds, type BenchContext } from '../support/context';
import { scrapeMetrics, total } from '../support/metrics';
import { processCpuMs, processMemory } from '../support/processes';
import { max, percentile } from '../support/stats';
import { fixed, integer, markdownTable, mebibytes, millis, seconds, verdict } from '../support/table';

/** Long enough that no workflow leaves its grace period while the scenario runs (30 days × 1 h). */
const DAY_MS = 3_600_000;
const PURGE_AFTER_DAYS = 30;
/** Status queries sent to random sleeping workflows, one at a time. */
const QUERIES = 200;
/** How long the grace probes of the sleeping workflows are counted before the queries (and during them). */
const PROBE_WINDOW_MS = 60_000;
const RSS_TARGET = 300 * 1024 * 1024;
/** `OFFBOARD_GRACE_PROBE_INTERVAL`: one (simulated) day, the default's meaning. */
const GRACE_PROBE_INTERVAL_MS = DAY_MS;

const delta = (before?: number, after?: number) =>
  before !== undefined && after !== undefined ? after - before : undefined;

export async function scaleAtRestScenario(
  ctx: BenchContext,
  options: BenchOptions,
  serverPid: number,
): Promise<string> {
  const n = options.sleeping;
  const label = 's4';
  const taskQueue = `bench-${ctx.runTag}-${label}`;
  const clientId = `bench-${label}`;
  ctx.sim.configure({ tier1PerMinute: 0, tier2PerMinute: 0, dayMs: DAY_MS });
  addSimClient(ctx, clientId);
  ctx.log(`scenario 4: ${integer(n)} offboardings into their grace period (1 worker process)`);
  const worker = await startProductWorker(ctx, 'worker', {
    taskQueue,
    clientId,
    registerCallsPerMinute: 6_000_000,
    dayMs: DAY_MS,
    probeInitialIntervalMs: 1_000,
    probeMaxIntervalMs: 60_000,
    graceProbeInterval: `${GRACE_PROBE_INTERVAL_MS}ms`,
    reports: options.reports,
    nodeOptions: options.workerNodeOptions,
    extraEnv: options.workerEnv,
  });
  const problems: string[] = [];
  const idle = worker.memory();
  try {
    const ids = tenantIds(ctx, label, n);
    const jobs = offboardingJobs(ctx, ids, PURGE_AFTER_DAYS);
    // The sleeping workflows are what is measured, not the simulator's log of how they got there.
    ctx.sim.clearRequests();
    const waveCpuBefore = { server: processCpuMs(serverPid), worker: worker.cpuMs() };
    const { startedAtMs, startsDoneAtMs } = await startAll(ctx.client, {
      taskQueue,
      workflowType: WORKFLOW_TYPE,
      jobs,
    });
    ctx.log(`  ${integer(n)} started in ${seconds(startsDoneAtMs - startedAtMs)}`);
    let lastLog = Date.now();
    const sleeping = await waitForCount(
      ctx.client,
      `TaskQueue = "${taskQueue}" AND OffboardingPhase = "grace-period"`,
      n,
      {
        // 6 minutes on two idle cores; an hour leaves room for a machine shared with other work.
        timeoutMs: 60 * 60_000,
        pollMs: 1_000,
        onPoll: (count) => {
          if (Date.now() - lastLog >= 15_000) {
            lastLog = Date.now();
            ctx.log(`  ${integer(count)}/${integer(n)} in their grace period`);
          }
        },
      },
    );
    const allAsleepMs = Date.now() - startedAtMs;
    const waveCpu = {
      server: delta(waveCpuBefore.server, processCpuMs(serverPid)),
      worker: delta(waveCpuBefore.worker, worker.cpuMs()),
    };
    if (sleeping < n) problems.push(`only ${integer(sleeping)} of ${integer(n)} reached the grace period`);
    ctx.log(`  ${integer(sleeping)} in their grace period after ${seconds(allAsleepMs)}`);
    ctx.sim.clearRequests();
    const restBeganAt = Date.now();

    // At rest: nothing to do for the worker; give the cache and the garbage collector a moment.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const atRest = worker.memory();
    const metrics = await scrapeMetrics(worker.metricsAddress);
    const cached = total(metrics, 'temporal_sticky_cache_size');
    const cpuBefore = worker.cpuMs();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const cpuAfter = worker.cpuMs();
    const idleCpuShare = cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / 5_000 : undefined;

    ctx.log(`  ${seconds(PROBE_WINDOW_MS)} at rest, counting the grace probes`);
    await new Promise((resolve) => setTimeout(resolve, PROBE_WINDOW_MS));
    ctx.log(`  ${QUERIES} status queries to random sleeping workflows`);
    const latencies: number[] = [];
    let failed = 0;
    for (let i = 0; i < QUERIES; i++) {
      const id = jobs[Math.floor(Math.random() * jobs.length)]!.workflowId;
      const began = performance.now();
      try {
        const status = await ctx.client.workflow.getHandle(id).query(statusQuery);
        if (status.phase !== 'grace-period') failed++;
        latencies.push(performance.now() - began);
      } catch {
        failed++;
      }
    }
    // The grace probes of the whole time at rest (queries included): each tenant host probed about once a day?
    const restMs = Date.now() - restBeganAt;
    const graceProbes = ctx.sim.requests().filter((r) => r.route === 'probe').length;
    const probesPerTenantDay = graceProbes / sleeping / (restMs / DAY_MS);
    const afterQueries = worker.memory();
    const server = processMemory(serverPid);
    const peak = max([atRest?.peakRss, afterQueries?.peakRss].filter((v): v is number => v !== undefined));
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);

    const rows: string[][] = [
      ['Workflows in their grace period', integer(sleeping), `target ${integer(n)}: ${verdict(sleeping >= n)}`],
      [
        'Time to start them all and reach the grace period',
        `${seconds(allAsleepMs)} (${fixed(n / (allAsleepMs / 1000), 0)} workflows/s)`,
        'rate limits out of the way; each one deactivated and verified first',
      ],
      [
        'CPU time for that wave: dev server / worker',
        `${seconds(waveCpu.server)} / ${seconds(waveCpu.worker)}`,
        'the dev server is the bottleneck of the wave on two cores',
      ],
      [
        '**Worker peak RSS (VmHWM)**',
        `**${mebibytes(peak)}**`,
        `target ≤ 300 MB: ${verdict(peak === undefined ? undefined : peak <= RSS_TARGET)}; over the whole scenario, start-up wave included`,
      ],
      ['Worker RSS at rest', mebibytes(atRest?.rss), 'all asleep, 5 s after the last one'],
      ['Worker RSS before the first start', mebibytes(idle?.rss), 'connected and polling, no workflow yet'],
      ['Workflows in the worker cache at rest', integer(cached), 'temporal_sticky_cache_size'],
      [
        '**Grace probes per tenant per day at rest**',
        `**${fixed(probesPerTenantDay, 2)}**`,
        `${integer(graceProbes)} probes in ${seconds(restMs)} (${fixed(graceProbes / (restMs / 1000), 1)}/s) for ` +
          `${integer(sleeping)} workflows; OFFBOARD_GRACE_PROBE_INTERVAL = one day of ${seconds(DAY_MS)}, jittered`,
      ],
      [
        'Worker CPU at rest',
        fixed(idleCpuShare === undefined ? undefined : idleCpuShare * 100, 1) + ' % of a core',
        'over 5 s; the grace probes: each wakes a workflow that is no longer cached (a replay, a probe)',
      ],
      [
        '**Status query latency (p50 / p99)**',
        `**${millis(p50)} / ${millis(p99)}**`,
        `${QUERIES} queries to random sleeping workflows, one at a time; max ${millis(max(latencies))}; ${failed} failed`,
      ],
      ['Dev server peak RSS (VmHWM)', mebibytes(server?.peakRss), 'the whole benchmark run so far'],
    ];
    if (problems.length > 0) rows.push(['Problems', problems.join('; '), '']);
    const tuning = [
      ...(options.workerNodeOptions ? [`NODE_OPTIONS=${options.workerNodeOptions}`] : []),
      ...Object.entries(options.workerEnv).map(([name, value]) => `${name}=${value}`),
    ];
    const title = `Scenario 4: scale at rest (${integer(n)} sleeping workflows, grace probes daily, 1 worker process${tuning.length ? ` with ${tuning.join(', ')}` : ''})`;
    return markdownTable([title, 'value', 'notes'], rows);
  } catch (error) {
    ctx.log(`--- last output of the worker:\n${worker.tail()}`);
    throw error;
  } finally {
    await worker.stop();
  }
}
