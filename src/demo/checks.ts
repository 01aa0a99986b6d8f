/**
 * What each demo path ended in, checked against what it must end in. The facts come from where an operator would
 * look: the workflow's result (or failure), and the simulator's record of the calls Qlik received.
 */
import type { OffboardingStatus, Outcome } from '../shared/contract';
import type { RequestLogEntry, SimTenantView } from '../simulator';
import type { DemoScenario } from './scenarios';

/** The Qlik routes counted per tenant, in the order the table lists them. */
export const COUNTED_ROUTES = ['deactivate', 'reactivate', 'probe', 'getTenant'] as const;
export type CountedRoute = (typeof COUNTED_ROUTES)[number];

/** How one demo path ended. */
export interface DemoResult {
  scenario: DemoScenario;
  workflowId: string;
  /** Set when the run completed. */
  outcome?: Outcome;
  /** Set when the run failed: the ApplicationFailure's type and message. */
  failureType?: string;
  failureMessage?: string;
  /** The final status: the result, or the failure's `details[0]`. */
  status?: OffboardingStatus;
  /** Calls Qlik received about this tenant, per route. */
  calls: Record<CountedRoute, number>;
  /** The tenant's state on the simulator at the end. */
  simStatus?: string;
  /** Everything that differs from the scenario's expectation; empty when the path went as it must. */
  problems: string[];
}

/** The requests about one demo tenant: by tenant ID in the path, or by the hostname probed or confirmed. */
export function requestsAbout(log: RequestLogEntry[], scenario: DemoScenario): RequestLogEntry[] {
  const hostnames = new Set([...scenario.tenant.hostnames, scenario.input.hostname].map((h) => h.toLowerCase()));
  return log.filter(
    (r) => r.tenantId === scenario.tenant.id || (r.hostname !== undefined && hostnames.has(r.hostname.toLowerCase())),
  );
}

/** Calls per counted route. */
export function countCalls(requests: RequestLogEntry[]): Record<CountedRoute, number> {
  const calls = { deactivate: 0, reactivate: 0, probe: 0, getTenant: 0 };
  for (const r of requests) if (r.route in calls) calls[r.route as CountedRoute]++;
  return calls;
}

/** Compares how a path ended with its expectation; returns one line per difference. */
export function checkExpectation(
  scenario: DemoScenario,
  ended: Pick<DemoResult, 'outcome' | 'failureType' | 'status'>,
  requests: RequestLogEntry[],
  simTenant: SimTenantView | undefined,
): string[] {
  const { expect } = scenario;
  const problems: string[] = [];
  const got = ended.outcome ?? (ended.failureType ? `failure ${ended.failureType}` : 'no result');
  if (expect.outcome && ended.outcome !== expect.outcome)
    problems.push(`expected outcome ${expect.outcome}, got ${got}`);
  if (expect.failureType && ended.failureType !== expect.failureType) {
    problems.push(`expected failure ${expect.failureType}, got ${got}`);
  }
  const calls = countCalls(requests);
  for (const [route, count] of Object.entries(expect.calls ?? {})) {
    if (calls[route as CountedRoute] !== count) {
      problems.push(`expected ${count} ${route} call(s), Qlik received ${calls[route as CountedRoute]}`);
    }
  }
  if (expect.noCalls && requests.length > 0) {
    problems.push(`expected no Qlik call, Qlik received ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  }
  if (expect.extensionApplied) problems.push(...extensionProblems(ended.status));
  if (expect.simStatus && simTenant?.status !== expect.simStatus) {
    problems.push(`expected the tenant to be ${expect.simStatus} on Qlik, it is ${simTenant?.status ?? 'unknown'}`);
  }
  return problems;
}

/** What an extended grace period must show: one extension, applied, and the purge confirmed after its date. */
function extensionProblems(status: OffboardingStatus | undefined): string[] {
  const extensions = status?.extensions ?? [];
  if (extensions.length !== 1 || extensions[0]!.state !== 'applied') {
    return [`expected one applied extension, got ${JSON.stringify(extensions.map((e) => e.state))}`];
  }
  const newDate = extensions[0]!.estimatedPurgeDate;
  if (newDate === undefined || !(Date.parse(newDate) > Date.parse(extensions[0]!.previousPurgeDate))) {
    return [`expected the extension to move the purge date later, it set ${newDate ?? 'none'}`];
  }
  if (status?.purgeConfirmedAt === undefined || Date.parse(status.purgeConfirmedAt) < Date.parse(newDate)) {
    return [`expected the purge confirmed after ${newDate}, got ${status?.purgeConfirmedAt ?? 'none'}`];
  }
  return [];
}
