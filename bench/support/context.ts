/**
 * What every scenario shares: the benchmark's own dev server, a client, the Qlik simulator (in this process, so its
 * request log is read directly) and the webhook receiver; and how the product's and the floor's worker processes
 * are started against them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../src/config/worker-config';
import { workflowIdFor, type OffboardingInput } from '../../src/shared/contract';
import { startSimulator, type Simulator } from '../../src/simulator';
import type { Job } from './batch';
import { devServer, temporalCliVersion, type TaskQueueLayout } from '../../harness/dev-server';
import { freePort } from '../../harness/ports';
import { launcherPath, WORKER_COMMAND } from '../../harness/processes';
import { startReceiver, type Receiver } from '../../harness/webhook-receiver';
import { startChildWorker, type ChildWorker } from './processes';

export const REGION = 'eu';

/** The shared secret the bench's workers sign with (the receiver does not verify: it only counts). */
const BENCH_WEBHOOK_SECRET = 'bench-webhook-secret-not-a-real-one';

/** The benchmark's own dev server (harness/dev-server.ts), its process measured and its CLI version printed. */
export interface BenchServer {
  /** `127.0.0.1:<port>` */
  address: string;
  uiPort: number;
  /** The server process, for its memory and CPU. */
  pid: number;
  /** "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)" */
  cliVersion: string;
  /** Stops it and deletes its database. */
  stop(): Promise<void>;
  /** How to stop it by hand (for `--keep-server`). */
  stopCommand: string;
}

/**
 * Starts the server on free ports with a fresh database in memory: the benchmark's 10,000 workflows never land in a
 * developer's server, and each run starts clean. One partition per task queue, as developers run it, unless
 * `partitions` asks for another layout (scenarios 5–7 compare them).
 */
export async function startBenchServer(
  log: (line: string) => void,
  partitions: TaskQueueLayout = 1,
): Promise<BenchServer> {
  const layout = partitions === 'default' ? "the server's default partitions" : `${partitions} partition(s) per queue`;
  // A free port can be taken by other work on the machine between its pick and the server's bind: try new ones.
  for (let attempt = 1; ; attempt++) {
    const server = await devServer({ name: 'qlik-offboard-bench', databaseInMemory: true, partitions });
    log(`starting a dev server of the benchmark's own on ${server.address} (${layout}; database in ${server.folder})`);
    try {
      await server.start();
      return {
        address: server.address,
        uiPort: server.uiPort,
        pid: server.pid(),
        cliVersion: await temporalCliVersion(),
        stop: () => server.destroy(),
        stopCommand: server.stopCommand,
      };
    } catch (error) {
      await server.destroy().catch(() => undefined);
      if (attempt >= 3 || !/address already in use/.test(String((error as { stderr?: string }).stderr ?? error))) {
        throw error;
      }
      log(`  a port was taken meanwhile (attempt ${attempt}); again on other ports`);
    }
  }
}

export interface BenchContext {
  server: BenchServer;
  connection: Connection;
  client: Client;
  sim: Simulator;
  webhook: Receiver;
  /** Makes task queues and tenant IDs unique to this run of the benchmark. */
  runTag: string;
  /** Progress lines (stderr); the tables go to stdout. */
  log(line: string): void;
  /** A folder for the run's own files (the floor's workflow bundle), removed at the end. */
  scratchDir: string;
  /** The floor's workflow bundle, built once on first use. */
  floorBundle?: Promise<string>;
}

/** A worker process with its metrics endpoint. */
export interface BenchWorker extends ChildWorker {
  metricsAddress: string;
}

