/**
 * Scenario 3, per-tenant cost: what one offboarding costs Qlik, the webhook and Temporal on the fault-free happy
 * path, read from the runs of scenarios 1 and 2 (the simulator's request log, the webhook receiver, visibility's
 * history length and size). Against the issue's list: exactly one deactivate, a probe loop until deactivated, a
 * probe loop until purged, the report; at most one token request per region per token lifetime per worker process.
 */
import { workflowIdFor } from '../../src/shared/contract';
import type { ProductRun } from '../support/product-run';
import { max, median, percentile, sum } from '../support/stats';
import { integer, kibibytes, markdownTable, NA, verdict } from '../support/table';

/** One run's per-tenant figures, each as p50 and max across the run's tenants. */
interface RunCost {
  deactivate: Spread;
  reactivate: Spread;
  getTenant: Spread;
  verifyProbes: Spread;
  purgeProbes: Spread;
  reports: Spread;
  reportKinds: string[];
  rejected429: number;
  events: Spread;
  bytes: Spread;
}

interface Spread {
  p50?: number;
  max?: number;
}

function spread(values: number[]): Spread {
  return { p50: percentile(values, 50), max: max(values) };
}

interface TenantCalls {
  deactivate: number;
  reactivate: number;
  getTenant: number;
  verify: number;
  verifyEnded: boolean;
  purge: number;
}

function costOf(run: ProductRun): RunCost {
  const byTenant = new Map<string, TenantCalls>();
  for (const id of run.tenants) {
    byTenant.set(id, { deactivate: 0, reactivate: 0, getTenant: 0, verify: 0, verifyEnded: false, purge: 0 });
  }
  for (const r of run.requests) {
    const counts = r.tenantId === undefined ? undefined : byTenant.get(r.tenantId);
    if (!counts) continue;
    if (r.route === 'deactivate') counts.deactivate++;
    else if (r.route === 'reactivate') counts.reactivate++;
    else if (r.route === 'getTenant') counts.getTenant++;
    else if (r.route === 'probe') {
      // The first loop probes until the host answers other than "active", which it does from the deactivate on
      // (the simulator applies it at once); every probe after that one belongs to the purge confirmation.
      const deactivatedAt = run.deactivatedAt.get(r.tenantId!) ?? Infinity;
      if (!counts.verifyEnded) {
        counts.verify++;
        if (r.at >= deactivatedAt) counts.verifyEnded = true;
      } else counts.purge++;
    }
  }
  const all = [...byTenant.values()];
  const reportCounts = run.tenants.map((id) => sum(Object.values(run.reports.get(workflowIdFor(id)) ?? {})));
  const kinds = new Set<string>();
  for (const perKind of run.reports.values()) Object.keys(perKind).forEach((k) => kinds.add(k));
  return {
    deactivate: spread(all.map((c) => c.deactivate)),
    reactivate: spread(all.map((c) => c.reactivate)),
    getTenant: spread(all.map((c) => c.getTenant)),
    verifyProbes: spread(all.map((c) => c.verify)),
    purgeProbes: spread(all.map((c) => c.purge)),
    reports: spread(reportCounts),
    reportKinds: [...kinds].sort(),
    rejected429: run.requests.filter((r) => r.status === 429).length,
    events: spread(run.batch.executions.map((e) => e.historyLength)),
    bytes: spread(run.batch.executions.map((e) => e.historySize).filter((v): v is number => v !== undefined)),
  };
}

/** p50 as the median of the runs' p50s, max as the max of the runs' maxima: `p50 / max`. */
function combined(costs: RunCost[], pick: (c: RunCost) => Spread, format: (v?: number) => string = integer): string {
  if (costs.length === 0) return NA;
  const p50 = median(costs.map((c) => pick(c).p50).filter((v): v is number => v !== undefined));
  const worst = max(costs.map((c) => pick(c).max).filter((v): v is number => v !== undefined));
  return `${format(p50)} / ${format(worst)}`;
}

export interface RunGroup {
  label: string;
  runs: ProductRun[];
  /** False when the runs end in the grace period (scenario 1): then only the calls up to it are known. */
  complete: boolean;
}

/** Token requests of a group of runs: in the simulator's log, and per worker process from its own counter. */
function tokenUse(group: RunGroup): { total: number; processes: number; worstProcess?: number } {
  const total = group.runs.reduce(
    (acc, run) => acc + run.requests.filter((r) => r.route === 'token' && r.clientId === run.clientId).length,
    0,
  );
  // The counter is cumulative per process: its last value is the process's total.
  const perProcess = new Map<number, number | undefined>();
  for (const run of group.runs) for (const w of run.workers) perProcess.set(w.pid, w.tokenRequests);
  const counted = [...perProcess.values()];
  return {
    total,
    processes: perProcess.size,
    worstProcess: counted.every((v) => v !== undefined) ? max(counted as number[]) : undefined,
  };
}

