/**
 * `qlik-offboard bulk <file>`: starts many offboardings from a CSV or JSON Lines file. Validates every row first
 * and starts nothing while any row is bad (unless --skip-invalid); starts are idempotent (a re-run starts only
 * what is missing) and rate-limited.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isOffboardingClientError, type OffboardingErrorCode } from '../../errors';
import { startOffboarding } from '../../start';
import { parseNumberFlag, UsageError } from '../args';
import { checkBulkFile, type InvalidRow, type ValidRow } from '../bulk-file';
import type { Context } from '../context';
import { problemLines } from '../format';
import { CliErrorCode } from '../../../shared/failure-types';
import { EXIT } from '../io';
import { text, type Verb } from './verb';

/** What happened to one valid row. */
interface RowOutcome {
  line: number;
  tenantId: string;
  workflowId?: string;
  runId?: string;
  result: 'started' | 'already-running' | 'refused';
  code?: OffboardingErrorCode | CliErrorCode;
  message?: string;
}

/** Rows named one by one in the note about missing requesters; the rest are counted. */
const MAX_LISTED_LINES = 10;

/**
 * The started rows without `requestedBy`. Only the workers know whether they require approval, and then such a run
 * fails right after it starts, where bulk cannot see it: the summary names these rows so that nobody has to guess.
 */
function withoutRequestedBy(rows: ValidRow[], started: RowOutcome[]): RowOutcome[] {
  const missing = new Set(rows.filter((row) => !row.input.requestedBy?.trim()).map((row) => row.line));
  return started.filter((outcome) => missing.has(outcome.line));
}

/** Starts in flight at once: the rate bounds the pace, this bounds the load when the server is slow. */
const MAX_IN_FLIGHT = 16;
const BAR_WIDTH = 30;

function invalidLines(rows: InvalidRow[]): string[] {
  return rows.flatMap((row) =>
    problemLines(row.problems).map(
      (problem) => `line ${row.line}${row.tenantId ? ` (${row.tenantId})` : ''}: ${problem}`,
    ),
  );
}

class Progress {
  private done = 0;
  private readonly counts = { started: 0, 'already-running': 0, refused: 0 };

  constructor(
    private readonly ctx: Context,
    private readonly total: number,
    private readonly tty: boolean,
  ) {}

  record(outcome: RowOutcome): void {
    this.done++;
    this.counts[outcome.result]++;
    if (this.ctx.json) return;
    if (this.tty) {
      const filled = this.total === 0 ? BAR_WIDTH : Math.round((this.done / this.total) * BAR_WIDTH);
      this.ctx.io.stdout.write(
        `\r[${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${this.done}/${this.total}  ` +
          `started ${this.counts.started}  already running ${this.counts['already-running']}  refused ${this.counts.refused}`,
      );
      if (this.done === this.total) this.ctx.io.stdout.write('\n');
      return;
    }
    const what =
      outcome.result === 'started'
        ? `started ${outcome.workflowId}`
        : outcome.result === 'already-running'
          ? `already running ${outcome.workflowId}`
          : `refused: ${outcome.message}`;
    this.ctx.out(`line ${outcome.line} ${outcome.tenantId}: ${what}`);
  }
}

async function startRows(
  ctx: Context,
  rows: ValidRow[],
  options: { rate: number; restart: boolean },
): Promise<RowOutcome[]> {
  const { client } = await ctx.connection();
  const progress = new Progress(ctx, rows.length, ctx.io.stdout.isTTY === true);
  const outcomes: RowOutcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const intervalMs = 1000 / options.rate;
  const t0 = Date.now();
  for (const [index, row] of rows.entries()) {
    // Row i starts no earlier than t0 + i/rate: at most `rate` starts in any second.
    const wait = t0 + index * intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const one = (async () => {
      const base = { line: row.line, tenantId: row.input.tenantId };
      let outcome: RowOutcome;
      try {
        const started = await startOffboarding(client, row.input, {
          restart: options.restart,
          taskQueue: ctx.taskQueue,
        });
        outcome = { ...base, ...started, result: started.started ? 'started' : 'already-running' };
      } catch (error) {
        const code = isOffboardingClientError(error) ? error.code : CliErrorCode.Error;
        outcome = { ...base, result: 'refused', code, message: (error as Error).message };
      }
      outcomes.push(outcome);
      progress.record(outcome);
    })();
    inFlight.add(one);
    void one.finally(() => inFlight.delete(one));
  }
  await Promise.all(inFlight);
  return outcomes.sort((a, b) => a.line - b.line);
}

