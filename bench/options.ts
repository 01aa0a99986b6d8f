/** The benchmark's command line (`npm run bench -- --help`). */
import type { TaskQueueLayout } from '../harness/dev-server';

/** The scenarios, by number; 1–4 run by default, 5–7 (operations at scale) when asked for. */
export const ALL_SCENARIOS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

export interface BenchOptions {
  /** Offboardings per run in scenarios 1–3. */
  tenants: number;
  /** Runs of scenarios 1–3 (medians are reported). */
  repeat: number;
  /** Workflows held in their grace period in scenario 4. */
  sleeping: number;
  /** Scenarios to run, in order. */
  only: number[];
  /** Time scale of scenario 1: Qlik's limits run this many times faster (budget ×scale per minute, window ÷scale). */
  scale: number;
  /** Lifecycle reports to a webhook (the product as deployed); `--no-reports` measures without. */
  reports: boolean;
  /** Scenario 2 also runs the floor with the offboarding's search-attribute upserts, to tell where overhead comes from. */
  explainOverhead: boolean;
  /** Leave the dev server running at the end, for a look at the histories in the Web UI. */
  keepServer: boolean;
  /** `NODE_OPTIONS` for the product's worker processes (e.g. `--trace-gc`); none by default. */
  workerNodeOptions?: string;
  /** Further worker settings (`OFFBOARD_MAX_CACHED_WORKFLOWS=50`), on top of the ones each scenario sets. */
  workerEnv: Record<string, string>;
  /** Task-queue layouts scenarios 5–7 run on, each on a dev server of its own: 1 partition, the server's default. */
  layouts: TaskQueueLayout[];
  /** Time scale of scenarios 5 and 7 (Qlik's clock runs this many times faster, as `scale` for scenario 1). */
  opsScale: number;
  /** Budgets (calls/min, Qlik's clock) at which scenario 6 measures the reactivation latency. */
  budgets: number[];
  /** Reactivations decided at once in scenario 7 (the bulk rollback). */
  rollback: number;
  help: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  tenants: 500,
  repeat: 3,
  sleeping: 10_000,
  only: [1, 2, 3, 4, 8],
  scale: 10,
  reports: true,
  explainOverhead: false,
  workerEnv: {},
  keepServer: false,
  layouts: [1, 'default'],
  opsScale: 5,
  budgets: [30, 90, 300, 900],
  rollback: 1_000,
  help: false,
};

export const HELP = `Usage: npm run bench [-- flags]      (or: node dist/bench/main.js [flags] after npm run build)

Benchmarks the offboarding workflow on a Temporal dev server of its own (started with temporal-dev.sh on free
ports, with a fresh database that is deleted afterwards), with the Qlik simulator and the product's worker
processes. Prints one markdown table per scenario on stdout; progress goes to stderr.

  1  rate-limited throughput: N tenants over two worker processes against a time-scaled Tier 2 limit
  2  engine overhead: N offboardings with the rate limit out of the way vs a bare workflow of the same shape
  3  per-tenant cost: HTTP calls by kind, token requests, history events and bytes (from the runs of 1 and 2)
  4  scale at rest: workflows held in their grace period; worker peak RSS and status-query latency
  5  budget on each layout: the share of the budget used with a backlog on every partition, and 429s,
     over one of Qlik's (time-scaled) 5-minute windows, on 1 partition and on the server's default layout
  6  reactivation latency: decision -> reactivate received, behind a backlog on every partition, per budget
     and layout
  7  bulk rollback: N reactivations decided at once, time until all are sent vs ceil(N / budget) min + 5 s
  8  grace probes: 90-day offboardings with daily grace probes vs none; history events, probes per tenant per day
     (runs before 4)

Flags:
  --tenants N     offboardings per run in scenarios 1-3 (default ${DEFAULT_OPTIONS.tenants})
  --repeat K      runs of scenarios 1-3; medians are reported (default ${DEFAULT_OPTIONS.repeat})
  --sleeping N    workflows held in their grace period in scenario 4 (default ${DEFAULT_OPTIONS.sleeping})
  --only LIST     scenarios to run, e.g. 1,3 or 5,6,7 (default 1,2,3,4,8)
  --scale K       scenario 1 runs Qlik's clock K times faster: budget 90*K/min, window 300/K s (default ${DEFAULT_OPTIONS.scale})
  --ops-scale K   the same for scenarios 5 and 7 (default ${DEFAULT_OPTIONS.opsScale})
  --layouts LIST  task-queue layouts of scenarios 5-7, each on a dev server of its own: partitions per queue, or
                  'default' for the server's own (4) (default ${DEFAULT_OPTIONS.layouts.join(',')})
  --budgets LIST  scenario 6's budgets, calls/min (default ${DEFAULT_OPTIONS.budgets.join(',')})
  --rollback N    reactivations decided at once in scenario 7 (default ${DEFAULT_OPTIONS.rollback})
  --no-reports    run the workers without a report webhook (default: reports on, as deployed)
  --explain-overhead
                  scenario 2 also runs the floor with the offboarding's search-attribute upserts (one more batch
                  per run): tells the overhead the contract's search attributes cost from the product's own
  --worker-node-options OPTS
                  NODE_OPTIONS for the product's worker processes, e.g. "--trace-gc" (default: none, the worker as
                  \`npm run worker\` starts it; its heap cap is OFFBOARD_WORKER_HEAP_MB, through --worker-env)
  --worker-env NAME=VALUE
                  one more environment variable for the product's worker processes (repeatable), e.g.
                  OFFBOARD_MAX_CACHED_WORKFLOWS=100 or OFFBOARD_WORKER_HEAP_MB=256; a scenario's own settings cannot
                  be overridden
  --keep-server   leave the benchmark's dev server running at the end (it prints where, and how to stop it)
  --help          this text

Exit codes: 0 done (targets missed are marked in the tables), 1 the benchmark could not run, 2 bad flags.
`;

