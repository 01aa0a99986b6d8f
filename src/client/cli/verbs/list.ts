/** `qlik-offboard list`: offboardings from visibility, filtered on the contract's search attributes. */
import { isRegionCode, PHASES, type Phase } from '../../../shared/contract';
import { listOffboardings, type ListFilters, type OffboardingRun } from '../../visibility';
import { parseDateFlag, parseNumberFlag, UsageError } from '../args';
import { table, type Column } from '../format';
import { EXIT } from '../io';
import { text, type FlagValues, type Verb } from './verb';

const COLUMNS: Column<OffboardingRun>[] = [
  { header: 'TENANT', value: (r) => (r.dryRun ? `${r.tenantId} (dry run)` : r.tenantId) },
  { header: 'REGION', value: (r) => r.region },
  { header: 'RUN', value: (r) => r.runStatus.toLowerCase() },
  { header: 'PHASE', value: (r) => r.phase },
  { header: 'OUTCOME', value: (r) => r.outcome },
  { header: 'PURGE DATE', value: (r) => r.estimatedPurgeDate },
  { header: 'REQUESTED BY', value: (r) => r.requestedBy },
  { header: 'STARTED', value: (r) => r.startTime },
  { header: 'WORKFLOW ID', value: (r) => r.workflowId },
];

/** The filters from the flags; a bad value is bad input (exit 2). */
export function filtersFromFlags(values: FlagValues): ListFilters {
  const phase = text(values, 'phase');
  if (phase !== undefined && !(PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(`--phase: must be one of ${PHASES.join(', ')} (got ${JSON.stringify(phase)})`, 'list');
  }
  const region = text(values, 'region');
  if (region !== undefined && !isRegionCode(region)) {
    throw new UsageError(
      `--region: must be a Qlik region code of lower-case letters only, such as eu (got ${JSON.stringify(region)})`,
      'list',
    );
  }
  const requestedBy = text(values, 'requested-by');
  if (requestedBy !== undefined && (requestedBy.length === 0 || requestedBy.length > 200)) {
    throw new UsageError('--requested-by: must be 1-200 characters', 'list');
  }
  return {
    phase: phase as Phase | undefined,
    region,
    requestedBy,
    purgingBefore: parseDateFlag('purging-before', text(values, 'purging-before')),
    purgingAfter: parseDateFlag('purging-after', text(values, 'purging-after')),
    failed: values.failed === true,
    overdue: values.overdue === true,
    running: values.running === true,
  };
}

export const listVerb: Verb = {
  name: 'list',
  summary: 'list offboardings, filtered by phase, region, purge date, outcome…',
  options: {
    phase: { type: 'string' },
    region: { type: 'string' },
    'purging-before': { type: 'string' },
    'purging-after': { type: 'string' },
    failed: { type: 'boolean' },
    overdue: { type: 'boolean' },
    running: { type: 'boolean' },
    'requested-by': { type: 'string' },
    limit: { type: 'string' },
  },
  help: `Usage: qlik-offboard list [filters] [--limit N] [--json]

Lists offboardings (open and closed, newest first) from Temporal's visibility store, by the contract's search
attributes. All given filters must match. A run started a moment ago may take a second to appear.

  --phase P                 in phase P (${PHASES.join(', ')})
  --region R                in region R
  --purging-before DATE     estimated purge date before DATE (2026-01-31 or an ISO date-time)
  --purging-after DATE      estimated purge date at or after DATE
  --failed                  runs that ended Failed
  --overdue                 runs with outcome purge-overdue
  --running                 open runs only
  --requested-by WHO        requested by WHO
  --limit N                 at most N rows (default 100)
  --json                    print a JSON array of runs
  -h, --help                this help

Exit codes: 0 listed (even when empty); 1 error; 2 bad flags.`,
  async run(ctx, values) {
    const filters = filtersFromFlags(values);
    const limit = parseNumberFlag('limit', text(values, 'limit'), {
      defaultValue: 100,
      min: 1,
      max: 10_000,
      integer: true,
    });
    const { client } = await ctx.connection();
    const runs = await listOffboardings(client, filters, { limit });
    if (ctx.json) ctx.printJson(runs);
    else if (runs.length === 0) ctx.out('No offboardings match.');
    else ctx.out(table(COLUMNS, runs));
    return EXIT.ok;
  },
};
