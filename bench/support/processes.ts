/**
 * Worker processes started by the benchmark: each is a separate Node process so that its memory can be read on its
 * own (`/proc/<pid>/status`), as an operator would see it.
 */
import { readFileSync } from 'node:fs';
import { spawnProcess } from '../../harness/processes';

export interface ChildWorker {
  readonly name: string;
  readonly pid: number;
  /** The last lines the process wrote (stdout and stderr), for a diagnosis when something goes wrong. */
  tail(): string;
  /** Peak and current resident memory in bytes, from `/proc`; undefined once the process is gone. */
  memory(): ProcessMemory | undefined;
  /** CPU time used so far in ms; undefined once the process is gone. */
  cpuMs(): number | undefined;
  /** SIGTERM (the worker finishes in-flight tasks), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface ProcessMemory {
  /** VmHWM: the peak resident set size since the process started. */
  peakRss: number;
  /** VmRSS: the resident set size now. */
  rss: number;
}

/** Reads VmHWM and VmRSS of `pid` (Linux). */
export function processMemory(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { peakRss: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return undefined;
  }
}

let stoppedWorkersCpuMs = 0;

/** CPU time used by the worker processes this benchmark has stopped so far, ms. */
export function cpuOfStoppedWorkers(): number {
  return stoppedWorkersCpuMs;
}

/** CPU time (user + system) that `pid` has used so far, in ms (Linux; clock ticks of 10 ms). */
export function processCpuMs(pid: number): number | undefined {
  try {
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime and stime are fields 14 and 15 of the line
    return ticks * 10;
  } catch {
    return undefined;
  }
}

/**
 * Starts `command` (an executable and its arguments) with `env` and resolves once its output matches `ready`; rejects
 * when it exits first or `timeoutMs` passes, with its last lines of output.
 */
export async function startChildWorker(options: {
  name: string;
  command: [string, ...string[]];
  env: NodeJS.ProcessEnv;
  ready: RegExp;
  timeoutMs?: number;
}): Promise<ChildWorker> {
  const child = spawnProcess({ name: options.name, command: options.command, env: options.env, keepLines: 40 });
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  const worker: ChildWorker = {
    name: options.name,
    pid: child.pid,
    tail: () => child.logs(),
    memory: () => (exited ? undefined : processMemory(child.pid)),
    cpuMs: () => (exited ? undefined : processCpuMs(child.pid)),
    async stop(graceMs = 15_000) {
      if (exited) return;
      // Read just before the signal: the shutdown's own few milliseconds are not part of any measurement.
      stoppedWorkersCpuMs += processCpuMs(child.pid) ?? 0;
      await child.stop(graceMs);
    },
  };
  try {
    await child.waitForLog(options.ready, options.timeoutMs ?? 60_000);
  } catch (error) {
    await worker.stop(1_000);
    throw error;
  }
  return worker;
}
