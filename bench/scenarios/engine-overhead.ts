/**
 * Scenario 2, engine overhead: N offboardings with the rate limit out of the way, and in the same run the same N
 * through the floor, a bare workflow of the same shape (same activities, local activities and timer) whose
 * activities do nothing. Ours ÷ floor is what the product adds on top of Temporal's own cost per workflow.
 *
 * A third variant, the floor with the offboarding's search-attribute upserts, tells the part of the overhead that
 * the contract asks for (a phase attribute that dashboards filter on) from the part that is the product's own code.
 * Each worker process serves every run of its variant (warm, as in production); runs rotate which variant goes
 * first, so that a drift in the machine's load does not always hit the same one.
 */
import { FLOOR_WORKFLOW_TYPE, secondTaskQueueOf } from '../floor/names';
import type { FloorInput } from '../floor/workflows';
import type { BenchOptions } from '../options';
import { runBatch, type BatchResult } from '../support/batch';
import { productWorkerShape, startFloorWorker, type BenchContext } from '../support/context';
import type { ChildWorker } from '../support/processes';
import { runProductBatch, startProductWorkers, type ProductRun, type ProductWorkers } from '../support/product-run';
import { median, percentile } from '../support/stats';
import { fixed, integer, markdownTable, runs, seconds, verdict } from '../support/table';

/**
 * Short enough that sleeping is a small part of a run, long enough that most workflows reach their grace period
 * before it ends; the same for ours and the floor.
 */
export const UNTHROTTLED = {
  dayMs: 200,
  purgeAfterDays: 10,
  probeInitialIntervalMs: 100,
  probeMaxIntervalMs: 1_000,
  /** Rate limits out of the way: the simulator's are off, the worker's is far above what a run reaches. */
  registerCallsPerMinute: 6_000_000,
};

const BATCH_TIMEOUT_MS = 600_000;

interface Measured {
  wallMs?: number;
  workerCpuMs?: number;
  serverCpuMs?: number;
  eventsP50?: number;
  problems: string[];
}

function measure(batch: BatchResult, workerCpuMs: number | undefined, serverCpuMs: number | undefined): Measured {
  return {
    wallMs: batch.lastCloseMs !== undefined ? batch.lastCloseMs - batch.startedAtMs : undefined,
    workerCpuMs,
    serverCpuMs,
    eventsP50: percentile(
      batch.executions.map((e) => e.historyLength),
      50,
    ),
    problems: batch.problems,
  };
}

const delta = (before?: number, after?: number) =>
  before !== undefined && after !== undefined ? after - before : undefined;

/** The product's workers for unthrottled runs (scenario 2, and scenario 3 when it runs alone). */
export function startUnthrottledWorkers(ctx: BenchContext, options: BenchOptions): Promise<ProductWorkers> {
  ctx.sim.configure({ tier1PerMinute: 0, tier2PerMinute: 0, dayMs: UNTHROTTLED.dayMs });
  return startProductWorkers(ctx, 's2', 1, {
    registerCallsPerMinute: UNTHROTTLED.registerCallsPerMinute,
    dayMs: UNTHROTTLED.dayMs,
    probeInitialIntervalMs: UNTHROTTLED.probeInitialIntervalMs,
    probeMaxIntervalMs: UNTHROTTLED.probeMaxIntervalMs,
    reports: options.reports,
    nodeOptions: options.workerNodeOptions,
    extraEnv: options.workerEnv,
  });
}

/** One unthrottled batch through the product. */
export function unthrottledRun(
  ctx: BenchContext,
  workers: ProductWorkers,
  options: BenchOptions,
  rep: number,
  serverCpu?: () => number | undefined,
): Promise<ProductRun> {
  return runProductBatch(ctx, workers, {
    label: `s2r${rep}`,
    tenants: options.tenants,
    timeoutMs: BATCH_TIMEOUT_MS,
    serverCpuMs: serverCpu,
  });
}

async function floorRun(
  ctx: BenchContext,
  worker: ChildWorker,
  taskQueue: string,
  options: BenchOptions,
  label: string,
  searchAttributes: boolean,
  serverCpu: () => number | undefined,
): Promise<Measured> {
  const input: FloorInput = {
    secondTaskQueue: secondTaskQueueOf(taskQueue),
    graceMs: UNTHROTTLED.purgeAfterDays * UNTHROTTLED.dayMs,
    probeIntervalMs: UNTHROTTLED.probeInitialIntervalMs,
    reports: options.reports,
    searchAttributes,
  };
  const jobs = Array.from({ length: options.tenants }, (_, i) => ({
    workflowId: `floor-${ctx.runTag}-${label}-${i}`,
    args: [input],
  }));
  const serverBefore = serverCpu();
  const cpuBefore = worker.cpuMs();
  const batch = await runBatch(ctx.client, {
    taskQueue,
    workflowType: FLOOR_WORKFLOW_TYPE,
    jobs,
    timeoutMs: BATCH_TIMEOUT_MS,
    log: ctx.log,
  });
  return measure(batch, delta(cpuBefore, worker.cpuMs()), delta(serverBefore, serverCpu()));
}

export interface EngineOverheadResult {
  table: string;
  runs: ProductRun[];
}

type Variant = 'ours' | 'floor' | 'floor+sa';

