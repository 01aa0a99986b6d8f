/**
 * The `qlik-offboard` CLI as a function: `runCli(argv, io)` returns the exit code, so tests run it in-process
 * and `main.ts` only wires it to the process.
 */
import {
  InvalidInputError,
  isOffboardingClientError,
  NoOffboardingError,
  type OffboardingClientError,
  OffboardingErrorCode,
} from '../errors';
import { parseVerbArgs, UsageError } from './args';
import { Context } from './context';
import { problemLines } from './format';
import { CliErrorCode } from '../../shared/failure-types';
import { type CliIo, EXIT, type ExitCode } from './io';
import { approveVerb } from './verbs/approve';
import { bulkVerb } from './verbs/bulk';
import { extendVerb } from './verbs/extend';
import { listVerb } from './verbs/list';
import { reportVerb } from './verbs/report';
import { resultVerb } from './verbs/result';
import { startVerb } from './verbs/start';
import { statusVerb } from './verbs/status';
import { cancelVerb, reactivateVerb } from './verbs/steer';
import { resumeVerb, stopsVerb, stopVerb } from './verbs/stops';
import type { Verb } from './verbs/verb';
import { watchVerb } from './verbs/watch';

const VERBS: Verb[] = [
  startVerb,
  statusVerb,
  cancelVerb,
  reactivateVerb,
  extendVerb,
  approveVerb,
  resultVerb,
  bulkVerb,
  listVerb,
  watchVerb,
  reportVerb,
  stopVerb,
  resumeVerb,
  stopsVerb,
];

/** Verbs whose flags are named after the contract's fields: a problem names the flag too (`region: … [--region]`). */
const VERBS_WITH_FIELD_FLAGS: ReadonlySet<string> = new Set(['start', 'stop', 'resume']);

function globalHelp(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return `Usage: qlik-offboard <command> [options]

Offboards (deletes) Qlik Cloud tenants through the offboardTenant Temporal workflow.

Commands:
${VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`).join('\n')}

Run "qlik-offboard <command> --help" for the options of a command. Every command takes --json.

Temporal connection: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_API_KEY,
TEMPORAL_TLS_*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE. Task queue: TEMPORAL_TASK_QUEUE (tenant-offboarding).
Web UI links: TEMPORAL_UI_URL (http://localhost:8233).

Emergency stop ("the file was wrong"): stop --region R (or --requested-by X), check with stops and list, then
cancel the selection: cancel --requested-by X --by WHO; resume when it is safe.

Exit codes: 0 success; 1 error, rejected request, or (result) a run that ended Failed/Canceled/Terminated;
2 bad input; 3 no offboarding for that tenant.`;
}

/** Looks like the connection to Temporal failed (rather than a refusal by the server). */
function isConnectionTrouble(error: Error): boolean {
  return /UNAVAILABLE|ECONNREFUSED|ENOTFOUND|Failed to connect|connect|deadline/i.test(error.message);
}

function reportError(ctx: Context, verb: string | undefined, error: unknown): ExitCode {
  const command = verb ? `qlik-offboard ${verb}` : 'qlik-offboard';
  if (error instanceof UsageError) {
    if (ctx.json) ctx.err(JSON.stringify({ error: { code: CliErrorCode.Usage, message: error.message } }));
    else ctx.err(`${command}: ${error.message}\nSee "${command} --help".`);
    return EXIT.badInput;
  }
  if (isOffboardingClientError(error)) {
    const typed = error as OffboardingClientError;
    const exit =
      typed instanceof InvalidInputError || typed.code === OffboardingErrorCode.InvalidInput
        ? EXIT.badInput
        : typed instanceof NoOffboardingError || typed.code === OffboardingErrorCode.NoOffboarding
          ? EXIT.noOffboarding
          : EXIT.error;
    if (ctx.json) {
      ctx.err(JSON.stringify({ error: { ...typed, code: typed.code, message: typed.message } }));
    } else if (typed instanceof InvalidInputError) {
      ctx.err(`${command}: invalid input; nothing was sent:`);
      for (const line of problemLines(typed.problems, verb !== undefined && VERBS_WITH_FIELD_FLAGS.has(verb))) {
        ctx.err(`  ${line}`);
      }
      ctx.err(`See "${command} --help".`);
    } else {
      ctx.err(`${command}: ${typed.message}`);
    }
    return exit;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  const hint = isConnectionTrouble(err)
    ? ` (is Temporal reachable at ${ctx.address}? Set TEMPORAL_ADDRESS, or start a local server with ./temporal-dev.sh start)`
    : '';
  if (ctx.json) ctx.err(JSON.stringify({ error: { code: CliErrorCode.Error, message: err.message } }));
  else ctx.err(`${command}: error: ${err.message}${hint}`);
  return EXIT.error;
}

/**
 * Runs the CLI with `argv` (without `node` and the script), writing to `io`; resolves to the exit code. Never
 * throws: every error becomes a message and an exit code.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const ctx = new Context(io, rest.includes('--json'));
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const verb = VERBS.find((v) => v.name === rest[0]);
    if (verb) ctx.out(verb.help);
    else if (name === undefined) ctx.err(globalHelp());
    else ctx.out(globalHelp());
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const verb = VERBS.find((v) => v.name === name);
  if (!verb) {
    return reportError(
      ctx,
      undefined,
      new UsageError(`unknown command ${JSON.stringify(name)}: one of ${VERBS.map((v) => v.name).join(', ')}`),
    );
  }
  try {
    const { values, positionals } = parseVerbArgs(verb.name, rest, verb.options, verb.positionals);
    if (values.help) {
      ctx.out(verb.help);
      return EXIT.ok;
    }
    return await verb.run(ctx, values, positionals);
  } catch (error) {
    return reportError(ctx, verb.name, error);
  } finally {
    await ctx.close();
  }
}
