/**
 * Builds the {@link QlikClient} the activities call: region tokens from a shared cache, deactivate/reactivate on the
 * registration endpoint, and the credential-free probe of tenant hosts.
 */
import { Agent, type Dispatcher } from 'undici';
import { abortReason, postReadingText, type HttpTextAnswer } from '../http';
import { parseDeactivateAnswer, parseReactivateAnswer } from './answers';
import { errorFromResponse, errorFromTransportFailure, type CallContext, type QlikCall } from './errors';
import { probeTenant } from './probe';
import { TokenCache, type LeasedToken } from './token-cache';
import { requestToken } from './token-request';
import { QlikError, type ProbeAnswer, type QlikClient, type RegionCredentials, type TenantRef } from './types';
import { assertSafeUrlTemplate, expandUrlTemplate, normalizeHostname, normalizeRegion } from './url-template';

/** What the metrics hook is told after every HTTP exchange (never a secret). */
export interface QlikResponseInfo {
  route: QlikCall;
  status: number | 'network-error';
  region?: string;
}

/** Configuration of {@link createQlikClient}. */
export interface QlikClientOptions {
  /** e.g. `https://register.{region}.qlikcloud.com` or `http://127.0.0.1:8090/register/{region}`. */
  registerUrlTemplate: string;
  /** e.g. `https://{hostname}` or `http://127.0.0.1:8090/tenant/{hostname}`. */
  tenantUrlTemplate: string;
  /** The region's OAuth client, or undefined when the worker serves no such region. */
  credentials: (region: string) => RegionCredentials | undefined;
  /** Deadline of each HTTP request, body included (default 30 s). */
  requestTimeoutMs?: number;
  /** Clock for token expiry (default `Date.now`). */
  now?: () => number;
  /** How long before expiry a token is replaced (default 5 min, never more than half its lifetime). */
  refreshBeforeExpiryMs?: number;
  /** Metrics hook, called after every HTTP exchange; its errors are ignored. */
  onResponse?: (info: QlikResponseInfo) => void;
  /** undici dispatcher to send through (default: a keep-alive Agent owned by this client). */
  dispatcher?: Dispatcher;
}

/** The client plus what tests and the worker need around it. */
export type QlikHttpClient = QlikClient & {
  /** How many token HTTP requests this client has started (to check the one-per-lifetime rule). */
  tokenRequests(): number;
  /** Closes the client's own Agent (not a dispatcher passed in options). */
  close(): Promise<void>;
};

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** Creates a Qlik Cloud client; throws at once when a URL template is unsafe or lacks its placeholder. */
export function createQlikClient(options: QlikClientOptions): QlikHttpClient {
  assertSafeUrlTemplate('registerUrlTemplate', options.registerUrlTemplate, 'region');
  assertSafeUrlTemplate('tenantUrlTemplate', options.tenantUrlTemplate, 'hostname');
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const ownAgent = options.dispatcher
    ? undefined
    : new Agent({ keepAliveTimeout: 4_000, connect: { timeout: Math.min(10_000, timeoutMs) } });
  const dispatcher: Dispatcher = options.dispatcher ?? (ownAgent as Agent);
  let tokenRequestCount = 0;

  const report = (route: QlikCall, region?: string) => (status: number | 'network-error') => {
    try {
      options.onResponse?.({ route, status, ...(region !== undefined ? { region } : {}) });
    } catch {
      // A broken metrics hook must not fail a Qlik call.
    }
  };

  const registerBase = (region: string): string => expandUrlTemplate(options.registerUrlTemplate, 'region', region);

  const tokens = new TokenCache({
    credentials: options.credentials,
    now,
    refreshBeforeExpiryMs: options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
    fetchToken: (region, credentials) => {
      tokenRequestCount += 1;
      return requestToken({
        dispatcher,
        registerBaseUrl: registerBase(region),
        region,
        ...credentials,
        timeoutMs,
        now,
        onStatus: report('token', region),
      });
    },
  });

  function checkRegion(region: string, call: QlikCall, tenantId?: string): string {
    const normalized = normalizeRegion(region);
    if (normalized === undefined) {
      throw new QlikError(
        'InvalidInput',
        `Qlik ${call}${tenantId ? ` (tenant ${tenantId})` : ''} refused: region ${JSON.stringify(region)} is not a region code`,
      );
    }
    return normalized;
  }

  /** Sends a tenant action with the region's token; on a 401 refreshes the token once and retries once. */
  async function tenantAction(
    call: 'deactivate' | 'reactivate',
    ref: TenantRef,
    body: object,
    signal?: AbortSignal,
  ): Promise<string> {
    const region = checkRegion(ref.region, call, ref.tenantId);
    const hostname = normalizeHostname(ref.hostname);
    if (hostname === undefined || typeof ref.tenantId !== 'string' || ref.tenantId === '') {
      throw new QlikError(
        'InvalidInput',
        `Qlik ${call} refused: tenant ID and hostname must be given, the hostname as a DNS name`,
      );
    }
    const url = `${registerBase(region)}/api/v1/tenants/${encodeURIComponent(ref.tenantId)}/actions/${call}`;
    for (let attempt = 0; ; attempt += 1) {
      const token: LeasedToken = await tokens.get(region, signal);
      const ctx: CallContext = {
        call,
        region,
        tenantId: ref.tenantId,
        secrets: [token.clientSecret, token.accessToken],
        afterTokenRefresh: attempt > 0,
      };
      let answer: HttpTextAnswer;
      try {
        answer = await postReadingText({
          dispatcher,
          url,
          headers: {
            authorization: `Bearer ${token.accessToken}`,
            'qlik-confirm-hostname': hostname,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify(body),
          timeoutMs,
          signal,
        });
      } catch (err) {
        if (signal?.aborted) throw abortReason(signal);
        report(call, region)('network-error');
        throw errorFromTransportFailure(ctx, err);
      }
      report(call, region)(answer.status);
      if (answer.status >= 200 && answer.status < 300) return answer.text;
      if (answer.status === 401 && attempt === 0) {
        tokens.invalidate(token);
        continue;
      }
      throw errorFromResponse(ctx, answer, now());
    }
  }

  return {
    async ensureToken(region, signal) {
      const token = await tokens.get(checkRegion(region, 'token'), signal);
      return { expiresAt: new Date(token.expiresAtMs).toISOString() };
    },

    async deactivate(ref, signal) {
      const body = ref.purgeAfterDays !== undefined ? { purgeAfterDays: ref.purgeAfterDays } : {};
      return parseDeactivateAnswer(await tenantAction('deactivate', ref, body, signal));
    },

    async reactivate(ref, signal) {
      return parseReactivateAnswer(await tenantAction('reactivate', ref, {}, signal));
    },

    async probe(hostname, signal, probeOptions): Promise<ProbeAnswer> {
      const normalized = normalizeHostname(hostname);
      // Not a DNS name: no request could reach a tenant, and probe() never throws.
      if (normalized === undefined) return { state: 'unknown', code: 'INVALID_HOSTNAME' };
      const wanted = probeOptions?.timeoutMs;
      return probeTenant({
        dispatcher,
        tenantBaseUrl: expandUrlTemplate(options.tenantUrlTemplate, 'hostname', normalized),
        timeoutMs:
          wanted !== undefined && Number.isFinite(wanted)
            ? Math.max(1, Math.min(timeoutMs, Math.ceil(wanted)))
            : timeoutMs,
        onStatus: report('probe'),
        signal,
      });
    },

    tokenRequests: () => tokenRequestCount,

    async close() {
      await ownAgent?.close();
    },
  };
}
