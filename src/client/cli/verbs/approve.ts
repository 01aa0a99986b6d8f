/**
 * `qlik-offboard approve`: the four-eyes approval ("[4 of 4]") through the `approveOffboarding` Update, for one tenant
 * or, with `--all`, for every open offboarding of one requester that is scheduled or awaiting approval. `--all` lists
 * exactly what it will approve (workflow and run IDs), asks, and then approves those runs and no others: a run that
 * continued as new or started since the listing is not touched.
 */
import type { ApprovalArgs } from '../../../shared/contract';
import { MAX_REQUESTED_BY, sameAuditName, validateApprovalArgs } from '../../../shared/input';
import { InvalidInputError, isOffboardingClientError } from '../../errors';
import { approveOffboarding } from '../../steer';
import { validTenantId } from '../../tenant-id';
import { listOffboardings, type OffboardingRun } from '../../visibility';
import { UsageError } from '../args';
import type { Context } from '../context';
import { statusLines, table, type Column } from '../format';
import { EXIT, type ExitCode } from '../io';
import { text, type FlagValues, type Verb } from './verb';

/** The phases in which the workflow accepts an approval (approval.ts). */
const APPROVABLE_PHASES = ['awaiting-approval', 'scheduled'] as const;
/** Updates in flight at once for `--all`: quick, without loading the server. */
const CONCURRENCY = 8;
/** `--all` lists at most this many runs; more than that is refused rather than approved in part. */
const MAX_LISTED = 10_000;

const COLUMNS: Column<OffboardingRun>[] = [
  { header: 'TENANT', value: (r) => r.tenantId },
  { header: 'PHASE', value: (r) => r.phase },
  { header: 'REQUESTED BY', value: (r) => r.requestedBy },
  { header: 'STARTED', value: (r) => r.startTime },
  { header: 'WORKFLOW ID', value: (r) => r.workflowId },
  { header: 'RUN ID', value: (r) => r.runId },
];

/** One listed run, approved or rejected with the workflow's reason. */
interface Approved {
  tenantId: string;
  workflowId: string;
  runId: string;
}
interface Rejected extends Approved {
  reason: string;
}

function approvalArgs(values: FlagValues): ApprovalArgs {
  const approvedBy = text(values, 'approved-by');
  if (approvedBy === undefined) {
    throw new UsageError('--approved-by: is required: who approves (audit trail)', 'approve');
  }
  const args: ApprovalArgs = { approvedBy };
  const reason = text(values, 'reason');
  if (reason !== undefined) args.reason = reason;
  const validated = validateApprovalArgs(args);
  if (!validated.ok) throw new InvalidInputError(validated.problems);
  return validated.value;
}

async function approveOne(ctx: Context, tenantId: string, args: ApprovalArgs): Promise<ExitCode> {
  validTenantId(tenantId);
  const { client } = await ctx.connection();
  const status = await approveOffboarding(client, tenantId, args);
  if (ctx.json) ctx.printJson(status);
  else {
    ctx.out(`approval recorded for tenant ${tenantId}.`);
    for (const line of statusLines(status)) ctx.out(line);
    ctx.out(`Follow it with: qlik-offboard watch ${tenantId}`);
  }
  return EXIT.ok;
}

/** The open, non-dry-run offboardings of `requestedBy` in an approvable phase, oldest first. */
async function approvableRuns(ctx: Context, requestedBy: string): Promise<OffboardingRun[]> {
  const { client } = await ctx.connection();
  const runs = await listOffboardings(
    client,
    { requestedBy, phases: [...APPROVABLE_PHASES], running: true },
    { limit: MAX_LISTED + 1 },
  );
  if (runs.length > MAX_LISTED) {
    throw new UsageError(
      `--all: more than ${MAX_LISTED} offboardings requested by ${requestedBy} await approval; approve them in smaller groups`,
      'approve',
    );
  }
  // A dry run needs no approval; a run without its tenant ID attribute cannot be one of the contract's.
  return runs.filter((r) => !r.dryRun && r.tenantId !== undefined).reverse();
}

