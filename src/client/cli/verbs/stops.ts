/**
 * `qlik-offboard stop`, `resume` and `stops`: the emergency stop. A stop holds the deactivations of a region, of a
 * requester, or of a requester in a region, that have not been sent yet; `resume` lifts it; `stops` lists what is in
 * force. Library: src/client/stops.ts.
 */
import type { ResumeRequest, Stop, StopRequest, StopSelector } from '../../../shared/stops';
import { describeSelector } from '../../../shared/stops';
import { validateResumeRequest, validateStopRequest } from '../../../shared/stop-requests';
import { InvalidInputError } from '../../errors';
import { listStops, resumeDeactivations, stopDeactivations } from '../../stops';
import { countNotYetSent } from '../../visibility';
import type { Context } from '../context';
import { table } from '../format';
import { EXIT } from '../io';
import { text, type FlagValues, type Verb } from './verb';

/** How long `stop`/`resume` wait for the registry's answer: it needs a worker of the product's task queue. */
const ANSWER_TIMEOUT_MS = 30_000;

const SELECTOR_OPTIONS = {
  region: { type: 'string' },
  'requested-by': { type: 'string' },
  by: { type: 'string' },
} as const;

function selectorFrom(values: FlagValues): StopSelector {
  const selector: StopSelector = {};
  const region = text(values, 'region');
  const requestedBy = text(values, 'requested-by');
  if (region !== undefined) selector.region = region;
  if (requestedBy !== undefined) selector.requestedBy = requestedBy;
  return selector;
}

/** `region eu, requested by "crm"` → the flags that name it again (for the resume hint). */
function selectorFlags(selector: StopSelector): string {
  const flags: string[] = [];
  if (selector.region !== undefined) flags.push(`--region ${selector.region}`);
  if (selector.requestedBy !== undefined) flags.push(`--requested-by ${JSON.stringify(selector.requestedBy)}`);
  return flags.join(' ');
}

/** Runs `send` under the answer deadline, turning a missed one into a message that says what it means. */
async function answered<T>(ctx: Context, what: string, send: () => Promise<T>): Promise<T> {
  const { client } = await ctx.connection();
  try {
    return await client.withDeadline(Date.now() + ANSWER_TIMEOUT_MS, send);
  } catch (error) {
    if (!/deadline/i.test(error instanceof Error ? error.message : String(error))) throw error;
    throw new Error(
      `the stop registry did not answer the ${what} within ${ANSWER_TIMEOUT_MS / 1000} s: is a worker polling task ` +
        `queue ${ctx.taskQueue}? The request may still take effect once one does; check with "qlik-offboard stops"`,
    );
  }
}

function stopLine(stop: Stop): string {
  return `${describeSelector(stop)} — since ${stop.at}, by ${stop.by}: ${stop.reason}`;
}

const SELECTOR_HELP = `  --region R             the deactivations of region R
  --requested-by X       the deactivations of offboardings requested by X (exactly, as QlikRequestedBy)
                         (both: those of X in region R; at least one is required)`;

export const stopVerb: Verb = {
  name: 'stop',
  summary: 'emergency stop: hold the deactivations not yet sent, of a region or a requester',
  options: { ...SELECTOR_OPTIONS, reason: { type: 'string' } },
  help: `Usage: qlik-offboard stop (--region R | --requested-by X | both) --reason TEXT --by WHO [--json]

Emergency stop: every deactivation of the selection that has not been sent yet is held, however long, until
"qlik-offboard resume" with the same selection. A deactivation already sent, and everything after it, goes on:
cancel those ("qlik-offboard cancel --requested-by X --by WHO"). Stopping a selection that is already stopped
changes nothing and answers the stop in force.

${SELECTOR_HELP}
  --reason TEXT          why (required; audit trail, at most 1,000 characters)
  --by WHO               who stops (required; audit trail, at most 200 characters)
  --json                 print { "stop": …, "notYetSent": N }
  -h, --help             this help

The stops live in the workflow offboarding-controls-<task queue>, started on demand; its history is the audit trail.
Prints how many open offboardings of the selection have not passed the deactivate step (scheduled, validating,
awaiting-approval, deactivating): what the stop holds, at most (some in deactivating may have sent theirs).

Exit codes: 0 stopped; 1 error (e.g. no worker answered within 30 s); 2 bad input (nothing was sent).`,
  async run(ctx, values) {
    const request: StopRequest = { ...selectorFrom(values), reason: text(values, 'reason')!, by: text(values, 'by')! };
    const validated = validateStopRequest(request);
    if (!validated.ok) throw new InvalidInputError(validated.problems);
    const { client } = await ctx.connection();
    const stop = await answered(ctx, 'stop', () =>
      stopDeactivations(client, validated.value, { taskQueue: ctx.taskQueue }),
    );
    const notYetSent = await countNotYetSent(client, stop);
    if (ctx.json) ctx.printJson({ stop, notYetSent });
    else {
      ctx.out(`Stopped: ${stopLine(stop)}`);
      ctx.out(
        `It holds the deactivations not sent yet of ${notYetSent} open offboarding${notYetSent === 1 ? '' : 's'} ` +
          '(scheduled, validating, awaiting approval or deactivating; some deactivating may have sent theirs).',
      );
      ctx.out(`Lift it with: qlik-offboard resume ${selectorFlags(stop)} --by WHO`);
    }
    return EXIT.ok;
  },
};