export class UsageError extends Error {}

function positiveInteger(flag: string, raw: string | undefined, min = 1): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < min) {
    throw new UsageError(`${flag}: expected an integer >= ${min}, got ${raw === undefined ? 'nothing' : `'${raw}'`}`);
  }
  return value;
}

/** Parses the arguments after `node main.js`; throws {@link UsageError} naming the flag. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--tenants':
        options.tenants = positiveInteger(flag, value());
        break;
      case '--repeat':
        options.repeat = positiveInteger(flag, value());
        break;
      case '--sleeping':
        options.sleeping = positiveInteger(flag, value());
        break;
      case '--scale':
        options.scale = positiveInteger(flag, value());
        break;
      case '--ops-scale':
        options.opsScale = positiveInteger(flag, value());
        break;
      case '--rollback':
        options.rollback = positiveInteger(flag, value());
        break;
      case '--only': {
        const raw = value() ?? '';
        const list = raw.split(',').map((s) => Number(s.trim()));
        if (list.length === 0 || list.some((n) => !(ALL_SCENARIOS as readonly number[]).includes(n))) {
          throw new UsageError(`--only: expected scenario numbers 1-8 separated by commas, got '${raw}'`);
        }
        options.only = [...new Set(list)].sort();
        break;
      }
      case '--layouts': {
        const raw = value() ?? '';
        const list = raw.split(',').map((s) => s.trim());
        if (list.length === 0 || list.some((l) => l !== 'default' && !/^[1-9][0-9]?$/.test(l))) {
          throw new UsageError(`--layouts: expected partition counts or 'default' separated by commas, got '${raw}'`);
        }
        options.layouts = [...new Set(list)].map((l) => (l === 'default' ? 'default' : Number(l)));
        break;
      }
      case '--budgets': {
        const raw = value() ?? '';
        options.budgets = raw.split(',').map((b) => positiveInteger(flag, b.trim()));
        break;
      }
      case '--no-reports':
        options.reports = false;
        break;
      case '--worker-node-options': {
        const raw = value();
        if (!raw) throw new UsageError('--worker-node-options: expected Node options, e.g. "--trace-gc"');
        options.workerNodeOptions = raw;
        break;
      }
      case '--worker-env': {
        const raw = value() ?? '';
        const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(raw);
        if (!match) throw new UsageError(`--worker-env: expected NAME=VALUE, got '${raw}'`);
        options.workerEnv = { ...options.workerEnv, [match[1]!]: match[2]! };
        break;
      }
      case '--explain-overhead':
        options.explainOverhead = true;
        break;
      case '--keep-server':
        options.keepServer = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown flag '${flag}' (see --help)`);
    }
  }
  return options;
}