async function approveAll(ctx: Context, values: FlagValues, args: ApprovalArgs): Promise<ExitCode> {
  const requestedBy = text(values, 'requested-by');
  if (requestedBy === undefined || requestedBy.trim() === '' || requestedBy.length > MAX_REQUESTED_BY) {
    throw new UsageError(
      `--requested-by: is required with --all (1-${MAX_REQUESTED_BY} characters): whose requests to approve`,
      'approve',
    );
  }
  if (sameAuditName(args.approvedBy, requestedBy)) {
    throw new UsageError(
      '--approved-by: must be someone other than --requested-by (four eyes; compared trimmed and case-insensitively)',
      'approve',
    );
  }
  const yes = values.yes === true;
  if (!yes && !ctx.interactive) {
    throw new UsageError(
      '--all asks for confirmation on a terminal, and there is none: pass --yes to approve without asking',
      'approve',
    );
  }
  const runs = await approvableRuns(ctx, requestedBy);
  // With --json, stdout carries only the JSON: the list to confirm goes to stderr.
  const say = (line: string) => (ctx.json ? ctx.err(line) : ctx.out(line));
  if (runs.length === 0) {
    if (ctx.json) ctx.printJson({ listed: [], approved: [], rejected: [] });
    else ctx.out(`No open offboarding requested by ${requestedBy} is scheduled or awaiting approval.`);
    return EXIT.ok;
  }
  say(`These ${runs.length} offboarding(s) requested by ${requestedBy} will be approved by ${args.approvedBy}:`);
  say(table(COLUMNS, runs));
  if (!yes) {
    const answer = await ctx.ask(`Approve exactly these ${runs.length} run(s)? Type yes to approve: `);
    if (!/^(y|yes)$/i.test(answer?.trim() ?? '')) {
      ctx.err('Nothing was approved.');
      return EXIT.error;
    }
  }

  const { client } = await ctx.connection();
  const approved: Approved[] = [];
  const rejected: Rejected[] = [];
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const run = runs[next++]!;
      const row = { tenantId: run.tenantId!, workflowId: run.workflowId, runId: run.runId };
      try {
        // This run and no other: one that continued as new since the listing is rejected, not followed.
        await approveOffboarding(client, row.tenantId, args, { runId: run.runId });
        approved.push(row);
        if (!ctx.json) ctx.out(`approved ${row.tenantId} (${row.workflowId}, run ${row.runId})`);
      } catch (error) {
        // Any failure leaves this run unapproved: it is reported with the others, never half-hidden by an exit.
        const reason = isOffboardingClientError(error)
          ? 'reason' in error && typeof error.reason === 'string'
            ? error.reason
            : error.message
          : `error: ${error instanceof Error ? error.message : String(error)}`;
        rejected.push({ ...row, reason });
        if (!ctx.json) ctx.out(`rejected ${row.tenantId} (${row.workflowId}, run ${row.runId}): ${reason}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, runs.length) }, worker));
  const listed = runs.map((r) => ({ tenantId: r.tenantId!, workflowId: r.workflowId, runId: r.runId, phase: r.phase }));
  if (ctx.json) ctx.printJson({ listed, approved, rejected });
  else ctx.out(`Summary: ${approved.length} approved, ${rejected.length} rejected.`);
  return rejected.length > 0 ? EXIT.error : EXIT.ok;
}

export const approveVerb: Verb = {
  name: 'approve',
  summary: 'approve an offboarding awaiting four-eyes approval (or --all of one requester)',
  options: {
    'approved-by': { type: 'string' },
    reason: { type: 'string' },
    all: { type: 'boolean' },
    'requested-by': { type: 'string' },
    yes: { type: 'boolean' },
  },
  positionals: ['tenant-id?'],
  help: `Usage: qlik-offboard approve <tenant-id> --approved-by WHO [--reason TEXT] [--json]
       qlik-offboard approve --all --requested-by WHO --approved-by WHO [--reason TEXT] [--yes] [--json]

Approves an offboarding on workers that require approval (OFFBOARD_APPROVAL=required): such a run waits in
phase awaiting-approval, after validation and before anything is changed, until someone other than its
requester approves it, for at most OFFBOARD_APPROVAL_TIMEOUT (then it ends approval-expired, nothing changed).
Sent as the approveOffboarding Update, accepted while the run is scheduled (the approval takes effect at
notBefore) or awaiting-approval. The workflow rejects it, with the reason, when --approved-by is the run's
requestedBy (trimmed, case-insensitive), when the run was already approved, in any other phase, and when the
run needs no approval.

--approved-by and requestedBy are audit records. Who may approve at all is Temporal's access control (namespace
permissions, API keys, mTLS identities); the workflow history records each sender's Temporal identity.

  --approved-by WHO    who approves (audit trail, at most 200 characters)                     (required)
  --reason TEXT        why (audit trail, at most 1,000 characters)
  --all                every open offboarding requested by --requested-by that is awaiting-approval or
                       scheduled: lists them (workflow and run IDs), asks, then approves exactly those runs
  --requested-by WHO   with --all: whose offboardings (the QlikRequestedBy search attribute)
  --yes                with --all: approve without asking (needed when there is no terminal)
  --json               print the status the workflow answered (with --all: { "listed", "approved",
                       "rejected" }; the list to confirm goes to stderr)
  -h, --help           this help

Exit codes: 0 approved (with --all: every listed run, or none was listed); 1 rejected (the reason is printed),
not confirmed, or error; 2 bad input, or --all without a terminal and without --yes (nothing sent);
3 no offboarding for that tenant.`,
  async run(ctx, values, positionals) {
    const [tenantId] = positionals;
    const all = values.all === true;
    if (all && tenantId !== undefined) {
      throw new UsageError('approve takes either <tenant-id> or --all, not both', 'approve');
    }
    if (!all && tenantId === undefined) throw new UsageError('approve takes <tenant-id> (or --all)', 'approve');
    if (!all && (values['requested-by'] !== undefined || values.yes === true)) {
      throw new UsageError('--requested-by and --yes go with --all', 'approve');
    }
    const args = approvalArgs(values);
    return all ? approveAll(ctx, values, args) : approveOne(ctx, tenantId!, args);
  },
};
