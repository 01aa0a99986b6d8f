/**
 * A Temporal dev server of its own, started with `temporal-dev.sh` (so it has the contract's search attributes and
 * one partition per task queue, exactly as developers run it, unless asked for another layout) on free ports and a
 * fresh database file, never the default 7233 one. It keeps workflows and timers across a restart (`stop()`, then `start()` again), which the
 * server-restart tests need, and its process can be measured, which the benchmark needs.
 *
 * The in-memory servers that the SDK starts and stops itself (`createLocalEnv`, `createTimeSkippingEnv` in
 * ./temporal.ts) are what most tests use: they cost less and need no clean-up, but keep nothing across a restart.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';
import { DEV_SCRIPT, ROOT, temporalBinary } from './repo';

const run = promisify(execFile);

export interface DevServer {
  /** `127.0.0.1:<port>`, for TEMPORAL_ADDRESS. */
  address: string;
  uiPort: number;
  /** The port of Temporal's HTTP API (`http://127.0.0.1:<port>/api/v1/…`). */
  httpPort: number;
  /** Starts it (again); resolves once it answers (the script waits for that itself). */
  start(): Promise<void>;
  /** The running server's process ID, for its memory and CPU. */
  pid(): number;
  /** Stops it (SIGTERM, then SIGKILL after 10 s); the database file stays. */
  stop(): Promise<void>;
  /** Stops it and deletes the database and its log. */
  destroy(): Promise<void>;
  /** The temporary folder that holds its database. */
  folder: string;
  /** How to stop it and clean up by hand (for the benchmark's `--keep-server`). */
  stopCommand: string;
}

export interface DevServerOptions {
  /** Prefix of the temporary folder that holds the database. */
  name?: string;
  /**
   * Put the database in memory (`/dev/shm`) where there is one. The benchmark does: on this class of machine SQLite's
   * disk syncs, not Temporal, were the bottleneck (a run of 200 bare workflows took 2.5 times longer with the file on
   * disk), and what it measures is the product against Temporal, not the disk under a development server.
   */
  databaseInMemory?: boolean;
  /** Bound on each `temporal-dev.sh` call, ms (none by default: the script bounds its own start-up wait). */
  timeoutMs?: number;
  /**
   * Partitions per task queue (`TEMPORAL_DEV_PARTITIONS`): 1 by default, as developers run it; `'default'` is the
   * server's own layout (4), as on a cluster, where a queue's rate limit is split among its partitions.
   */
  partitions?: TaskQueueLayout;
}

/** Partitions per task queue: a number, or the server's own default. */
export type TaskQueueLayout = number | 'default';

/** `/dev/shm` when it exists and is writable, else the system's temporary folder. */
function memoryFolder(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Prepares a dev server on free ports with a fresh database; `start()` starts it. */
export async function devServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = await freePort();
  const uiPort = await freePort();
  const httpPort = await freePort();
  const dir = mkdtempSync(
    path.join(options.databaseInMemory ? memoryFolder() : tmpdir(), `${options.name ?? 'qlik-offboard-devserver'}-`),
  );
  const env = {
    ...process.env,
    TEMPORAL_DEV_PORT: String(port),
    TEMPORAL_DEV_UI_PORT: String(uiPort),
    TEMPORAL_DEV_HTTP_PORT: String(httpPort),
    TEMPORAL_DEV_IP: '127.0.0.1',
    TEMPORAL_DEV_DB: path.join(dir, 'dev.db'),
    TEMPORAL_DEV_PARTITIONS: String(options.partitions ?? 1),
  };
  const script = async (command: 'start' | 'stop'): Promise<void> => {
    await run(DEV_SCRIPT, [command], { cwd: ROOT, env, ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) });
  };
  return {
    address: `127.0.0.1:${port}`,
    uiPort,
    httpPort,
    folder: dir,
    start: () => script('start'),
    pid: () => Number(readFileSync(path.join(ROOT, '.temporal', `server-${port}.pid`), 'utf8').trim()),
    stop: () => script('stop'),
    async destroy() {
      try {
        await script('stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(path.join(ROOT, '.temporal', `server-${port}.log`), { force: true });
      }
    },
    stopCommand: `TEMPORAL_DEV_PORT=${port} ./temporal-dev.sh stop && rm -rf ${dir}`,
  };
}

/** "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)": the installed CLI's version line. */
export async function temporalCliVersion(): Promise<string> {
  return (await run(temporalBinary('cli'), ['--version'])).stdout.trim();
}
