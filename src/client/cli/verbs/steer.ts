/** `qlik-offboard cancel ID` and `reactivate ID`: the contract's Updates. */
import type { MessageArgs } from '../../../shared/contract';
import { validateMessageArgs } from '../../../shared/input';
import { InvalidInputError } from '../../errors';
import { getOffboardingResult } from '../../read';
import { cancelOffboarding, reactivateTenant } from '../../steer';
import { validTenantId } from '../../tenant-id';
import { statusLines } from '../format';
import { EXIT } from '../io';
import { printResult } from './result';
import { text, type Verb } from './verb';

function steerVerb(request: 'cancel' | 'reactivate'): Verb {
  const send = request === 'cancel' ? cancelOffboarding : reactivateTenant;
  const effect =
    request === 'cancel'
      ? 'Stops the offboarding; a tenant that may have been deactivated is reactivated (outcome cancelled).'
      : 'Restores the tenant during the grace period (outcome reactivated).';
  return {
    name: request,
    summary:
      request === 'cancel' ? 'stop the offboarding (reactivates if needed)' : 'reactivate the tenant (grace period)',
    options: {
      reason: { type: 'string' },
      'requested-by': { type: 'string' },
      wait: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
    positionals: ['tenant-id'],
    help: `Usage: qlik-offboard ${request} <tenant-id> [--reason TEXT] [--requested-by WHO] [--wait] [--json]

${effect}
Sent as the ${request === 'cancel' ? 'cancelOffboarding' : 'reactivateTenant'} Update: the answer comes once the decision is recorded. The workflow
rejects it, with the reason, when a decision was already made, the purge date has passed or the run finished.

  --reason TEXT          why (audit trail, at most 1,000 characters)
  --requested-by WHO     who asked (audit trail, at most 200 characters)
  --wait                 then wait for the run to end and print the result
  --dry-run              the tenant's dry run instead of its offboarding
  --json                 print the status the workflow answered (with --wait: the result)
  -h, --help             this help

Exit codes: 0 recorded (with --wait: the run completed); 1 rejected (the reason is printed) or error;
2 bad input; 3 no offboarding for that tenant.`,
    async run(ctx, values, [tenantId]) {
      validTenantId(tenantId);
      const args: MessageArgs = {};
      const reason = text(values, 'reason');
      const requestedBy = text(values, 'requested-by');
      if (reason !== undefined) args.reason = reason;
      if (requestedBy !== undefined) args.requestedBy = requestedBy;
      const validated = validateMessageArgs(args);
      if (!validated.ok) throw new InvalidInputError(validated.problems);
      const dryRun = values['dry-run'] === true;
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
    },
  };
}

export const cancelVerb = steerVerb('cancel');
export const reactivateVerb = steerVerb('reactivate');
