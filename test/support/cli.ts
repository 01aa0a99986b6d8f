/** Helpers shared by the client tests: inputs for simulator tenants, waiting for visibility, running the CLI. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client';
import type { Input } from '../../src/client/cli/io';
import type { OffboardingInput } from '../../src/shared/contract';
import { hostnameOf } from '../../harness/simulator';
import { waitFor } from '../../harness/wait';
import type { Harness } from '../../harness/workers';

/** An input for simulator tenant `id` (region eu unless overridden). */
export function inputFor(id: string, overrides: Partial<OffboardingInput> = {}): OffboardingInput {
  return { tenantId: id, hostname: hostnameOf(id, overrides.region ?? 'eu'), region: 'eu', ...overrides };
}

/** Polls `check` until it returns a value other than undefined (visibility is eventually consistent). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  let value: T | undefined;
  await waitFor(what, async () => (value = await check()) !== undefined, timeoutMs);
  return value as T;
}

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment the CLI gets in tests: the test server, the harness's task queue, a recognisable UI URL. */
export function cliEnv(env: TestWorkflowEnvironment, h: Harness): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    TEMPORAL_UI_URL: 'http://ui.test:8233',
  };
}

/** A terminal's input on which a person types `answer` (its lines, and then nothing more). */
function terminalTyping(answer: string): Input {
  const lines = answer.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { isTTY: true, readLine: async () => lines.shift() };
}

/**
 * Runs the CLI in-process and captures its output. `answer`: stdin is a terminal on which that is typed; `stdin`:
 * an input of the test's own that answers the questions. Neither: stdin is no terminal.
 */
export async function cli(
  argv: string[],
  environment: Record<string, string>,
  options: { tty?: boolean; cwd?: string; answer?: string; stdin?: Input } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty === true },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: options.answer !== undefined ? terminalTyping(options.answer) : options.stdin,
    env: environment,
    cwd: options.cwd,
  });
  return { code, stdout, stderr };
}
