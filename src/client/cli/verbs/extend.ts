/** `qlik-offboard extend ID --purge-after-days N`: the `extendGracePeriod` Update ("[4 of 4]"). */
import { validateExtensionArgs } from '../../../shared/input';
import { InvalidInputError } from '../../errors';
import { extendGracePeriod, waitForExtension } from '../../extend';
import { validTenantId } from '../../tenant-id';
import { statusLines } from '../format';
import { EXIT } from '../io';
import { text, type Verb } from './verb';

export const extendVerb: Verb = {
  name: 'extend',
  summary: 'extend the grace period (a repeat deactivate with a later purge date)',
  options: {
    'purge-after-days': { type: 'string' },
    reason: { type: 'string' },
    'requested-by': { type: 'string' },
    wait: { type: 'boolean' },
  },
  positionals: ['tenant-id'],
  help: `Usage: qlik-offboard extend <tenant-id> --purge-after-days N [--reason TEXT] [--requested-by WHO] [--wait] [--json]

Gives the customer more time: a repeat deactivate during the grace period, which resets Qlik's countdown to
N days from when Qlik answers it. Sent as the extendGracePeriod Update, which answers once the extension is
recorded ("requested"); the repeat deactivate then waits its turn on the region's rate-limited queue, and Qlik may
refuse it or answer an earlier date than asked (purgeAfterDays is OEM-only): the status's "extensions" list says
what happened. The workflow rejects it, with the reason, outside the grace period, after a decision, while another
extension is in flight, or when N days from now is earlier than the current purge date.

  --purge-after-days N   10 to 90 (required)
  --reason TEXT          why (audit trail, at most 1,000 characters)
  --requested-by WHO     who asked (audit trail, at most 200 characters)
  --wait                 then wait until the extension is applied or refused, and print it
  --json                 print the status the workflow answered (with --wait: the extension)
  -h, --help             this help

Exit codes: 0 recorded (with --wait: applied); 1 rejected or refused (the reason is printed) or error;
2 bad input (nothing sent); 3 no offboarding for that tenant.`,
  async run(ctx, values, [tenantId]) {
    validTenantId(tenantId);
    const args: Record<string, unknown> = {};
    const days = text(values, 'purge-after-days');
    // Digits become a number; anything else is passed on as it is, for the rule to name it.
    if (days !== undefined) args.purgeAfterDays = /^\d+$/.test(days) ? Number(days) : days;
    const reason = text(values, 'reason');
    const requestedBy = text(values, 'requested-by');
    if (reason !== undefined) args.reason = reason;
    if (requestedBy !== undefined) args.requestedBy = requestedBy;
    const validated = validateExtensionArgs(args);
    if (!validated.ok) throw new InvalidInputError(validated.problems);
    const { client } = await ctx.connection();
    const status = await extendGracePeriod(client, tenantId, validated.value);
    const asked = status.extensions?.at(-1);
    if (values.wait === true && asked) {
      if (!ctx.json) ctx.out(`extension recorded for tenant ${tenantId}; waiting for Qlik's answer…`);
      const extension = await waitForExtension(client, tenantId, asked.at);
      if (ctx.json) ctx.printJson(extension);
      else {
        ctx.out(`extension ${extension.state}${extension.note ? `: ${extension.note}` : ''}`);
        if (extension.estimatedPurgeDate) ctx.out(`purge date: ${extension.estimatedPurgeDate}`);
      }
      return extension.state === 'applied' ? EXIT.ok : EXIT.error;
    }
    if (ctx.json) ctx.printJson(status);
    else {
      ctx.out(`extension to ${validated.value.purgeAfterDays} days recorded for tenant ${tenantId} (requested).`);
      for (const line of statusLines(status)) ctx.out(line);
      ctx.out(`See its outcome with: qlik-offboard status ${tenantId}`);
    }
    return EXIT.ok;
  },
};
