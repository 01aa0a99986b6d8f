/**
 * A Temporal dev server of the benchmark's own, started with `temporal-dev.sh` (so it has the contract's search
 * attributes and one partition per task queue, exactly as developers run it) on free ports and a fresh database in a
 * temporary folder: the benchmark's 10,000 workflows never land in a developer's server, and each run starts clean.
 *
 * The database goes to memory (`/dev/shm`) where there is one: on this class of machine SQLite's disk syncs, not
 * Temporal, were the bottleneck (a run of 200 bare workflows took 2.5 times longer with the file on disk), and what
 * the benchmark measures is the product against Temporal, not the disk under a development server.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'temporal-dev.sh');

export interface DevServer {
  /** `127.0.0.1:<port>` */
  address: string;
  uiPort: number;
  /** The server process, for its memory. */
  pid: number;
  /** "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)" */
  cliVersion: string;
  stop(): Promise<void>;
  /** How to stop it by hand (for `--keep-server`). */
  stopCommand: string;
}

/** A port that was free a moment ago (the OS hands out a fresh one each time). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `/dev/shm` when it exists and is writable, else the system's temporary folder. */
function databaseParent(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Starts the server and waits until it answers (the script waits for that itself). */
export async function startDevServer(log: (line: string) => void): Promise<DevServer> {
  const port = await freePort();
  const uiPort = await freePort();
  const dbDir = mkdtempSync(path.join(databaseParent(), 'qlik-offboard-bench-'));
  const env = {
    ...process.env,
    TEMPORAL_DEV_PORT: String(port),
    TEMPORAL_DEV_UI_PORT: String(uiPort),
    TEMPORAL_DEV_IP: '127.0.0.1',
    TEMPORAL_DEV_DB: path.join(dbDir, 'bench.db'),
  };
  log(`starting a dev server of the benchmark's own on 127.0.0.1:${port} (database in ${dbDir})`);
  await run(SCRIPT, ['start'], { env, cwd: ROOT });
  const pidFile = path.join(ROOT, '.temporal', `server-${port}.pid`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const cli = (await run(SCRIPT, ['path', 'cli'], { env, cwd: ROOT })).stdout.trim();
  const cliVersion = (await run(cli, ['--version'])).stdout.trim();
  return {
    address: `127.0.0.1:${port}`,
    uiPort,
    pid,
    cliVersion,
    stopCommand: `TEMPORAL_DEV_PORT=${port} ./temporal-dev.sh stop && rm -rf ${dbDir}`,
    async stop() {
      try {
        await run(SCRIPT, ['stop'], { env, cwd: ROOT });
      } finally {
        rmSync(dbDir, { recursive: true, force: true });
        rmSync(path.join(ROOT, '.temporal', `server-${port}.log`), { force: true });
      }
    },
  };
}