export function perTenantCostTable(groups: RunGroup[], options: { reports: boolean }): string {
  const costs = groups.map((g) => g.runs.map(costOf));
  const tokens = groups.map(tokenUse);
  const everyCost = costs.flat();
  const completeCosts = costs.filter((_, i) => groups[i]!.complete).flat();
  const column = (f: (c: RunCost[]) => string) => costs.map(f);
  /** A column that only complete runs can fill. */
  const toTheEnd = (f: (c: RunCost[]) => string) =>
    costs.map((c, i) => (groups[i]!.complete ? f(c) : '— (runs end in the grace period)'));
  const maxOf = (list: RunCost[], pick: (c: RunCost) => Spread) => max(list.map((c) => pick(c).max ?? NaN));

  const oneDeactivate = everyCost.every((c) => c.deactivate.p50 === 1 && c.deactivate.max === 1);
  const noReactivate = everyCost.every((c) => c.reactivate.max === 0 && c.getTenant.max === 0);
  // Every scenario is shorter than one token lifetime: at most one request per process, and no more than processes.
  const tokensOk = tokens.every((t) => t.total <= t.processes && (t.worstProcess ?? 0) <= 1);
  const eventsMax = completeCosts.length ? maxOf(completeCosts, (c) => c.events) : undefined;
  const finalReports = completeCosts.every((c) => (c.reports.p50 ?? 0) >= 1);
  const reportsColumn = (c: RunCost[]) =>
    `${combined(c, (x) => x.reports)}${c[0]?.reportKinds.length ? ` (${c[0].reportKinds.join(', ')})` : ''}`;

  const rows: string[][] = [
    [
      'Deactivate calls per tenant (p50 / max)',
      ...column((c) => combined(c, (x) => x.deactivate)),
      `exactly 1: ${verdict(oneDeactivate)}`,
    ],
    [
      'Reactivate + GET tenant calls per tenant (max)',
      ...column((c) => integer(max(c.map((x) => (x.reactivate.max ?? 0) + (x.getTenant.max ?? 0))))),
      `0: ${verdict(noReactivate)}`,
    ],
    [
      'Probes until "deactivated" per tenant (p50 / max)',
      ...column((c) => combined(c, (x) => x.verifyProbes)),
      'one probe loop (one activity); 1 probe when Qlik applies the deactivate at once',
    ],
    [
      'Probes until "purged" per tenant (p50 / max)',
      ...toTheEnd((c) => combined(c, (x) => x.purgeProbes)),
      'one probe loop (one activity); the contract asks for two "purged" answers one interval apart',
    ],
    [
      'Reports received per tenant (p50 / max)',
      ...costs.map((c, i) => (groups[i]!.complete ? reportsColumn(c) : `${reportsColumn(c)} up to the grace period`)),
      options.reports
        ? `the final report (and the "deactivated" event): ${verdict(completeCosts.length ? finalReports : undefined)}`
        : 'reports off (--no-reports)',
    ],
    [
      'Token requests, whole scenario',
      ...tokens.map(
        (t) =>
          `${integer(t.total)} from ${integer(t.processes)} worker process${t.processes === 1 ? '' : 'es'}` +
          (t.worstProcess !== undefined ? `; at most ${integer(t.worstProcess)} per process` : ''),
      ),
      `≤ 1 per region per token lifetime per worker process: ${verdict(groups.length ? tokensOk : undefined)}`,
    ],
    ['429 answers (all runs)', ...column((c) => integer(sum(c.map((x) => x.rejected429)))), ''],
    [
      '**History events per workflow (p50 / max)**',
      ...toTheEnd((c) => `**${combined(c, (x) => x.events)}**`),
      `≤ 40 on the happy path: ${verdict(eventsMax === undefined || !Number.isFinite(eventsMax) ? undefined : eventsMax <= 40)}`,
    ],
    [
      'History size per workflow (p50 / max)',
      ...toTheEnd((c) => combined(c, (x) => x.bytes, kibibytes)),
      'no payload bloat: every payload is a small JSON object',
    ],
    [
      'Largest history event (first workflow of each run, max)',
      ...groups.map((g, i) => {
        if (!groups[i]!.complete) return '— (runs end in the grace period)';
        const largest = g.runs
          .map((r) => r.largestEvent)
          .filter((e): e is NonNullable<typeof e> => e !== undefined)
          .sort((a, b) => b.bytes - a.bytes)[0];
        return largest ? `${kibibytes(largest.bytes)} (${largest.type})` : NA;
      }),
      'each report carries a status snapshot; no event holds more than a small JSON object',
    ],
  ];
  const header = [
    'Scenario 3: per-tenant cost (fault-free happy path)',
    ...groups.map((g) => `${g.label} (${g.runs.length} run${g.runs.length === 1 ? '' : 's'})`),
    'target',
  ];
  return markdownTable(header, rows);
}
