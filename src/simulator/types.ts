/**
 * The simulator's public types: what tests, the demo and benchmarks configure it with and what it
 * reports back. Kept apart from the implementation so that `index.ts` and `control-client.ts` can
 * share them without pulling in the server.
 */

/** The Qlik routes the simulator serves. `control` (`/_sim/…`) and `unknown` are only log labels. */
export type RouteName = 'token' | 'deactivate' | 'reactivate' | 'getTenant' | 'probe';

/** Every label a request-log entry can carry. */
export type LoggedRoute = RouteName | 'control' | 'unknown';

/**
 * What an injected fault does to one request.
 * - `429`, `500`, `502`, `503`: answered at once with that status; nothing is applied.
 * - `400`, `403`, `404`, `409`, `412`: a refusal, answered at once with that status and Qlik's standard error
 *   body (before the token is checked); nothing is applied. For what Qlik may answer where its documentation is
 *   silent: a repeat deactivate refused because the tenant is no longer active, a refused reactivate, or a
 *   passing 404 at a tenant host (which reads as "purged").
 * - `reset`: the connection is reset without an answer; nothing is applied.
 * - `slow`: the request is handled normally after `delayMs`; the change is applied even if the
 *   client has given up by then, as a real server would.
 * - `lost`: the request is handled (the change IS applied), then the connection is reset before any
 *   answer is sent.
 */
export type FaultKind =
  '429' | '500' | '502' | '503' | '400' | '403' | '404' | '409' | '412' | 'reset' | 'slow' | 'lost';

/** One step of a scripted fault sequence: a fault, `ok` (handled normally), or a fault with its own parameters. */
export type FaultStep = FaultKind | 'ok' | { kind: FaultKind; retryAfterS?: number; delayMs?: number };

/**
 * A fault-injection rule. Give exactly one of `kind` (probabilistic) or `sequence` (scripted).
 *
 * Rules are checked in order for each Qlik-route request that matches `route` and the optional
 * filters; the first rule that fires decides. A scripted rule consumes one step per matching request
 * (an `ok` step lets that request through untouched and stops the search) and is spent once its
 * steps are used up. A probabilistic rule fires with `probability` (default 1) drawn from the seeded
 * PRNG, at most `times` times if given.
 */
export interface FaultRule {
  route: RouteName | '*';
  kind?: FaultKind;
  probability?: number;
  times?: number;
  sequence?: FaultStep[];
  /** Only requests about this tenant (path tenant ID, or the tenant owning a probed hostname). */
  tenantId?: string;
  /** Only requests about this hostname (the probed host, or the `qlik-confirm-hostname` header); case-insensitive. */
  hostname?: string;
  /** Only requests to this region's registration endpoint (tenant-host probes carry no region and never match). */
  region?: string;
  /**
   * The rule applies only to requests received after a request on this route that matched the rule's filters
   * (e.g. a probe glitch that happens only once the reactivation has begun). Armed again by `setFaults`.
   */
  after?: RouteName;
  /** `retry-after` of an injected 429, in seconds (default 1). */
  retryAfterS?: number;
  /** Delay of a `slow` fault in real milliseconds (default 1000). */
  delayMs?: number;
}

/** A region-level OAuth client, as made in the My Qlik portal. */
export interface SimClient {
  region: string;
  clientId: string;
  clientSecret: string;
  /** A disabled client gets 403 from the token endpoint, and its tokens stop working. */
  disabled?: boolean;
  /** `false`: sending `purgeAfterDays` is refused with 403 (Qlik documents the field as OEM-only). Default: allowed. */
  oem?: boolean;
}

/** Lifecycle states the simulator models (Qlik's `user-access-disabled` is not modelled). */
export type SimTenantStatus = 'active' | 'disabled' | 'deleted';

/** A tenant to put into the simulator. */
export interface SimTenantSeed {
  id: string;
  name?: string;
  /** The first is the display hostname, the rest aliases; matched case-insensitively. */
  hostnames: string[];
  region: string;
  status?: SimTenantStatus;
  /** For a tenant seeded as `disabled`: when it will be purged (default: 30 simulated days from now). */
  estimatedPurgeDate?: string;
  /** This tenant's host shows a deactivation this long after it (overrides the `propagationDelayMs` setting). */
  propagationDelayMs?: number;
  /**
   * The `estimatedPurgeDate` that deactivate answers for this tenant, verbatim (a skewed clock, a sentinel such as
   * `1970-01-01T00:00:00Z`, a date without time, year 9999); it wins over `omitPurgeDate`. Only the answer
   * changes: the tenant is still purged at the real date, which `tenant()` shows.
   */
  purgeDateAnswer?: string;
}

/** What the simulator knows about a tenant, for assertions. Dates are ISO-8601 UTC strings. */
export interface SimTenantView {
  id: string;
  name: string;
  hostnames: string[];
  region: string;
  /** Evaluated at the time of the call: a tenant past its purge date (+ lag) shows as `deleted`. */
  status: SimTenantStatus;
  statusLastUpdatedAt: string;
  estimatedPurgeDate?: string;
  deactivatedAt?: string;
  reactivatedAt?: string;
  purgedAt?: string;
  /** Deactivations that took effect (including repeats that reset the countdown). */
  deactivateCount: number;
  /** Reactivations that took effect. */
  reactivateCount: number;
}