export async function openContext(log: (line: string) => void): Promise<BenchContext> {
  const server = await startBenchServer(log);
  try {
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default' });
    // Real Qlik by default; every scenario sets its own rate limits and day length.
    const sim = await startSimulator({ requestLogLimit: 1_000_000 });
    const webhook = await startReceiver(undefined, { keepDeliveries: false });
    webhook.script(() => ({ status: 204 }));
    const runTag = Date.now().toString(36);
    const scratchDir = mkdtempSync(path.join(tmpdir(), 'qlik-offboard-bench-files-'));
    return { server, connection, client, sim, webhook, runTag, log, scratchDir };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Closes everything; with `keepServer` the dev server stays up (its workflows need no worker to be looked at). */
export async function closeContext(ctx: BenchContext, options: { keepServer?: boolean } = {}): Promise<void> {
  await ctx.connection.close().catch(() => undefined);
  await ctx.sim.close().catch(() => undefined);
  await ctx.webhook.close().catch(() => undefined);
  rmSync(ctx.scratchDir, { recursive: true, force: true });
  if (options.keepServer) {
    ctx.log(
      `the dev server keeps running: Web UI http://localhost:${ctx.server.uiPort}, gRPC ${ctx.server.address}; ` +
        `stop it with: ${ctx.server.stopCommand}`,
    );
  } else {
    await ctx.server.stop();
  }
}

/** A process environment without the developer's own Temporal/Qlik/offboarding settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(TEMPORAL_|QLIK_|OFFBOARD_|REPORT_|LOG_FORMAT)/.test(name)),
    ),
    // The worker launcher runs the `node` first on PATH: make it the one the floor's worker runs on, this one.
    ...launcherPath(),
  };
}

/** The settings of a product worker process, in the contract's environment variables. */
export interface ProductWorkerSettings {
  taskQueue: string;
  /** The OAuth client the worker uses for the region (registered in the simulator first). */
  clientId: string;
  registerCallsPerMinute: number;
  dayMs: number;
  probeInitialIntervalMs: number;
  probeMaxIntervalMs: number;
  /** Lifecycle reports to the bench's receiver (default on: the product as deployed). */
  reports: boolean;
  /** `OFFBOARD_GRACE_PROBE_INTERVAL` (a duration or `off`); unset: the worker's default, one real day. */
  graceProbeInterval?: string;
  /** `NODE_OPTIONS` of the process, if any. */
  nodeOptions?: string;
  /** Further environment variables (`--worker-env`); the settings above win over them. */
  extraEnv?: Record<string, string>;
}

/** The secret of a bench OAuth client, known only to the simulator and the bench's workers. */
const secretOf = (clientId: string) => `${clientId}-secret-not-a-real-one`;

/** Registers `clientId` for the region in the simulator. */
export function addSimClient(ctx: BenchContext, clientId: string): void {
  ctx.sim.addClient({ region: REGION, clientId, clientSecret: secretOf(clientId) });
}

const DIST_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Starts the worker (`bin/qlik-offboard-worker`) configured like production, only pointed at the simulator and the
 * bench server.
 */
export async function startProductWorker(
  ctx: BenchContext,
  name: string,
  settings: ProductWorkerSettings,
): Promise<BenchWorker> {
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    ...settings.extraEnv,
    TEMPORAL_ADDRESS: ctx.server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: settings.taskQueue,
    [`QLIK_${REGION.toUpperCase()}_CLIENT_ID`]: settings.clientId,
    [`QLIK_${REGION.toUpperCase()}_CLIENT_SECRET`]: secretOf(settings.clientId),
    QLIK_REGISTER_URL_TEMPLATE: ctx.sim.registerUrlTemplate,
    QLIK_TENANT_URL_TEMPLATE: ctx.sim.tenantUrlTemplate,
    QLIK_REGISTER_CALLS_PER_MINUTE: String(settings.registerCallsPerMinute),
    OFFBOARD_DAY_LENGTH: `${settings.dayMs}ms`,
    OFFBOARD_PROBE_INITIAL_INTERVAL: `${settings.probeInitialIntervalMs}ms`,
    OFFBOARD_PROBE_MAX_INTERVAL: `${settings.probeMaxIntervalMs}ms`,
    OFFBOARD_METRICS_ADDRESS: metricsAddress,
    ...(settings.graceProbeInterval ? { OFFBOARD_GRACE_PROBE_INTERVAL: settings.graceProbeInterval } : {}),
    TEMPORAL_UI_URL: `http://localhost:${ctx.server.uiPort}`,
    ...(settings.reports ? { REPORT_WEBHOOK_URL: ctx.webhook.url, REPORT_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET } : {}),
    ...(settings.nodeOptions ? { NODE_OPTIONS: settings.nodeOptions } : {}),
  };
  const worker = await startChildWorker({
    name,
    // The worker as deployed: its launcher caps the heap (OFFBOARD_WORKER_HEAP_MB).
    command: WORKER_COMMAND,
    env,
    ready: /worker polling/,
  });
  return Object.assign(worker, { metricsAddress });
}

/** Bundles the floor's workflows once, like `npm run build` does for the product's (so neither bundles at start). */
function floorBundle(ctx: BenchContext): Promise<string> {
  ctx.floorBundle ??= bundleWorkflowCode({
    workflowsPath: path.join(DIST_ROOT, 'bench', 'floor', 'workflows.js'),
    // Shared by every workflow of the worker, as the product's are (src/worker/workflow-bundle.ts).
    preloadModules: [path.join(DIST_ROOT, 'bench', 'floor', 'workflows.js')],
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m) => ctx.log(m), log() {} },
  }).then(({ code }) => {
    const file = path.join(ctx.scratchDir, 'floor-bundle.js');
    writeFileSync(file, code);
    return file;
  });
  return ctx.floorBundle;
}

