/** `qlik-offboard watch ID`: follows a run until it ends, printing each change of phase with what comes next. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { OffboardingStatus } from '../../../shared/contract';
import { workflowIdFor } from '../../../shared/contract';
import { NoOffboardingError, OffboardingEndedError } from '../../errors';
import { lastStatus, resultOfRun } from '../../read';
import { describeLatest } from '../../runs';
import { validTenantId } from '../../tenant-id';
import { parseDurationFlag } from '../args';
import type { Context } from '../context';
import { NEXT_STEP, purgeCountdown } from '../format';
import { EXIT } from '../io';
import { text, type Verb } from './verb';

/** What makes a status worth a new line: phase, outcome, decision, approval, last error. */
function changeKey(status: OffboardingStatus): string {
  return JSON.stringify([
    status.phase,
    status.outcome,
    status.decidedBy?.at,
    status.approval?.at,
    status.lastError?.at,
    status.estimatedPurgeDate,
  ]);
}

function printChange(ctx: Context, status: OffboardingStatus, previous: OffboardingStatus | undefined): void {
  const now = Date.now();
  if (ctx.json) {
    const left = status.estimatedPurgeDate ? Date.parse(status.estimatedPurgeDate) - now : undefined;
    ctx.out(
      JSON.stringify({
        at: new Date(now).toISOString(),
        phase: status.phase,
        phaseSince: status.phaseSince,
        outcome: status.outcome,
        next: NEXT_STEP[status.phase],
        estimatedPurgeDate: status.estimatedPurgeDate,
        timeLeftMs: left,
        decidedBy: status.decidedBy,
        lastError: status.lastError,
      }),
    );
    return;
  }
  const countdown = purgeCountdown(status, now);
  ctx.out(
    `${new Date(now).toISOString()}  ${status.phase}${status.outcome ? ` (${status.outcome})` : ''}` +
      `  next: ${NEXT_STEP[status.phase]}` +
      (countdown ? `; purge date ${status.estimatedPurgeDate} (${countdown})` : ''),
  );
  if (status.decidedBy && status.decidedBy.at !== previous?.decidedBy?.at) {
    const by = status.decidedBy.requestedBy ? ` by ${status.decidedBy.requestedBy}` : '';
    ctx.out(
      `    decision: ${status.decidedBy.message}${by}${status.decidedBy.reason ? ` (${status.decidedBy.reason})` : ''}`,
    );
  }
  if (status.lastError && status.lastError.at !== previous?.lastError?.at) {
    ctx.out(`    last error: ${status.lastError.type}: ${status.lastError.message}`);
  }
}

export const watchVerb: Verb = {
  name: 'watch',
  summary: 'follow an offboarding until it ends',
  options: { interval: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: ['tenant-id'],
  help: `Usage: qlik-offboard watch <tenant-id> [--interval DURATION] [--dry-run] [--json]

Polls the status of the tenant's offboarding and prints a line on every change: the phase, what happens
next, and the time left until the purge date; stops when the run ends.

  --interval D     time between polls, 100ms to 10m (default 5s; e.g. 500ms, 30s, 2m)
  --dry-run        the tenant's dry run instead of its offboarding
  --json           one JSON object per line for each change, then { "end", "outcome", "failureType" }
  -h, --help       this help

Exit codes: 0 the run completed; 1 it ended Failed/Canceled/Terminated, or error; 2 bad input;
3 no offboarding for that tenant.`,
  async run(ctx, values, [tenantId]) {
    validTenantId(tenantId);
    const intervalMs = parseDurationFlag('interval', text(values, 'interval'), {
      defaultMs: 5_000,
      minMs: 100,
      maxMs: 600_000,
    });
    const workflowId = workflowIdFor(tenantId, values['dry-run'] === true);
    const { client } = await ctx.connection();
    let shown: OffboardingStatus | undefined;
    for (;;) {
      const latest = await describeLatest(client, workflowId);
      if (!latest) throw new NoOffboardingError(tenantId, workflowId);
      // Follow the newest run: a restart while watching shows up as new phases, and a run that continued as new is
      // followed to its successor, which carries the status on (so it shows no new line by itself).
      const handle = client.workflow.getHandle(workflowId, latest.runId, { followRuns: false });
      const status = await lastStatus(client, handle);
      if (status && (shown === undefined || changeKey(status) !== changeKey(shown))) {
        printChange(ctx, status, shown);
        shown = status;
      }
      if (latest.status.name !== 'RUNNING' && latest.status.name !== 'CONTINUED_AS_NEW') {
        let failure: OffboardingEndedError | undefined;
        if (latest.status.name !== 'COMPLETED') {
          failure = await resultOfRun(client, handle, tenantId).then(
            () => undefined,
            (error: unknown) => {
              if (error instanceof OffboardingEndedError) return error;
              throw error;
            },
          );
        }
        const end = failure?.runStatus ?? 'Completed';
        if (ctx.json) {
          ctx.out(JSON.stringify({ end, outcome: shown?.outcome, failureType: failure?.failureType }));
        } else {
          ctx.out(
            `The offboarding ended ${end}` +
              (shown?.outcome ? `: outcome ${shown.outcome}` : '') +
              (failure
                ? `${failure.failureType ? ` with ${failure.failureType}` : ''}: ${failure.failureMessage}`
                : '') +
              `. Details: qlik-offboard result ${tenantId}${values['dry-run'] === true ? ' --dry-run' : ''}`,
          );
        }
        return end === 'Completed' ? EXIT.ok : EXIT.error;
      }
      await sleep(intervalMs);
    }
  },
};
