/** What the CLI writes to and reads its configuration from, so that tests can run it in-process. */
import type { Env } from '../connection';

/** A stream the CLI writes to; `isTTY` switches on the interactive output (the bulk progress bar). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Where the CLI reads a person's answer from: the verbs that act on a selection (`cancel`/`reactivate --file`,
 * `approve --all`) ask before they act.
 */
export interface Input {
  /** True when a person can answer: the CLI asks only then. */
  isTTY?: boolean;
  /** One line of input without its line break; undefined at the end of the input. */
  readLine(): Promise<string | undefined>;
}

/** The CLI's surroundings: its streams and environment (`process.*` when run as a program). */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  /**
   * Answers to questions. Absent, or not a terminal: nobody can answer, and the verbs that ask act only with `--yes`.
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
