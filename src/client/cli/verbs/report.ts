/** `qlik-offboard report`: the closed offboardings of a time window, for audits. */
import { closedOffboardingsReport, type ReportRow } from '../../report';
import { parseDateFlag, parseNumberFlag, UsageError } from '../args';
import { csv, table, type Column } from '../format';
import { EXIT } from '../io';
import { text, type Verb } from './verb';

const COLUMNS: Column<ReportRow>[] = [
  { header: 'tenant', value: (r) => r.tenantId },
  { header: 'region', value: (r) => r.region },
  { header: 'run', value: (r) => r.runStatus },
  { header: 'outcome', value: (r) => r.outcome ?? r.failureType },
  { header: 'deactivated', value: (r) => (r.deactivated ? 'yes' : 'no') },
  { header: 'purge date', value: (r) => r.estimatedPurgeDate },
  { header: 'purge confirmed', value: (r) => r.purgeConfirmedAt },
  { header: 'requested by', value: (r) => r.requestedBy },
  { header: 'reason', value: (r) => r.reason },
  { header: 'closed', value: (r) => r.closedAt },
  { header: 'dry run', value: (r) => (r.dryRun ? 'yes' : 'no') },
  { header: 'workflow id', value: (r) => r.workflowId },
];

export const reportVerb: Verb = {
  name: 'report',
  summary: 'report the offboardings that closed in a time window',
  options: {
    since: { type: 'string' },
    until: { type: 'string' },
    format: { type: 'string' },
    limit: { type: 'string' },
  },
  help: `Usage: qlik-offboard report --since DATE [--until DATE] [--format table|csv|json]

Lists the offboardings that closed in [--since, --until) with their final details: tenant, region, how the
run ended, outcome (or failure type), whether the tenant was deactivated, purge date, purge confirmation,
requested by and reason.

  --since DATE       start of the window (2026-01-31 = midnight UTC, or an ISO date-time)   (required)
  --until DATE       end of the window (default: now)
  --format F         table (default), csv or json
  --limit N          at most N runs (default 10000)
  --json             same as --format json
  -h, --help         this help

Exit codes: 0 reported (even when empty); 1 error; 2 bad flags.`,
  async run(ctx, values) {
    const since = parseDateFlag('since', text(values, 'since'));
    if (!since) throw new UsageError('--since: is required (e.g. --since 2026-01-01)', 'report');
    const until = parseDateFlag('until', text(values, 'until')) ?? new Date();
    if (until <= since) throw new UsageError('--until: must be later than --since', 'report');
    const format = ctx.json ? 'json' : (text(values, 'format') ?? 'table');
    if (!['table', 'csv', 'json'].includes(format)) {
      throw new UsageError(`--format: must be table, csv or json (got ${JSON.stringify(format)})`, 'report');
    }
    const limit = parseNumberFlag('limit', text(values, 'limit'), {
      defaultValue: 10_000,
      min: 1,
      max: 100_000,
      integer: true,
    });
    const { client } = await ctx.connection();
    const rows = await closedOffboardingsReport(client, { since, until }, { limit });
    if (format === 'json') ctx.printJson(rows);
    else if (format === 'csv') ctx.out(csv(COLUMNS, rows));
    else if (rows.length === 0)
      ctx.out(`No offboarding closed between ${since.toISOString()} and ${until.toISOString()}.`);
    else ctx.out(table(COLUMNS, rows));
    return EXIT.ok;
  },
};
