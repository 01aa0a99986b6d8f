/**
 * What the simulator's request log proves about the calls the product made: state-changing calls in effect once,
 * retries that respect `retry-after`, faults that really fired, tenants that were never touched. Each check
 * returns a list of violations (empty = proven) so that a failing test prints every offending tenant at once.
 */
import type { FaultKind, LoggedRoute, RequestLogEntry } from '../../src/simulator';

/** The Qlik routes the product calls. */
export const PRODUCT_ROUTES = ['token', 'deactivate', 'reactivate', 'probe'] as const;

/** The requests about one tenant: actions on its ID and probes of its hostname. */
export function requestsAbout(log: RequestLogEntry[], tenantId: string, hostname: string): RequestLogEntry[] {
  const host = hostname.toLowerCase();
  return log.filter((r) => r.tenantId === tenantId || r.hostname?.toLowerCase() === host);
}

/** The client never saw this answer: the connection was dropped, or the client had given up (timeout). */
export function answerLost(entry: RequestLogEntry): boolean {
  return entry.status === 0 || entry.clientGone === true;
}

export interface StateChangeOptions {
  /**
   * Times (epoch ms) when a worker was killed or the Temporal server restarted: an answer the simulator sent before
   * such a moment may have died with the worker, so a repeat across it is explained by a lost answer.
   */
  answerLossMoments?: number[];
  /** The expected number of reactivations in effect (0 or 1); default: at most 1. */
  reactivations?: 0 | 1;
}

/**
 * The contract's "in effect once" rule for one tenant's deactivate and reactivate calls:
 * - every applied deactivate except the last was an attempt whose outcome the caller could not know (answer lost,
 *   timeout, or the worker holding the answer died): a repeat only follows an unknown outcome;
 * - at most one reactivation took effect (exactly `reactivations` when given).
 */
export function stateChangeViolations(
  tenantRequests: RequestLogEntry[],
  tenantId: string,
  options: StateChangeOptions = {},
): string[] {
  const problems: string[] = [];
  const applied = tenantRequests.filter((r) => r.route === 'deactivate' && r.applied === true);
  for (let i = 0; i < applied.length - 1; i++) {
    const entry = applied[i]!;
    const next = applied[i + 1]!;
    const lostInCrash = (options.answerLossMoments ?? []).some((at) => entry.at <= at && at <= next.at);
    if (!answerLost(entry) && !lostInCrash) {
      problems.push(
        `${tenantId}: deactivate #${entry.seq} was answered ${entry.status} and still repeated (#${next.seq}, in effect again)`,
      );
    }
  }
  const reactivations = tenantRequests.filter((r) => r.route === 'reactivate' && r.applied === true).length;
  if (reactivations > 1) problems.push(`${tenantId}: reactivated ${reactivations} times`);
  if (options.reactivations !== undefined && reactivations !== options.reactivations) {
    problems.push(`${tenantId}: ${reactivations} reactivations in effect, expected ${options.reactivations}`);
  }
  return problems;
}

/** No deactivate or reactivate request at all (a tenant cancelled before its deactivation). */
export function noStateChangeViolations(tenantRequests: RequestLogEntry[], tenantId: string): string[] {
  const calls = tenantRequests.filter((r) => r.route === 'deactivate' || r.route === 'reactivate');
  return calls.length === 0 ? [] : [`${tenantId}: ${calls.map((r) => `${r.route} #${r.seq}`).join(', ')} after cancel`];
}

/** No request of any kind about the tenant (a cancel delivered with signal-with-start). */
export function untouchedViolations(tenantRequests: RequestLogEntry[], tenantId: string): string[] {
  return tenantRequests.length === 0
    ? []
    : [`${tenantId}: ${tenantRequests.map((r) => `${r.route} #${r.seq}`).join(', ')} despite signal-with-start cancel`];
}

/** Who a retry belongs to: the same call for the same tenant, or the same client's token request. */
function retryKey(entry: RequestLogEntry): string {
  if (entry.route === 'token') return `token:${entry.clientId ?? entry.region ?? '?'}`;
  return `${entry.route}:${entry.tenantId ?? entry.hostname ?? '?'}`;
}

/** Clock granularity between the simulator's `at` stamps. */
const RETRY_AFTER_TOLERANCE_MS = 25;

/**
 * After a 429 with `retry-after: N`, the next request of the same kind (same route and tenant; for tokens, same
 * client) comes no earlier than N seconds later.
 */
export function retryAfterViolations(
  log: RequestLogEntry[],
  routes: readonly LoggedRoute[] = PRODUCT_ROUTES,
): string[] {
  const problems: string[] = [];
  const pending = new Map<string, RequestLogEntry>();
  for (const entry of [...log].sort((a, b) => a.seq - b.seq)) {
    if (!routes.includes(entry.route)) continue;
    const key = retryKey(entry);
    const limited = pending.get(key);
    if (limited) {
      const earliest = limited.at + (limited.retryAfterS ?? 0) * 1000;
      if (entry.at + RETRY_AFTER_TOLERANCE_MS < earliest) {
        problems.push(
          `${key}: #${entry.seq} came ${entry.at - limited.at} ms after the 429 #${limited.seq} (retry-after ${limited.retryAfterS} s)`,
        );
      }
      pending.delete(key);
    }
    if (entry.status === 429) pending.set(key, entry);
  }
  return problems;
}

/** How many requests each injected fault hit, per route: `{ deactivate: { lost: 12 }, … }`. */
export function faultsFired(log: RequestLogEntry[]): Partial<Record<LoggedRoute, Partial<Record<FaultKind, number>>>> {
  const fired: Partial<Record<LoggedRoute, Partial<Record<FaultKind, number>>>> = {};
  for (const entry of log) {
    if (!entry.fault) continue;
    const byKind = (fired[entry.route] ??= {});
    byKind[entry.fault] = (byKind[entry.fault] ?? 0) + 1;
  }
  return fired;
}

/** The (route, fault) pairs that were expected to fire and did not. */
export function unfiredFaults(
  log: RequestLogEntry[],
  expected: Partial<Record<LoggedRoute, readonly FaultKind[]>>,
): string[] {
  const fired = faultsFired(log);
  const missing: string[] = [];
  for (const [route, kinds] of Object.entries(expected) as [LoggedRoute, FaultKind[]][]) {
    for (const kind of kinds) if (!fired[route]?.[kind]) missing.push(`${route}/${kind}`);
  }
  return missing;
}

/** Access tokens the simulator issued that were then used (they appear in `authorization` headers). */
export function accessTokensSeen(log: RequestLogEntry[]): string[] {
  const tokens = new Set<string>();
  for (const entry of log) {
    const match = /^Bearer\s+(\S+)$/i.exec(entry.headers.authorization ?? '');
    if (match) tokens.add(match[1]!);
  }
  return [...tokens];
}
