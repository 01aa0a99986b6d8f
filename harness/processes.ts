/**
 * Real processes for the reliability tests: the built worker (`bin/qlik-offboard-worker`, exactly what
 * `npm run worker` runs) and a private Temporal dev server with a database file (`temporal-dev.sh` on a port of
 * its own, never the default 7233 one). Crash, restart and shutdown tests need real processes: a worker inside
 * Jest cannot be SIGKILLed.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The repository root: the nearest folder above this file that holds temporal-dev.sh (this file also runs compiled,
 * from dist/test/helpers, when scripts/record-histories.ts uses it).
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'temporal-dev.sh'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`temporal-dev.sh not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

const ROOT = repoRoot();
const WORKER_JS = path.join(ROOT, 'dist', 'src', 'worker.js');
const WORKER_LAUNCHER = path.join(ROOT, 'bin', 'qlik-offboard-worker');
const WORKFLOW_BUNDLE_JS = path.join(ROOT, 'dist', 'workflow-bundle.js');
const DEV_SCRIPT = path.join(ROOT, 'temporal-dev.sh');

/**
 * Builds `dist/` once when the worker or the workflow bundle is missing (CI runs `npm ci`, whose `prepare` step
 * builds; a fresh checkout in a developer's shell may not have).
 */
export function ensureBuilt(): void {
  if (existsSync(WORKER_JS) && existsSync(WORKFLOW_BUNDLE_JS)) return;
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A spawned worker process. */
export interface WorkerProcess {
  pid: number;
  /** Sends a signal (default SIGKILL); a no-op once the process has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Everything it wrote to stdout and stderr so far, interleaved in arrival order. */
  logs(): string;
  /** Resolves when the output matches `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Starts the worker (`bin/qlik-offboard-worker`) with `env` on top of a minimal environment (PATH, HOME): nothing
 * from the test process leaks in, so a missing variable really is missing.
 */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  ensureBuilt();
  const child: ChildProcess = spawn(WORKER_LAUNCHER, [], {
    cwd: ROOT,
    // The launcher runs the `node` first on PATH: make it this one.
    env: {
      PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? tmpdir(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let done = false;
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid!,
    kill(signal = 'SIGKILL') {
      if (!done) child.kill(signal);
    },
    exited,
    logs: () => output,
    waitForLog(pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(output)) finish();
          else if (done) finish(new Error(`worker exited before printing ${pattern}; output:\n${output.slice(-3000)}`));
        };
        const timer = setTimeout(
          () =>
            finish(
              new Error(`worker did not print ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-3000)}`),
            ),
          timeoutMs,
        );
        const finish = (error?: Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs the built worker with `env` until it exits (for configurations it must refuse); kills it after `timeoutMs`. */
export async function runWorkerToExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<Exit & { output: string }> {
  const worker = spawnWorker(env);
  const timer = setTimeout(() => worker.kill('SIGKILL'), timeoutMs);
  const exit = await worker.exited;
  clearTimeout(timer);
  return { ...exit, output: worker.logs() };
}

/** The Temporal CLI that `temporal-dev.sh install` put in .temporal/ (installed first when missing). */
export function temporalCli(): string {
  const binary = execFileSync(DEV_SCRIPT, ['path', 'cli'], { encoding: 'utf8' }).trim();
  if (!existsSync(binary)) execFileSync(DEV_SCRIPT, ['install'], { stdio: 'inherit' });
  return binary;
}

/** A free TCP port on loopback (closed again before returning, so there is a small race; fine for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A dev server with a database file, started and stopped through `temporal-dev.sh`. */
export interface PrivateDevServer {
  /** `127.0.0.1:<port>`, for TEMPORAL_ADDRESS. */
  address: string;
  /** Starts it (again); resolves once it answers. */
  start(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 10 s); the database file stays. */
  stop(): Promise<void>;
  /** Stops it and deletes the database and its log. */
  destroy(): Promise<void>;
}

const execFileAsync = promisify(execFile);

/**
 * A dev server on a free port with its own SQLite file, so that it keeps workflows and timers across a restart.
 * The contract's search attributes are registered at every start by `temporal-dev.sh`.
 */
export async function privateDevServer(): Promise<PrivateDevServer> {
  const port = await freePort();
  const uiPort = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'qlik-offboard-devserver-'));
  const env = {
    ...process.env,
    TEMPORAL_DEV_PORT: String(port),
    TEMPORAL_DEV_UI_PORT: String(uiPort),
    TEMPORAL_DEV_DB: path.join(dir, 'dev.db'),
  };
  const run = async (command: 'start' | 'stop'): Promise<void> => {
    await execFileAsync(DEV_SCRIPT, [command], { cwd: ROOT, env, timeout: 90_000 });
  };
  return {
    address: `127.0.0.1:${port}`,
    start: () => run('start'),
    stop: () => run('stop'),
    async destroy() {
      await run('stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      rmSync(path.join(ROOT, '.temporal', `server-${port}.log`), { force: true });
    },
  };
}
