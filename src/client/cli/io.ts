/** What the CLI writes to and reads its configuration from, so that tests can run it in-process. */
import type { Env } from '../connection';

/** A stream the CLI writes to; `isTTY` switches on the interactive output (the bulk progress bar). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Where the CLI reads a confirmation from; `isTTY` says a person may answer. */
export interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

/** The CLI's surroundings: its output streams and environment (`process.*` when run as a program). */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  /**
   * Where a confirmation is read (verbs that act on a selection ask on a terminal). Absent, or not a terminal: they
   * act only with `--yes`.
   */
  stdin?: Input;
  /** Environment for the Temporal connection, task queue and Web UI link (default `process.env`). */
  env?: Env;
  /** Base directory of relative file names (default `process.cwd()`). */
  cwd?: string;
}

/** The exit codes of the contract. */
export const EXIT = {
  ok: 0,
  /** error, rejected request, or (for `result`) a run that ended Failed/Canceled/Terminated */
  error: 1,
  badInput: 2,
  noOffboarding: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
