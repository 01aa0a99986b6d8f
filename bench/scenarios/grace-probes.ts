/**
 * Scenario 8, grace probes ("[4 of 4]", `OFFBOARD_GRACE_PROBE_INTERVAL`): what probing the tenant once a day during
 * a 90-day grace period costs each offboarding's history (target: at most 1,000 events beyond the happy path) and
 * its tenant host. The same offboardings run twice, at the same time: on a worker with the probes off and on one
 * that probes once a (simulated) day.
 *
 * A day is 1.5 s here: long enough that the dev server's timers (which fire up to a second late) never push a probe
 * into the next day, short enough that 90 days take a little over two minutes. Scenario 4 measures the other cost
 * of the probes: thousands of sleeping offboardings waking once a day each.
 */
import { WORKFLOW_TYPE } from '../../src/shared/contract';
import type { OffboardingResult } from '../../src/shared/contract';
import type { BenchOptions } from '../options';
import { runBatch, type BatchResult } from '../support/batch';
import { addSimClient, offboardingJobs, startProductWorker, tenantIds, type BenchContext } from '../support/context';
import { max, median } from '../support/stats';
import { fixed, integer, kibibytes, markdownTable, seconds, verdict } from '../support/table';

const DAY_MS = 1_500;
const PURGE_AFTER_DAYS = 90;
/** Offboardings per variant: a few, to show that every one costs the same. */
const TENANTS = 5;
const EXTRA_EVENTS_TARGET = 1_000;

interface Variant {
  label: string;
  batch: BatchResult;
  results: OffboardingResult[];
  /** Probes of each tenant host over the whole run (the simulator's log). */
  probesPerTenant: number[];
}

async function runVariant(
  ctx: BenchContext,
  options: BenchOptions,
  label: string,
  graceProbeInterval: string,
): Promise<Variant> {
  const taskQueue = `bench-${ctx.runTag}-${label}`;
  const clientId = `bench-${label}`;
  addSimClient(ctx, clientId);
  const worker = await startProductWorker(ctx, label, {
    taskQueue,
    clientId,
    registerCallsPerMinute: 6_000_000,
    dayMs: DAY_MS,
    probeInitialIntervalMs: 100,
    probeMaxIntervalMs: 1_000,
    reports: options.reports,
    graceProbeInterval,
    nodeOptions: options.workerNodeOptions,
    extraEnv: options.workerEnv,
  });
  try {
    const ids = tenantIds(ctx, label, TENANTS);
    const jobs = offboardingJobs(ctx, ids, PURGE_AFTER_DAYS);
    const batch = await runBatch(ctx.client, {
      taskQueue,
      workflowType: WORKFLOW_TYPE,
      jobs,
      timeoutMs: (PURGE_AFTER_DAYS + 30) * DAY_MS + 120_000,
      log: ctx.log,
    });
    const results = await Promise.all(
      jobs.map((job) => ctx.client.workflow.getHandle(job.workflowId).result() as Promise<OffboardingResult>),
    );
    const hosts = new Map(jobs.map((job) => [(job.args[0] as { hostname: string }).hostname, 0]));
    for (const request of ctx.sim.requests()) {
      if (request.route === 'probe' && request.hostname !== undefined && hosts.has(request.hostname)) {
        hosts.set(request.hostname, hosts.get(request.hostname)! + 1);
      }
    }
    return { label, batch, results, probesPerTenant: [...hosts.values()] };
  } catch (error) {
    ctx.log(`--- last output of the worker:\n${worker.tail()}`);
    throw error;
  } finally {
    await worker.stop();
  }
}

const spread = (values: number[], format: (v: number | undefined) => string) =>
  `${format(median(values))} / ${format(max(values))}`;

export async function graceProbesScenario(ctx: BenchContext, options: BenchOptions): Promise<string> {
  ctx.sim.configure({ tier1PerMinute: 0, tier2PerMinute: 0, dayMs: DAY_MS });
  ctx.log(
    `scenario 8: ${TENANTS} offboardings with ${PURGE_AFTER_DAYS} days of ${seconds(DAY_MS)} each, grace probes off ` +
      'and daily, side by side (2 worker processes)',
  );
  const [off, daily] = await Promise.all([
    runVariant(ctx, options, 's5-off', 'off'),
    runVariant(ctx, options, 's5-daily', `${DAY_MS}ms`),
  ]);
  const events = (v: Variant) => v.batch.executions.map((e) => e.historyLength);
  const bytes = (v: Variant) =>
    v.batch.executions.map((e) => e.historySize).filter((b): b is number => b !== undefined);
  const graceProbes = daily.results.map((r) => r.graceProbes?.probes ?? 0);
  const extra = (median(events(daily)) ?? NaN) - (median(events(off)) ?? NaN);
  const perProbe = extra / (median(graceProbes) ?? NaN);
  const outcomes = (v: Variant) =>
    [...new Set(v.results.map((r) => r.outcome))].join(', ') +
    (v.batch.problems.length ? ` (${v.batch.problems.join('; ')})` : '');
  const rows: string[][] = [
    ['Outcomes', outcomes(off), outcomes(daily), `${TENANTS} offboardings per variant, started together`],
    [
      '**History events per workflow (p50 / max)**',
      spread(events(off), integer),
      spread(events(daily), integer),
      `one run each (no continue-as-new: far below the 4,000-event bound)`,
    ],
    [
      '**Events beyond the happy path**',
      '—',
      `**${integer(extra)}** (${fixed(perProbe, 1)} per probe)`,
      `target ≤ ${integer(EXTRA_EVENTS_TARGET)}: ${verdict(Number.isFinite(extra) ? extra <= EXTRA_EVENTS_TARGET : undefined)}; ` +
        'per probe a timer (started, fired), a workflow task (3) and the probe as a local activity (a marker)',
    ],
    ['History size per workflow (p50 / max)', spread(bytes(off), kibibytes), spread(bytes(daily), kibibytes), ''],
    [
      '**Grace probes per workflow (p50 / max)**',
      '0',
      spread(graceProbes, integer),
      `${PURGE_AFTER_DAYS} days: the first jittered into the first day, then one a day`,
    ],
    [
      '**Grace probes per tenant per day**',
      '0',
      `**${fixed((median(graceProbes) ?? NaN) / PURGE_AFTER_DAYS, 2)}**`,
      'p50 of the workflows; OFFBOARD_GRACE_PROBE_INTERVAL = one day',
    ],
    [
      'Probes of the tenant host per tenant, whole run (p50 / max)',
      spread(off.probesPerTenant, integer),
      spread(daily.probesPerTenant, integer),
      "the simulator's log: verification, grace probes, purge confirmation",
    ],
  ];
  return markdownTable(
    [
      `Scenario 8: grace probes (${TENANTS} offboardings × ${PURGE_AFTER_DAYS} days of ${seconds(DAY_MS)}, 1 worker process per variant)`,
      'probes off',
      'daily probes',
      'notes',
    ],
    rows,
  );
}