const VARIANT_NAMES: Record<Variant, string> = {
  ours: 'offboardTenant',
  floor: 'the floor',
  'floor+sa': 'the floor with the search-attribute upserts',
};

export async function engineOverheadScenario(
  ctx: BenchContext,
  options: BenchOptions,
  serverCpu: () => number | undefined,
): Promise<EngineOverheadResult> {
  const measured: Record<Variant, Measured[]> = { ours: [], floor: [], 'floor+sa': [] };
  const productRuns: ProductRun[] = [];
  const floorQueue = `bench-${ctx.runTag}-s2floor`;
  const [ours, floor] = await Promise.all([
    startUnthrottledWorkers(ctx, options),
    // The same cache bound and heap cap as the product's worker: what differs is only the workflow.
    startFloorWorker(ctx, 'floor worker', floorQueue, productWorkerShape(options.workerEnv)),
  ]);
  try {
    const variants: Variant[] = options.explainOverhead ? ['ours', 'floor', 'floor+sa'] : ['ours', 'floor'];
    for (let rep = 1; rep <= options.repeat; rep++) {
      const order = variants.map((_, i) => variants[(i + rep - 1) % variants.length]!);
      for (const variant of order) {
        ctx.log(
          `scenario 2, run ${rep}/${options.repeat}: ${options.tenants} workflows through ${VARIANT_NAMES[variant]}`,
        );
        let m: Measured;
        if (variant === 'ours') {
          const run = await unthrottledRun(ctx, ours, options, rep, serverCpu);
          productRuns.push(run);
          m = measure(run.batch, run.workers[0]?.cpuMs, run.serverCpuMs);
        } else {
          const sa = variant === 'floor+sa';
          m = await floorRun(ctx, floor, floorQueue, options, `${sa ? 'sa' : 'bare'}${rep}`, sa, serverCpu);
        }
        measured[variant].push(m);
        ctx.log(`  ${seconds(m.wallMs)}`);
      }
    }
  } catch (error) {
    ctx.log(`--- last output of the floor worker:\n${floor.tail()}`);
    throw error;
  } finally {
    await Promise.all([ours.stop(), floor.stop()]);
  }
  return { table: overheadTable(measured, options.tenants, options.explainOverhead), runs: productRuns };
}

function overheadTable(measured: Record<Variant, Measured[]>, n: number, explain: boolean): string {
  const { ours, floor } = measured;
  const floorSa = measured['floor+sa'];
  const med = (list: Measured[], f: (m: Measured) => number | undefined) =>
    median(list.map(f).filter((v): v is number => v !== undefined));
  const throughput = (m: Measured) => (m.wallMs ? n / (m.wallMs / 1000) : undefined);
  const ratiosTo = (base: Measured[]) => ours.map((o, i) => (o.wallMs ?? NaN) / (base[i]?.wallMs ?? NaN));
  const ratios = ratiosTo(floor);
  const wallRatio = median(ratios.filter(Number.isFinite));
  const wallRatioSa = median(ratiosTo(floorSa).filter(Number.isFinite));
  const ratio = (a?: number, b?: number) => (a !== undefined && b ? fixed(a / b, 2) : '—');
  const row = (label: string, f: (m: Measured) => number | undefined, format: (v?: number) => string, note = '') => {
    const [o, fl, fs] = [med(ours, f), med(floor, f), med(floorSa, f)];
    return [label, format(o), format(fl), format(fs), ratio(o, fl), ratio(o, fs), note];
  };
  const perThousand = (ms?: number) => (ms === undefined ? undefined : (ms / n) * 1000);
  const problems = [...ours, ...floor, ...floorSa].flatMap((m) => m.problems);
  const rows: string[][] = [
    [
      '**Wall time, first start → last close**',
      `**${seconds(med(ours, (m) => m.wallMs))}**`,
      `**${seconds(med(floor, (m) => m.wallMs))}**`,
      seconds(med(floorSa, (m) => m.wallMs)),
      `**${fixed(wallRatio, 2)}**`,
      fixed(wallRatioSa, 2),
      `ratios: medians of the per-run ratios (ours ÷ floor: ${runs(ratios, (v) => fixed(v, 2))}); target ours ÷ floor ≤ 1.5: ${verdict(wallRatio === undefined ? undefined : wallRatio <= 1.5)}`,
    ],
    row('Throughput (workflows/s)', throughput, (v) => fixed(v, 1)),
    row('Worker CPU per 1,000 workflows', (m) => perThousand(m.workerCpuMs), seconds, 'the worker process only'),
    row('Dev server CPU per 1,000 workflows', (m) => perThousand(m.serverCpuMs), seconds),
    row('History events per workflow (p50)', (m) => m.eventsP50, integer),
  ];
  if (problems.length > 0) rows.push(['Problems', problems.join('; '), '', '', '', '', '']);
  // Without --explain-overhead there is no "floor + search attributes" variant: drop its two columns.
  const keep = (cells: string[]) => (explain ? cells : cells.filter((_, i) => i !== 3 && i !== 5));
  const header = [
    `Scenario 2: engine overhead (${integer(n)} workflows per run, 1 worker process)`,
    'ours',
    'floor',
    'floor + search attributes',
    'ours ÷ floor',
    'ours ÷ (floor + SA)',
    'notes',
  ];
  return markdownTable(keep(header), rows.map(keep));
}