export const bulkVerb: Verb = {
  name: 'bulk',
  summary: 'start many offboardings from a CSV or JSON Lines file',
  options: {
    'skip-invalid': { type: 'boolean' },
    rate: { type: 'string' },
    'dry-run': { type: 'boolean' },
    restart: { type: 'boolean' },
  },
  positionals: ['file'],
  help: `Usage: qlik-offboard bulk <file> [--skip-invalid] [--rate N] [--dry-run] [--restart] [--json]

Starts one offboarding per row of <file>: CSV with a header row of the contract's field names
(tenantId,hostname,region,purgeAfterDays,notBefore,requestedBy,reason,dryRun), or JSON Lines with one input
object per line (.jsonl/.ndjson, or any file whose first character is "{"). CSV cells are separated by ",", ";"
or tab, as the header line has them; a cell in double quotes may hold the separator and line breaks.

Every row is checked first; each bad row is listed with its line number, field and rule, and nothing starts
while any row is bad. Starting is idempotent: running it again starts only what is missing and reports the
rest as already running. bulk reports what happens at the start only: a run that fails later shows in
"qlik-offboard list --failed" and "qlik-offboard report". On workers that require approval
(OFFBOARD_APPROVAL=required) a row without requestedBy starts a run that fails InvalidInput before any call:
the summary names such rows.

  --skip-invalid   start the valid rows even when some are bad (the bad ones are listed and skipped)
  --rate N         at most N starts per second (default 10, at most 100)
  --dry-run        start dry runs (change nothing at Qlik) for every row
  --restart        also start again tenants whose last offboarding completed
  --json           print { "started", "alreadyRunning", "refused", "invalid", "withoutRequestedBy" } (lists
                   of rows)
  -h, --help       this help

Exit codes: 0 every valid row started or already running; 1 some were refused, or error; 2 bad rows
(nothing started) or bad flags.`,
  async run(ctx, values, [file]) {
    const rate = parseNumberFlag('rate', text(values, 'rate'), { defaultValue: 10, min: 0.1, max: 100 });
    const fullPath = path.resolve(ctx.io.cwd ?? process.cwd(), file);
    let content: string;
    try {
      content = await readFile(fullPath, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, 'bulk');
    }
    const checked = checkBulkFile(file, content, { dryRun: values['dry-run'] === true });
    const headerBad = checked.headerProblems.length > 0;
    const invalid = [
      ...(headerBad ? [{ line: checked.headerLine, problems: checked.headerProblems }] : []),
      ...checked.invalid,
    ] as InvalidRow[];
    const skip = values['skip-invalid'] === true && !headerBad;
    if (invalid.length > 0 && !skip) {
      if (ctx.json) {
        ctx.printJson({ started: [], alreadyRunning: [], refused: [], invalid });
      } else {
        ctx.err(`${file}: ${invalid.length} bad row(s); nothing was started:`);
        for (const line of invalidLines(invalid)) ctx.err(`  ${line}`);
        ctx.err(
          headerBad
            ? 'Fix the header (the contract field names) and run again.'
            : 'Fix these rows and run again, or pass --skip-invalid to start only the valid rows.',
        );
      }
      return EXIT.badInput;
    }
    if (invalid.length > 0 && !ctx.json) {
      ctx.err(`${file}: skipping ${invalid.length} bad row(s):`);
      for (const line of invalidLines(invalid)) ctx.err(`  ${line}`);
    }
    const outcomes = await startRows(ctx, checked.valid, { rate, restart: values.restart === true });
    const of = (result: RowOutcome['result']) => outcomes.filter((o) => o.result === result);
    const refused = of('refused');
    const withoutRequester = withoutRequestedBy(checked.valid, of('started'));
    if (ctx.json) {
      ctx.printJson({
        started: of('started'),
        alreadyRunning: of('already-running'),
        refused,
        invalid,
        withoutRequestedBy: withoutRequester,
      });
    } else {
      ctx.out(
        `Summary: ${of('started').length} started, ${of('already-running').length} already running, ` +
          `${refused.length} refused${invalid.length > 0 ? `, ${invalid.length} bad row(s) skipped` : ''}.`,
      );
      for (const row of refused) ctx.out(`  refused line ${row.line} ${row.tenantId}: ${row.message}`);
      if (withoutRequester.length > 0) {
        const shown = withoutRequester.slice(0, MAX_LISTED_LINES).map((r) => `${r.line} (${r.tenantId})`);
        const more = withoutRequester.length - shown.length;
        ctx.out(
          `Note: ${withoutRequester.length} started row(s) have no requestedBy: line ${shown.join(', ')}` +
            `${more > 0 ? ` and ${more} more` : ''}. On workers that require approval (OFFBOARD_APPROVAL=required) ` +
            'such a run fails InvalidInput before any call ("requestedBy: is required while the workers require ' +
            'approval"); see them with "qlik-offboard list --failed", and start them again with requestedBy.',
        );
      }
    }
    return refused.length > 0 ? EXIT.error : EXIT.ok;
  },
};