export const resumeVerb: Verb = {
  name: 'resume',
  summary: 'lift an emergency stop',
  options: { ...SELECTOR_OPTIONS, reason: { type: 'string' } },
  help: `Usage: qlik-offboard resume (--region R | --requested-by X | both) --by WHO [--reason TEXT] [--json]

Lifts the stop of exactly this selection (as "qlik-offboard stops" lists it): the deactivations it held are sent,
within the region's registration budget. Rejected, with the stops in force, when there is no such stop.

${SELECTOR_HELP}
  --by WHO               who resumes (required; audit trail)
  --reason TEXT          why (audit trail)
  --json                 print { "resumed": …, "notYetSent": N }
  -h, --help             this help

Exit codes: 0 resumed; 1 rejected (no such stop) or error; 2 bad input (nothing was sent).`,
  async run(ctx, values) {
    const request: ResumeRequest = { ...selectorFrom(values), by: text(values, 'by')!, reason: text(values, 'reason') };
    const validated = validateResumeRequest(request);
    if (!validated.ok) throw new InvalidInputError(validated.problems);
    const { client } = await ctx.connection();
    const resumed = await answered(ctx, 'resume', () =>
      resumeDeactivations(client, validated.value, { taskQueue: ctx.taskQueue }),
    );
    const notYetSent = await countNotYetSent(client, resumed);
    if (ctx.json) ctx.printJson({ resumed, notYetSent });
    else {
      ctx.out(
        `Resumed: ${describeSelector(resumed)} (stopped since ${resumed.at} by ${resumed.by}: ${resumed.reason})`,
      );
      ctx.out(
        `${notYetSent} open offboarding${notYetSent === 1 ? '' : 's'} of it had not sent the deactivate yet; they go on.`,
      );
      const others = await listStops(client, { taskQueue: ctx.taskQueue });
      if (others.length > 0) ctx.out(`Still in force: ${others.map((s) => describeSelector(s)).join('; ')}`);
    }
    return EXIT.ok;
  },
};

export const stopsVerb: Verb = {
  name: 'stops',
  summary: 'list the emergency stops in force',
  options: {},
  help: `Usage: qlik-offboard stops [--json]

Lists the stops in force (oldest first), with how many open offboardings each holds before their deactivate.
Read from the stop registry's memo: answers without a worker.

  --json        print a JSON array of the stops, each with "notYetSent"
  -h, --help    this help

Exit codes: 0 listed (even when none); 1 error.`,
  async run(ctx) {
    const { client } = await ctx.connection();
    const stops = await listStops(client, { taskQueue: ctx.taskQueue });
    const rows = await Promise.all(
      stops.map(async (stop) => ({ ...stop, notYetSent: await countNotYetSent(client, stop) })),
    );
    if (ctx.json) ctx.printJson(rows);
    else if (rows.length === 0) ctx.out('No stops in force: deactivations are sent as they come.');
    else
      ctx.out(
        table(
          [
            { header: 'REGION', value: (r) => r.region ?? '(any)' },
            { header: 'REQUESTED BY', value: (r) => r.requestedBy ?? '(any)' },
            { header: 'HOLDS', value: (r) => r.notYetSent },
            { header: 'SINCE', value: (r) => r.at },
            { header: 'BY', value: (r) => r.by },
            { header: 'REASON', value: (r) => r.reason },
          ],
          rows,
        ),
      );
    return EXIT.ok;
  },
};