/** The default heap cap of bin/qlik-offboard-worker (`OFFBOARD_WORKER_HEAP_MB`). */
const LAUNCHER_DEFAULT_HEAP_MB = 192;

/** The worker-process settings that bound a worker's workflow cache and memory. */
export interface WorkerShape {
  maxCachedWorkflows: number;
  heapMb: number;
}

/** The shape of the product's worker processes: their defaults, or what `--worker-env` sets. */
export function productWorkerShape(extraEnv: Record<string, string> = {}): WorkerShape {
  return {
    maxCachedWorkflows: Number(extraEnv.OFFBOARD_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS),
    heapMb: Number(extraEnv.OFFBOARD_WORKER_HEAP_MB ?? LAUNCHER_DEFAULT_HEAP_MB),
  };
}

/** Starts the floor's worker process (`dist/bench/floor/worker.js`) with the product worker's `shape`. */
export async function startFloorWorker(
  ctx: BenchContext,
  name: string,
  taskQueue: string,
  shape: WorkerShape,
): Promise<ChildWorker> {
  return startChildWorker({
    name,
    command: [
      process.execPath,
      `--max-old-space-size=${shape.heapMb}`,
      path.join(DIST_ROOT, 'bench', 'floor', 'worker.js'),
    ],
    env: {
      ...cleanEnv(),
      BENCH_TEMPORAL_ADDRESS: ctx.server.address,
      BENCH_TASK_QUEUE: taskQueue,
      BENCH_WORKFLOW_BUNDLE: await floorBundle(ctx),
      BENCH_MAX_CACHED_WORKFLOWS: String(shape.maxCachedWorkflows),
    },
    ready: /floor worker ready/,
  });
}

export function hostnameOf(tenantId: string): string {
  return `${tenantId.toLowerCase()}.${REGION}.qlikcloud.com`;
}

/** Puts the tenants into the simulator and returns one offboarding job per tenant (10-day grace period). */
export function offboardingJobs(ctx: BenchContext, tenantIds: string[], purgeAfterDays = 10): Job[] {
  return tenantIds.map((tenantId) => {
    ctx.sim.addTenant({ id: tenantId, hostnames: [hostnameOf(tenantId)], region: REGION });
    const input: OffboardingInput = {
      tenantId,
      hostname: hostnameOf(tenantId),
      region: REGION,
      purgeAfterDays,
      requestedBy: 'npm run bench',
    };
    return { workflowId: workflowIdFor(tenantId), args: [input] };
  });
}

/** `count` tenant IDs unique to this run: `<runTag>-<label>-<i>`. */
export function tenantIds(ctx: BenchContext, label: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `b${ctx.runTag}-${label}-${String(i).padStart(5, '0')}`);
}
