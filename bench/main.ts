/**
 * `npm run bench`: the performance benchmark (issue "[5 of 5] Performance"). A script that prints tables, not a
 * test: it starts a Temporal dev server of its own, the Qlik simulator in this process and the product's worker
 * processes, runs the scenarios asked for, and prints one markdown table per scenario (stdout); progress goes to
 * stderr. docs/performance.md explains the scenarios and holds the reference results.
 */
import { DEFAULT_OPTIONS, HELP, parseOptions, UsageError, type BenchOptions } from './options';
import { engineOverheadScenario, startUnthrottledWorkers, unthrottledRun } from './scenarios/engine-overhead';
import { perTenantCostTable, type RunGroup } from './scenarios/per-tenant-cost';
import { budgetLayoutsScenario } from './scenarios/budget-layouts';
import { bulkRollbackScenario } from './scenarios/bulk-rollback';
import { rateLimitedScenario } from './scenarios/rate-limited';
import { reactivationLatencyScenario } from './scenarios/reactivation-latency';
import { graceProbesScenario } from './scenarios/grace-probes';
import { scaleAtRestScenario } from './scenarios/scale-at-rest';
import { closeContext, openContext, type BenchContext } from './support/context';
import { describeEnvironment, environmentTable, stamp, type Environment } from './support/machine';
import { cpuOfLayoutServers } from './support/layouts';
import { cpuOfStoppedWorkers, processCpuMs } from './support/processes';
import { seconds } from './support/table';

const began = Date.now();
function log(line: string): void {
  process.stderr.write(`[bench +${((Date.now() - began) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** What the defaults are changed to, for the heading (a table is only comparable with the same settings). */
function settingsLine(options: BenchOptions): string {
  const changed = (Object.keys(DEFAULT_OPTIONS) as (keyof BenchOptions)[]).filter(
    (key) =>
      key !== 'help' && key !== 'keepServer' && JSON.stringify(options[key]) !== JSON.stringify(DEFAULT_OPTIONS[key]),
  );
  const all =
    `--tenants ${options.tenants} --repeat ${options.repeat} --sleeping ${options.sleeping} --only ${options.only.join(',')} --scale ${options.scale}` +
    `${options.reports ? '' : ' --no-reports'}${options.explainOverhead ? ' --explain-overhead' : ''}${options.workerNodeOptions ? ` --worker-node-options "${options.workerNodeOptions}"` : ''}` +
    (options.only.some((n) => n >= 5)
      ? ` --layouts ${options.layouts.join(',')} --ops-scale ${options.opsScale} --budgets ${options.budgets.join(',')} --rollback ${options.rollback}`
      : '') +
    Object.entries(options.workerEnv)
      .map(([name, value]) => ` --worker-env ${name}=${value}`)
      .join('');
  return changed.length === 0 ? `default settings (${all})` : `settings: ${all}`;
}

async function runScenarios(ctx: BenchContext, options: BenchOptions, env: Environment): Promise<void> {
  const serverCpu = () => processCpuMs(ctx.server.pid);
  const groups: RunGroup[] = [];
  const emit = (table: string) => {
    print(`${table}\n\n${stamp(env)}\n`);
  };

  if (options.only.includes(1)) {
    const result = await rateLimitedScenario(ctx, options);
    emit(result.table);
    groups.push({ label: 'rate-limited (scenario 1)', runs: result.runs, complete: false });
  }
  if (options.only.includes(2)) {
    const result = await engineOverheadScenario(ctx, options, serverCpu);
    emit(result.table);
    groups.push({ label: 'unthrottled (scenario 2)', runs: result.runs, complete: true });
  }
  if (options.only.includes(3)) {
    if (groups.length === 0) {
      // Scenario 3 reads the runs of 1 and 2; alone, it makes unthrottled runs of its own.
      const workers = await startUnthrottledWorkers(ctx, options);
      const runs = [];
      try {
        for (let rep = 1; rep <= options.repeat; rep++) {
          ctx.log(`scenario 3, run ${rep}/${options.repeat}: ${options.tenants} offboardings, unthrottled`);
          runs.push(await unthrottledRun(ctx, workers, options, rep));
        }
      } finally {
        await workers.stop();
      }
      groups.push({ label: 'unthrottled', runs, complete: true });
    }
    emit(perTenantCostTable(groups, options));
  }
  // Before scenario 4: its 10,000 sleeping workflows stay on the server afterwards, and wake for their grace probes.
  if (options.only.includes(8)) emit(await graceProbesScenario(ctx, options));
  if (options.only.includes(4)) emit(await scaleAtRestScenario(ctx, options, ctx.server.pid));
  // Operations at scale: each on dev servers of their own, one per layout (support/layouts.ts).
  if (options.only.includes(5)) emit(await budgetLayoutsScenario(ctx, options));
  if (options.only.includes(6)) emit(await reactivationLatencyScenario(ctx, options));
  if (options.only.includes(7)) emit(await bulkRollbackScenario(ctx, options));
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const ctx = await openContext(log);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= closeContext(ctx, { keepServer: options.keepServer }));
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the workers and the dev server`);
    void close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const env = await describeEnvironment(ctx.client, ctx.server.cliVersion);
    print(`# npm run bench — ${env.date}\n\n${settingsLine(options)}\n\n${environmentTable(env)}\n`);
    await runScenarios(ctx, options, env);
    // What the run cost the machine: the floor under its wall time on two cores that nobody else uses.
    const own = process.cpuUsage();
    const cpu = {
      server: (processCpuMs(ctx.server.pid) ?? 0) + cpuOfLayoutServers(),
      workers: cpuOfStoppedWorkers(),
      bench: (own.user + own.system) / 1000,
    };
    const cpuTotal = cpu.server + cpu.workers + cpu.bench;
    print(
      `_Total time: ${seconds(Date.now() - began)}. CPU time used: dev server${cpuOfLayoutServers() > 0 ? 's' : ''} ${seconds(cpu.server)}, worker processes ` +
        `${seconds(cpu.workers)}, this process (simulator, webhook receiver, client) ${seconds(cpu.bench)}; ` +
        `${seconds(cpuTotal)} in all, at least ${seconds(cpuTotal / 2)} of wall time on two cores that nothing else uses._`,
    );
    return 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
