/**
 * `qlik-offboard cancel` and `reactivate`: the contract's Updates, for one tenant (`cancel ID`) or for a selection
 * (`--file`, or `--requested-by` with `--region`/`--phase`; ./steer-selection.ts).
 */
import type { MessageArgs } from '../../../shared/contract';
import { validateMessageArgs } from '../../../shared/input';
import { InvalidInputError } from '../../errors';
import { getOffboardingResult } from '../../read';
import { cancelOffboarding, reactivateTenant } from '../../steer';
import { validTenantId } from '../../tenant-id';
import { UsageError } from '../args';
import type { Context } from '../context';
import { statusLines } from '../format';
import { EXIT, type ExitCode } from '../io';
import { filtersFromFlags } from './list';
import { printResult } from './result';
import { type SelectionSource, steerSelection } from './steer-selection';
import { text, type FlagValues, type Verb } from './verb';

/** The message argument: why, and who asks (`--by`, or for one tenant also `--requested-by`). */
function messageArgs(values: FlagValues, who: string | undefined): MessageArgs {
  const args: MessageArgs = {};
  const reason = text(values, 'reason');
  if (reason !== undefined) args.reason = reason;
  if (who !== undefined) args.requestedBy = who;
  const validated = validateMessageArgs(args);
  if (!validated.ok) throw new InvalidInputError(validated.problems);
  return validated.value;
}

/** Which runs the flags select, or undefined for one tenant; refuses every mix that could be misread. */
function selectionSource(values: FlagValues, tenantId: string | undefined): SelectionSource | undefined {
  const file = text(values, 'file');
  const requestedBy = text(values, 'requested-by');
  const narrowing = text(values, 'region') !== undefined || text(values, 'phase') !== undefined;
  if (tenantId !== undefined) {
    if (file !== undefined) throw new UsageError('give one tenant ID or --file FILE, not both');
    if (narrowing) throw new UsageError('--region and --phase narrow a --requested-by selection; not with a tenant ID');
    if (requestedBy !== undefined && text(values, 'by') !== undefined) {
      throw new UsageError('--by and --requested-by both name who asks for one tenant: give one');
    }
    return undefined;
  }
  if (file !== undefined) {
    if (requestedBy !== undefined || narrowing) {
      throw new UsageError('--file selects by tenant ID, --requested-by (with --region, --phase) by query: use one');
    }
    return { kind: 'file', file };
  }
  if (requestedBy === undefined) {
    throw new UsageError(
      narrowing
        ? '--region and --phase narrow a --requested-by selection: add --requested-by WHO'
        : 'give a tenant ID, --file FILE, or --requested-by WHO (optionally with --region, --phase)',
    );
  }
  const filters = filtersFromFlags(values);
  return { kind: 'query', selector: { requestedBy, region: filters.region, phase: filters.phase } };
}

function steerVerb(request: 'cancel' | 'reactivate'): Verb {
  const send = request === 'cancel' ? cancelOffboarding : reactivateTenant;
  const effect =
    request === 'cancel'
      ? 'Stops the offboarding; a tenant that may have been deactivated is reactivated (outcome cancelled).'
      : 'Restores the tenant during the grace period (outcome reactivated).';
  return {
    name: request,
    summary:
      request === 'cancel'
        ? 'stop an offboarding, or a selection (reactivates if needed)'
        : 'reactivate a tenant, or a selection (grace period)',
    options: {
      reason: { type: 'string' },
      'requested-by': { type: 'string' },
      by: { type: 'string' },
      file: { type: 'string' },
      region: { type: 'string' },
      phase: { type: 'string' },
      yes: { type: 'boolean' },
      wait: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
    positionals: ['tenant-id?'],
    help: `Usage: qlik-offboard ${request} <tenant-id> [--reason TEXT] [--requested-by WHO] [--wait] [--json]
       qlik-offboard ${request} --file FILE --by WHO [--reason TEXT] [--yes] [--json]
       qlik-offboard ${request} --requested-by X [--region R] [--phase P] --by WHO [--reason TEXT] [--yes] [--json]

${effect}
Sent as the ${request === 'cancel' ? 'cancelOffboarding' : 'reactivateTenant'} Update: the answer comes once the decision is recorded. The workflow
rejects it, with the reason, when a decision was already made, the purge date has passed or the run finished.

One tenant:
  --reason TEXT          why (audit trail, at most 1,000 characters)
  --requested-by WHO     who asks (audit trail, at most 200 characters); --by WHO says the same
  --wait                 then wait for the run to end and print the result
  --dry-run              the tenant's dry run instead of its offboarding

A selection (lists exactly the runs it will act on, then asks; acts on those runs only):
  --file FILE            the tenants of FILE: one tenant ID per line; blank lines and # comments are ignored;
                         a bad line is reported with its number and nothing is sent
  --requested-by X       the open offboardings requested by X (the QlikRequestedBy search attribute) …
  --region R, --phase P  … only those in region R, in phase P
  --by WHO               who asks (required; recorded as the decision's requestedBy)
  --reason TEXT          why (audit trail)
  --yes                  do not ask (needed without a terminal: otherwise nothing is sent)
  --dry-run              the tenants' dry runs instead of their offboardings
Each listed run is pinned by its run ID: a run started after the listing is not touched. A run that continued as
new meanwhile is followed to the run it handed over to (the same offboarding), and the result says so.

  --json                 one tenant: the status the workflow answered (with --wait: the result);
                         a selection: a JSON array, one entry per run (and per file tenant with nothing to act on)
  -h, --help             this help

Exit codes: 0 recorded (every run of a selection; with --wait: the run completed); 1 rejected (the reason is
printed), any run of a selection not recorded, not confirmed, or error; 2 bad input, or a selection without a
terminal and without --yes (nothing was sent); 3 no offboarding for that tenant, or no open run in the selection.`,
    async run(ctx, values, [tenantId]) {
      const source = selectionSource(values, tenantId);
      const dryRun = values['dry-run'] === true;
      if (source) {
        if (values.wait === true) throw new UsageError('--wait works with one tenant ID, not with a selection');
        const by = text(values, 'by');
        if (by === undefined) throw new UsageError(`a selection needs --by WHO: who asks for the ${request}`);
        return steerSelection(ctx, request, source, messageArgs(values, by), { dryRun, yes: values.yes === true });
      }
      return steerOne(ctx, request, send, tenantId!, values, dryRun);
    },
  };
}

async function steerOne(
  ctx: Context,
  request: 'cancel' | 'reactivate',
  send: typeof cancelOffboarding,
  tenantId: string,
  values: FlagValues,
  dryRun: boolean,
): Promise<ExitCode> {
  validTenantId(tenantId);
  const args = messageArgs(values, text(values, 'by') ?? text(values, 'requested-by'));
  const { client } = await ctx.connection();
  const status = await send(client, tenantId, args, { dryRun });
  if (values.wait === true) {
    if (!ctx.json) ctx.out(`${request} recorded for tenant ${tenantId}; waiting for the run to end…`);
    return printResult(ctx, () => getOffboardingResult(client, tenantId, { dryRun }));
  }
  if (ctx.json) ctx.printJson(status);
  else {
    ctx.out(`${request} recorded for tenant ${tenantId}.`);
    for (const line of statusLines(status)) ctx.out(line);
    ctx.out(`Follow it with: qlik-offboard watch ${tenantId}${dryRun ? ' --dry-run' : ''}`);
  }
  return EXIT.ok;
}

export const cancelVerb = steerVerb('cancel');
export const reactivateVerb = steerVerb('reactivate');
