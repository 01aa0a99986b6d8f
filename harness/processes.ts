/**
 * Real processes: the built worker (`bin/qlik-offboard-worker`, exactly what `npm run worker` runs), and any other
 * command the benchmark starts (its floor worker). Crash, restart and shutdown tests need real processes: a worker
 * inside Jest cannot be SIGKILLed; the benchmark needs them to read each worker's memory and CPU on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt, ROOT } from './repo';

const WORKER_LAUNCHER = path.join(ROOT, 'bin', 'qlik-offboard-worker');

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A spawned process. */
export interface RunningProcess {
  pid: number;
  /** Sends a signal (default SIGKILL); a no-op once the process has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** What it wrote to stdout and stderr so far (all of it, or the last `keepLines`), interleaved in arrival order. */
  logs(): string;
  /** Resolves when the output matches `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM (a worker finishes its in-flight tasks), then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A spawned worker process. */
export type WorkerProcess = RunningProcess;

export interface SpawnOptions {
  /** Named in error messages. */
  name?: string;
  /** The executable and its arguments. */
  command: [string, ...string[]];
  /** The whole environment of the process (nothing is inherited). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Keep only the last this many lines of output. The benchmark's workers run for many minutes and only the tail
   * serves a diagnosis; the tests keep everything, because they scan all of it (for leaked secrets, say).
   */
  keepLines?: number;
}

/** Starts `command`, collecting its output. */
export function spawnProcess(options: SpawnOptions): RunningProcess {
  const name = options.name ?? 'worker';
  const [executable, ...args] = options.command;
  const child: ChildProcess = spawn(executable, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
    // Trimmed after the listeners have seen the chunk, so that a waitForLog never misses a line.
    if (options.keepLines !== undefined) {
      const lines = output.split('\n');
      if (lines.length > options.keepLines + 1) output = lines.slice(-(options.keepLines + 1)).join('\n');
    }
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
  const kill = (signal: NodeJS.Signals = 'SIGKILL'): void => {
    if (!done) child.kill(signal);
  };
  return {
    pid: child.pid!,
    kill,
    exited,
    logs: () => output,
    waitForLog(pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(output)) finish();
          else if (done)
            finish(new Error(`${name} exited before printing ${pattern}; output:\n${output.slice(-3000)}`));
        };
        const timer = setTimeout(
          () =>
            finish(
              new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-3000)}`),
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
    async stop(graceMs = 15_000) {
      if (done) return;
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts the worker (`bin/qlik-offboard-worker`) with `env` on top of a minimal environment (PATH, HOME): nothing
 * from the test process leaks in, so a missing variable really is missing.
 */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  ensureBuilt();
  return spawnProcess({
    command: [WORKER_LAUNCHER],
    cwd: ROOT,
    env: { ...launcherPath(), HOME: process.env.HOME ?? tmpdir(), ...env },
  });
}

/** PATH with this Node first: the worker launcher runs the `node` first on PATH. */
export function launcherPath(): { PATH: string } {
  return { PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
}

/** The worker launcher, `bin/qlik-offboard-worker`. */
export const WORKER_COMMAND: [string] = [WORKER_LAUNCHER];

/** Spawns the built worker and waits until it polls. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const worker = spawnWorker(env);
  try {
    await worker.waitForLog(/worker polling/, 60_000);
  } catch (error) {
    worker.kill('SIGKILL');
    throw error;
  }
  return worker;
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
