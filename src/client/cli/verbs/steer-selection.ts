/**
 * `cancel` and `reactivate` on a selection (`--file`, or `--requested-by` with `--region`/`--phase`): list exactly
 * the runs that will get the request, ask (on a terminal; `--yes` otherwise), then send it to those runs only, pinned
 * by run ID (src/client/steer-runs.ts), and print a result per run and a summary.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MessageArgs } from '../../../shared/contract';
import { selectRequestedBy, selectTenants, type RequesterSelector, type Selection } from '../../selection';
import { type RunResult, steerRuns } from '../../steer-runs';
import { UsageError } from '../args';
import { canAsk, confirm } from '../confirm';
import type { Context } from '../context';
import { table } from '../format';
import { parseTenantIdFile } from '../id-file';
import { EXIT, type ExitCode } from '../io';

/** Which runs: the tenants of a file, or the open offboardings of a requester. */
export type SelectionSource = { kind: 'file'; file: string } | { kind: 'query'; selector: RequesterSelector };

/** One line of the `--json` array: a run's result, or a tenant of the file that had nothing to act on. */
export type SelectionResult =
  | RunResult
  | { tenantId: string; workflowId: string; runId?: string; result: 'no-offboarding' | 'finished'; reason: string };

/** The whole flow; resolves to the exit code. */
export async function steerSelection(
  ctx: Context,
  request: 'cancel' | 'reactivate',
  source: SelectionSource,
  args: MessageArgs,
  options: { dryRun: boolean; yes: boolean },
): Promise<ExitCode> {
  // Every line of the file is checked before anything is sent, or even connected.
  const tenantIds = source.kind === 'file' ? await tenantIdsOf(ctx, source.file) : undefined;
  const { client } = await ctx.connection();
  const selection = tenantIds
    ? await selectTenants(client, tenantIds, { dryRun: options.dryRun })
    : await selectRequestedBy(client, {
        ...(source as { selector: RequesterSelector }).selector,
        dryRun: options.dryRun,
      });
  // With --json, stdout carries the results only: the listing goes to stderr.
  const say = (line: string) => (ctx.json ? ctx.err(line) : ctx.out(line));
  printSelection(say, request, source, selection);

  const unselected: SelectionResult[] = selection.unselected.map((t) => ({
    tenantId: t.tenantId,
    workflowId: t.workflowId,
    ...(t.runId ? { runId: t.runId } : {}),
    result: t.why,
    reason:
      t.why === 'no-offboarding' ? 'no offboarding for this tenant' : `the run ended ${t.runStatus?.toLowerCase()}`,
  }));
  if (selection.runs.length === 0) {
    if (ctx.json) ctx.printJson(unselected);
    return EXIT.noOffboarding;
  }

  const count = `${selection.runs.length} run${selection.runs.length === 1 ? '' : 's'}`;
  if (!options.yes) {
    if (!canAsk(ctx)) {
      throw new UsageError(
        `not on a terminal, so nobody can confirm: add --yes to ${request} the ${count} listed; nothing was sent`,
      );
    }
    if (!(await confirm(ctx, `${capitalised(request)} the ${count} listed above, and only those?`))) {
      say(`Not confirmed; nothing was sent.`);
      return EXIT.error;
    }
  }

  const results = await steerRuns(client, selection.runs, request, args, {
    onResult: (result) => {
      if (!ctx.json) ctx.out(resultLine(result));
    },
  });
  const all: SelectionResult[] = [...results, ...unselected];
  if (ctx.json) ctx.printJson(all);
  say(summary(request, all));
  return all.every((r) => r.result === 'recorded') ? EXIT.ok : EXIT.error;
}

async function tenantIdsOf(ctx: Context, file: string): Promise<string[]> {
  let content: string;
  try {
    content = await readFile(path.resolve(ctx.io.cwd ?? process.cwd(), file), 'utf8');
  } catch (error) {
    throw new UsageError(
      `--file: cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  const parsed = parseTenantIdFile(content);
  if (!parsed.ok) {
    const lines = parsed.problems.map((p) => `  line ${p.line}: ${p.rule}`);
    if (parsed.more > 0) lines.push(`  … and ${parsed.more} more bad lines`);
    const bad = parsed.problems.length + parsed.more;
    throw new UsageError(
      `--file ${file}: ${bad} bad line${bad === 1 ? '' : 's'}; nothing was sent:\n${lines.join('\n')}`,
    );
  }
  if (parsed.ids.length === 0)
    throw new UsageError(`--file ${file}: holds no tenant ID (blank lines and # comments only)`);
  for (const repeat of parsed.duplicates) {
    const first = parsed.ids.find((id) => id.tenantId === repeat.tenantId)!;
    ctx.err(`note: line ${repeat.line} repeats ${repeat.tenantId} (line ${first.line}); it is acted on once`);
  }
  return parsed.ids.map((id) => id.tenantId);
}

function printSelection(
  say: (line: string) => void,
  request: string,
  source: SelectionSource,
  selection: Selection,
): void {
  const what =
    source.kind === 'file'
      ? `the tenants of ${source.file}`
      : `the open offboardings requested by ${JSON.stringify(source.selector.requestedBy)}` +
        (source.selector.region ? ` in region ${source.selector.region}` : '') +
        (source.selector.phase ? ` in phase ${source.selector.phase}` : '');
  if (selection.runs.length === 0) say(`${request}: no open run among ${what}.`);
  else {
    say(`${request}: ${selection.runs.length} open run${selection.runs.length === 1 ? '' : 's'} among ${what}:`);
    say(
      table(
        [
          { header: 'TENANT', value: (r) => (r.dryRun ? `${r.tenantId} (dry run)` : r.tenantId) },
          { header: 'REGION', value: (r) => r.region },
          { header: 'PHASE', value: (r) => r.phase },
          { header: 'REQUESTED BY', value: (r) => r.requestedBy },
          { header: 'WORKFLOW ID', value: (r) => r.workflowId },
          { header: 'RUN ID', value: (r) => r.runId },
        ],
        selection.runs,
      ),
    );
    say(
      'Only these runs get it (pinned by run ID). One that continues as new before it gets there is followed to the ' +
        'run it handed over to; a run started later is not touched.',
    );
  }
  for (const t of selection.unselected) {
    say(
      `Not acted on: ${t.tenantId}: ` +
        (t.why === 'no-offboarding' ? 'no offboarding' : `the run ended ${t.runStatus?.toLowerCase()}`),
    );
  }
}

function resultLine(result: RunResult): string {
  const run = result.actedOnRunId ?? result.runId;
  const followed = result.followed ? ` (continued as new from ${result.runId})` : '';
  const phase = result.phase ? `, phase ${result.phase}` : '';
  const reason = result.reason ? `: ${result.reason}` : '';
  return `${result.result.padEnd(8)}  ${result.tenantId}  run ${run}${followed}${phase}${reason}`;
}

function summary(request: string, results: SelectionResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.result, (counts.get(r.result) ?? 0) + 1);
  const order = ['recorded', 'rejected', 'finished', 'failed', 'no-offboarding'];
  const parts = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`);
  return `${request}: ${parts.join(', ')} (of ${results.length}).`;
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