/** One request received on a Qlik route, in order of receipt. */
export interface RequestLogEntry {
  seq: number;
  /** Epoch ms of receipt, from the injected clock. */
  at: number;
  method: string;
  /** Path including the query string, as received. */
  path: string;
  route: LoggedRoute;
  region?: string;
  tenantId?: string;
  /** The probed hostname, or the `qlik-confirm-hostname` header of an action. */
  hostname?: string;
  /** The OAuth client: `client_id` of a token call, or the owner of the bearer token. */
  clientId?: string;
  /** HTTP status sent; 0 when the connection was dropped, or while `pending`. */
  status: number;
  /** True while the request is still being handled (e.g. a `slow` fault). */
  pending?: boolean;
  fault?: FaultKind;
  /** For token, deactivate and reactivate: whether the call changed state (issued a token, changed the tenant). */
  applied?: boolean;
  /** The client closed the connection before the answer could be sent. */
  clientGone?: boolean;
  /** Raw request headers, names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Raw request body. */
  body: string;
  /** The `retry-after` sent with a 429, in seconds. */
  retryAfterS?: number;
}

/** How the simulator behaves; each of these can also be changed at run time with `configure`. */
export interface SimulatorBehaviour {
  /** Length of one simulated day in real ms (default 86_400_000). 1000 => a 10-day grace period lasts 10 s. */
  dayMs?: number;
  /** Injectable clock (epoch ms); default `Date.now`. */
  now?: () => number;
  /** PRNG seed for fault injection and trace IDs (default 1). */
  seed?: number;
  /** Access token lifetime in ms (default 21_600_000 = 6 h). */
  tokenLifetimeMs?: number;
  /** Token answer without `expires_in` (only `expires_at`). */
  omitExpiresIn?: boolean;
  /** A disabled tenant is purged at estimatedPurgeDate + this lag (default 0). */
  purgeLagMs?: number;
  /** After a deactivate the tenant host still answers "active" this long (default 0). */
  propagationDelayMs?: number;
  /** Error code the tenant host answers while deactivated (default `TENANT_DEACTIVATED`). */
  deactivatedCode?: 'TENANT_DEACTIVATED' | 'TENANT_DISABLED';
  /** The tenant host's answer once purged: 401 `LOGIN-2`, 404, or a reset connection (default `LOGIN-2`). */
  purgedAnswer?: 'LOGIN-2' | '404' | 'reset';
  /** Deactivate answers 200 without `estimatedPurgeDate`. */
  omitPurgeDate?: boolean;
  /** Reactivate's 200 body: `{}` or `{"id","status":"active"}` (default `status`). */
  reactivateAnswer?: 'empty' | 'status';
  /** Reactivating an active tenant: 200 (`ok`, default) or 400 (`reject`). */
  reactivateWhenActive?: 'ok' | 'reject';
  /** Tier 1 (GET tenant) limit per client per minute (default 1000); 0 or Infinity switches it off. */
  tier1PerMinute?: number;
  /** Tier 2 (token, deactivate, reactivate) limit per client per minute (default 100); 0 or Infinity switches it off. */
  tier2PerMinute?: number;
  /** Sliding window of the rate limits in ms (default 300_000); the limit in a window is perMinute × windowMs / 60_000. */
  rateWindowMs?: number;
  /** The request log keeps at most this many entries, dropping the oldest (default 100_000). */
  requestLogLimit?: number;
}

/** Everything `startSimulator` accepts. */
export interface SimulatorOptions extends SimulatorBehaviour {
  /** 0 = a free port (default 0). */
  port?: number;
  /** Default `127.0.0.1`; only loopback addresses are accepted. */
  host?: string;
  clients?: SimClient[];
  tenants?: SimTenantSeed[];
  faults?: FaultRule[];
}

/** The behaviour settings in force, with defaults filled in (the clock is not included). */
export type SimulatorSettings = Required<Omit<SimulatorBehaviour, 'now'>>;

/** Options of an out-of-band status change. */
export interface ExternalStatusOptions {
  /** For `disabled`: days until the purge (default 30 simulated days). */
  purgeAfterDays?: number;
}

/** A running simulator, controlled in-process. */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:34567`. */
  readonly url: string;
  /** `${url}/register/{region}`: the value for `QLIK_REGISTER_URL_TEMPLATE`. */
  readonly registerUrlTemplate: string;
  /** `${url}/tenant/{hostname}`: the value for `QLIK_TENANT_URL_TEMPLATE`. */
  readonly tenantUrlTemplate: string;
  /** Adds an OAuth client, or replaces the one with the same ID (e.g. to disable it). */
  addClient(client: SimClient): void;
  /** Adds a tenant, or replaces the one with the same ID. */
  addTenant(tenant: SimTenantSeed): void;
  /** The tenant's state now (a purge that is due is applied first), or undefined. */
  tenant(id: string): SimTenantView | undefined;
  /** Every Qlik-route request received, in order (control requests are not logged). */
  requests(since?: number): RequestLogEntry[];
  /** Empties the request log. */
  clearRequests(): void;
  /** Replaces the fault rules; scripted sequences start from their first step. */
  setFaults(rules: FaultRule[]): void;
  /**
   * Changes behaviour at run time. `faults` replaces the rules, `clients` and `tenants` are added;
   * `port` and `host` cannot change. A new `dayMs` applies to later deactivations only.
   */
  configure(patch: Partial<SimulatorOptions>): void;
  /** The behaviour settings in force. */
  settings(): SimulatorSettings;
  /** A change made outside the API (e.g. another admin reactivates the tenant); takes effect at once. */
  setExternalStatus(tenantId: string, status: SimTenantStatus, options?: ExternalStatusOptions): void;
  /** Closes the server and every open connection; pending `slow` requests are dropped. */
  close(): Promise<void>;
}
