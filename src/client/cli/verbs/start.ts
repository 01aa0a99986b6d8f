/** `qlik-offboard start`: starts (or joins) a tenant's offboarding. */
import type { OffboardingInput } from '../../../shared/contract';
import { startOffboarding, validInput } from '../../start';
import { numberOrText } from '../args';
import { EXIT } from '../io';
import { text, type FlagValues, type Verb } from './verb';

/** The contract's input from `start`'s flags; only the flags given become fields. */
export function inputFromFlags(values: FlagValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const strings: Array<[string, keyof OffboardingInput]> = [
    ['tenant-id', 'tenantId'],
    ['hostname', 'hostname'],
    ['region', 'region'],
    ['not-before', 'notBefore'],
    ['requested-by', 'requestedBy'],
    ['reason', 'reason'],
  ];
  for (const [flag, field] of strings) {
    const value = text(values, flag);
    if (value !== undefined) input[field] = value;
  }
  const days = text(values, 'purge-after-days');
  if (days !== undefined) input.purgeAfterDays = numberOrText(days);
  if (values['dry-run'] === true) input.dryRun = true;
  return input;
}

export const startVerb: Verb = {
  name: 'start',
  summary: "start (or join) a tenant's offboarding",
  options: {
    'tenant-id': { type: 'string' },
    hostname: { type: 'string' },
    region: { type: 'string' },
    'purge-after-days': { type: 'string' },
    'not-before': { type: 'string' },
    'requested-by': { type: 'string' },
    reason: { type: 'string' },
    'dry-run': { type: 'boolean' },
    restart: { type: 'boolean' },
  },
  help: `Usage: qlik-offboard start --tenant-id ID --hostname HOST --region R [options]

Starts the offboarding of one Qlik Cloud tenant (workflow offboard-tenant-<ID>), or joins the one already
running with the same input. Every flag is checked before anything starts.

On workers that require approval (OFFBOARD_APPROVAL=required), the run waits in phase awaiting-approval after
validation (and --not-before), before anything is changed, until someone other than --requested-by approves it
("qlik-offboard approve"); --requested-by is then required (without it the run fails InvalidInput). Unapproved
within OFFBOARD_APPROVAL_TIMEOUT it ends with outcome approval-expired, a completed run: to offboard the tenant
after all, start it again with --restart.

  --tenant-id ID           Qlik tenant ID: 1-64 characters of A-Z a-z 0-9 _ -            (required)
  --hostname HOST          the tenant's hostname, e.g. acme.eu.qlikcloud.com             (required)
  --region R               Qlik region code, lower-case letters, e.g. eu                 (required)
  --purge-after-days N     grace period before the purge, a whole number 10-90 (Qlik's default: 30)
  --not-before DATE        ISO-8601 date-time with a zone, at most 366 days ahead: wait until then
  --requested-by WHO       who asked (audit trail, at most 200 characters)
  --reason TEXT            why (audit trail, at most 1,000 characters)
  --dry-run                check credentials, region, hostname and the tenant; change nothing
  --restart                start again although the last run completed (any outcome, approval-expired too)
  --json                   print { "workflowId", "runId", "started" }
  -h, --help               this help

Exit codes: 0 started or joined; 1 refused (a different offboarding is running, or one completed and
--restart was not given) or error; 2 bad input.`,
  async run(ctx, values) {
    const input = validInput(inputFromFlags(values)) as OffboardingInput;
    const { client } = await ctx.connection();
    const started = await startOffboarding(client, input, {
      restart: values.restart === true,
      taskQueue: ctx.taskQueue,
    });
    if (ctx.json) {
      ctx.printJson({ workflowId: started.workflowId, runId: started.runId, started: started.started });
      return EXIT.ok;
    }
    ctx.out(
      started.started
        ? `Started the offboarding of tenant ${input.tenantId}${input.dryRun ? ' (dry run)' : ''}.`
        : `The offboarding of tenant ${input.tenantId} is already running with the same input: nothing new was started.`,
    );
    ctx.out(`workflow ID: ${started.workflowId}`);
    ctx.out(`run ID:      ${started.runId}`);
    ctx.out(`Web UI:      ${await ctx.uiLink(started.workflowId)}`);
    ctx.out(`Follow it with: qlik-offboard watch ${input.tenantId}${input.dryRun ? ' --dry-run' : ''}`);
    return EXIT.ok;
  },
};
