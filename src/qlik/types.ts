/**
 * What the rest of the worker sees of Qlik Cloud: a small client interface and the typed error it throws.
 */
import { type QlikFailureType, TransientFailureType } from '../shared/failure-types';

/** What a tenant-host probe (QLIK-API §5) says about the tenant. */
export type ProbeState = 'active' | 'deactivated' | 'purged' | 'unknown';

export interface ProbeAnswer {
  state: ProbeState;
  /** HTTP status, absent for network errors. */
  httpStatus?: number;
  /** Qlik error code (`TENANT_DEACTIVATED`, `LOGIN-2`, …) or network error code (`ENOTFOUND`, `ECONNREFUSED`, …). */
  code?: string;
  traceId?: string;
  /** From `retry-after` on a 429/503: do not probe again sooner. */
  retryAfterMs?: number;
}

/** Options of one probe. */
export interface ProbeOptions {
  /** At most this long (ms), including connecting; the client's own request timeout applies when it is shorter. */
  timeoutMs?: number;
}

export interface TenantRef {
  region: string;
  tenantId: string;
  hostname: string;
}

export interface DeactivateAnswer {
  status?: string;
  /** Absent when Qlik's answer lacks it (QLIK-API §2 corner). */
  estimatedPurgeDate?: string;
}

export interface ReactivateAnswer {
  status?: string;
}

/** A region's OAuth client (from the worker's configuration; never leaves the worker). */
export interface RegionCredentials {
  clientId: string;
  clientSecret: string;
}

/** The Qlik Cloud calls the activities make. Every method throws {@link QlikError} on failure. */
export interface QlikClient {
  /** Makes sure a valid token for the region is cached; returns only its expiry, never the token. */
  ensureToken(region: string, signal?: AbortSignal): Promise<{ expiresAt: string }>;
  deactivate(ref: TenantRef & { purgeAfterDays?: number }, signal?: AbortSignal): Promise<DeactivateAnswer>;
  reactivate(ref: TenantRef, signal?: AbortSignal): Promise<ReactivateAnswer>;
  /**
   * One probe of the tenant host; never sends a region client's secret. Never throws: failures are `unknown`.
   * `options.timeoutMs` shortens the client's request timeout for this probe (never lengthens it): a probe loop
   * near its deadline cuts a slow answer short instead of waiting it out.
   */
  probe(hostname: string, signal?: AbortSignal, options?: ProbeOptions): Promise<ProbeAnswer>;
}

/** Error kinds: the contract's failure types, plus the retryable ones (src/shared/failure-types.ts). */
export type QlikErrorKind = QlikFailureType;

/**
 * A failed Qlik call, already classified. Its message names the call, the tenant (when known), the HTTP status,
 * Qlik's error code and traceId — never a secret or a token.
 */
export class QlikError extends Error {
  override readonly name = 'QlikError';
  constructor(
    readonly kind: QlikErrorKind,
    message: string,
    readonly details: {
      httpStatus?: number;
      code?: string;
      traceId?: string;
      /** From `retry-after` on a 429. */
      retryAfterMs?: number;
      /** True when the request may have reached Qlik and been applied (timeout, reset after sending, 5xx). */
      outcomeUnknown?: boolean;
    } = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return Object.values<string>(TransientFailureType).includes(this.kind);
  }
}
