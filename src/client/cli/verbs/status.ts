/** `qlik-offboard status ID`: the `status` query. */
import { workflowIdFor } from '../../../shared/contract';
import { getOffboardingStatus } from '../../read';
import { validTenantId } from '../../tenant-id';
import { statusLines } from '../format';
import { EXIT } from '../io';
import type { Verb } from './verb';

export const statusVerb: Verb = {
  name: 'status',
  summary: "show a tenant's offboarding status",
  options: { 'dry-run': { type: 'boolean' } },
  positionals: ['tenant-id'],
  help: `Usage: qlik-offboard status <tenant-id> [--dry-run] [--json]

Shows the status of the tenant's latest offboarding (open or closed): phase, outcome, purge date, decisions
and the last error.

  --dry-run     the tenant's dry run instead of its offboarding
  --json        print the status object of the contract
  -h, --help    this help

Exit codes: 0 shown; 1 error; 2 bad tenant ID; 3 no offboarding for that tenant.`,
  async run(ctx, values, [tenantId]) {
    validTenantId(tenantId);
    const dryRun = values['dry-run'] === true;
    const { client } = await ctx.connection();
    const status = await getOffboardingStatus(client, tenantId, { dryRun });
    if (ctx.json) {
      ctx.printJson(status);
      return EXIT.ok;
    }
    for (const line of statusLines(status)) ctx.out(line);
    ctx.out(`Web UI: ${await ctx.uiLink(workflowIdFor(tenantId, dryRun))}`);
    return EXIT.ok;
  },
};
