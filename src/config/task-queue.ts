/**
 * The one reader of `TEMPORAL_TASK_QUEUE`: the worker's configuration, the CLI, the demo and the library's
 * connection helpers all take the workflows' task queue from here; the library's functions take it as an argument.
 */
import { DEFAULT_TASK_QUEUE } from '../shared/contract';

/** The workflows' task queue: `TEMPORAL_TASK_QUEUE`, else the contract's `tenant-offboarding`. */
export function taskQueueFrom(env: Record<string, string | undefined> = process.env): string {
  return env.TEMPORAL_TASK_QUEUE?.trim() || DEFAULT_TASK_QUEUE;
}
