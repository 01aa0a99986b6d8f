/** `qlik-offboard result ID`: waits for the run to end and prints how it ended. */
import type { OffboardingResult } from '../../../shared/contract';
import { OffboardingEndedError } from '../../errors';
import { getOffboardingResult } from '../../read';
import { validTenantId } from '../../tenant-id';
import type { Context } from '../context';
import { statusLines } from '../format';
import { EXIT, type ExitCode } from '../io';
import type { Verb } from './verb';

/** Prints the result (exit 0), or the failure with the last status (exit 1). Shared with `cancel --wait`. */
export async function printResult(ctx: Context, wait: () => Promise<OffboardingResult>): Promise<ExitCode> {
  try {
    const result = await wait();
    if (ctx.json) ctx.printJson(result);
    else {
      ctx.out(`The offboarding of tenant ${result.tenantId} completed: outcome ${result.outcome}.`);
      for (const line of statusLines(result)) ctx.out(line);
    }
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof OffboardingEndedError)) throw error;
    if (ctx.json) {
      ctx.printJson({
        runStatus: error.runStatus,
        failure: { type: error.failureType, message: error.failureMessage },
        status: error.status,
      });
    } else {
      ctx.out(
        `The offboarding of tenant ${error.tenantId} ended ${error.runStatus}` +
          (error.failureType ? ` with ${error.failureType}` : '') +
          `: ${error.failureMessage}`,
      );
      if (error.status) {
        ctx.out('Last status:');
        for (const line of statusLines(error.status)) ctx.out(`  ${line}`);
      } else {
        ctx.out('(the last status could not be read: no worker answered the status query)');
      }
    }
    return EXIT.error;
  }
}

export const resultVerb: Verb = {
  name: 'result',
  summary: 'wait for the offboarding to end and print its result',
  options: { 'dry-run': { type: 'boolean' } },
  positionals: ['tenant-id'],
  help: `Usage: qlik-offboard result <tenant-id> [--dry-run] [--json]

Waits for the tenant's offboarding to end (this can take the whole grace period) and prints the result;
or, when the run ended Failed, Canceled or Terminated, the failure with the last status.

  --dry-run     the tenant's dry run instead of its offboarding
  --json        print the result object; on failure { "runStatus", "failure": { "type", "message" }, "status" }
  -h, --help    this help

Exit codes: 0 completed (any outcome); 1 the run ended Failed/Canceled/Terminated, or error; 2 bad tenant ID;
3 no offboarding for that tenant.`,
  async run(ctx, values, [tenantId]) {
    validTenantId(tenantId);
    const { client } = await ctx.connection();
    return printResult(ctx, () => getOffboardingResult(client, tenantId, { dryRun: values['dry-run'] === true }));
  },
};
