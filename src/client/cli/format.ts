/** Text output of the CLI: tables, CSV, the status as readable lines, durations. */
import type { OffboardingStatus, Phase } from '../../shared/contract';
import type { InputProblem } from '../../shared/input';

/** A column: its header and how to read it from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | undefined;
}

function cell(value: string | number | boolean | undefined): string {
  return value === undefined ? '' : String(value);
}

/** A plain-text table with aligned columns (the header underlined). */
export function table<T>(columns: Column<T>[], rows: T[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row)).replace(/\s+/g, ' ')));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RFC 4180 CSV with a header row. */
export function csv<T>(columns: Column<T>[], rows: T[]): string {
  const line = (values: string[]) => values.map(csvField).join(',');
  return [line(columns.map((c) => c.header)), ...rows.map((row) => line(columns.map((c) => cell(c.value(row)))))].join(
    '\r\n',
  );
}

/** `3d 4h`, `2h 5m`, `45s`, `850ms`: the two largest units. */
export function formatDuration(msTotal: number): string {
  const negative = msTotal < 0;
  let rest = Math.abs(Math.round(msTotal));
  if (rest < 1000) return `${negative ? '-' : ''}${rest}ms`;
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size || parts.length > 0) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return `${negative ? '-' : ''}${parts.join(' ')}`;
}

/** What happens next in each phase, for people watching a run. */
export const NEXT_STEP: Record<Phase, string> = {
  scheduled: 'waits until the notBefore time, then deactivates (cancel possible meanwhile)',
  validating: 'checks the input and gets a token for the region, then deactivates',
  'awaiting-approval':
    'waits for an approval by someone other than the requester (qlik-offboard approve), then deactivates; nothing is changed until then',
  deactivating: 'waits for Qlik to answer the deactivate call',
  verifying: 'probes until the tenant host answers "deactivated"',
  'grace-period': 'waits for the purge date (cancel or reactivate possible until then)',
  'confirming-purge': 'probes until the tenant host answers "purged" twice',
  reactivating: 'reactivates the tenant (retried until the purge date)',
  reporting: 'writes the final report',
  completed: 'nothing: finished',
  failed: 'nothing: failed',
};

/** Time left until the purge date, e.g. `in 3d 4h` or `passed 2h ago`; undefined while no date is known. */
export function purgeCountdown(status: OffboardingStatus, nowMs = Date.now()): string | undefined {
  if (!status.estimatedPurgeDate) return undefined;
  const left = Date.parse(status.estimatedPurgeDate) - nowMs;
  return left > 0 ? `in ${formatDuration(left)}` : `passed ${formatDuration(-left)} ago`;
}

/** The grace probes ("[4 of 4]"): how often, the next one, what the last one saw; undefined when they are off. */
function graceProbesLine(status: OffboardingStatus): string | undefined {
  const g = status.graceProbes;
  if (!g) return undefined;
  const last = g.last ? `, last ${g.last.state} at ${g.last.at}` : '';
  const next = g.nextAt ? `; next at ${g.nextAt}` : '';
  const since = g.activeSince ? `; "active" since ${g.activeSince}` : '';
  return `every ${formatDuration(g.intervalMs)}${next}; ${g.probes} sent${last}${since}`;
}

/** The status as `label: value` lines, only the fields that are set. */
export function statusLines(status: OffboardingStatus, nowMs = Date.now()): string[] {
  const lines: Array<[string, string | undefined]> = [
    ['tenant', `${status.tenantId} (${status.hostname}, region ${status.region})${status.dryRun ? ' — dry run' : ''}`],
    ['phase', `${status.phase} since ${status.phaseSince}`],
    ['outcome', status.outcome],
    ['next', NEXT_STEP[status.phase]],
    ['purge after days', status.purgeAfterDays === undefined ? undefined : String(status.purgeAfterDays)],
    ['not before', status.notBefore],
    ['requested by', status.requestedBy],
    ['reason', status.reason],
    [
      'approved by',
      status.approval &&
        `${status.approval.approvedBy} at ${status.approval.at}` +
          (status.approval.reason ? ` (${status.approval.reason})` : ''),
    ],
    ['deactivated at', status.deactivatedAt],
    ['deactivation seen', status.deactivationConfirmedAt],
    [
      'purge date',
      status.estimatedPurgeDate &&
        `${status.estimatedPurgeDate} (${status.purgeDateSource}; ${purgeCountdown(status, nowMs)})`,
    ],
    [
      'extensions',
      status.extensions?.length
        ? status.extensions
            .map((e) => `${e.purgeAfterDays} days ${e.state} (asked ${e.at}${e.note ? `; ${e.note}` : ''})`)
            .join('; ') + (status.extensionsOmitted ? ` (+${status.extensionsOmitted} omitted)` : '')
        : undefined,
    ],
    ['purge confirmed', status.purgeConfirmedAt],
    ['reactivated at', status.reactivatedAt],
    ['grace probes', graceProbesLine(status)],
    [
      'decided by',
      status.decidedBy &&
        `${status.decidedBy.message} at ${status.decidedBy.at}` +
          (status.decidedBy.requestedBy ? ` by ${status.decidedBy.requestedBy}` : '') +
          (status.decidedBy.reason ? ` (${status.decidedBy.reason})` : ''),
    ],
    [
      'last error',
      status.lastError &&
        `${status.lastError.type}: ${status.lastError.message}` +
          (status.lastError.traceId ? ` (traceId ${status.lastError.traceId})` : '') +
          ` at ${status.lastError.at}`,
    ],
  ];
  const shown = lines.filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  const out = shown.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`);
  for (const ignored of status.ignoredSignals ?? []) {
    out.push(`${'ignored:'.padEnd(width + 2)}${ignored.message} at ${ignored.at}: ${ignored.why}`);
  }
  return out;
}

/** The contract field → CLI flag of `start`, and of `stop` and `resume` (`by`). */
export const FIELD_FLAGS: Record<string, string> = {
  by: '--by',
  tenantId: '--tenant-id',
  hostname: '--hostname',
  region: '--region',
  purgeAfterDays: '--purge-after-days',
  notBefore: '--not-before',
  requestedBy: '--requested-by',
  reason: '--reason',
  dryRun: '--dry-run',
};

/** One line per problem, `field: rule`, with the flag that sets the field when `withFlags`. */
export function problemLines(problems: InputProblem[], withFlags = false): string[] {
  return problems.map((p) => {
    const flag = withFlags ? FIELD_FLAGS[p.field] : undefined;
    return `${p.field}: ${p.rule}${flag ? ` [${flag}]` : ''}`;
  });
}
