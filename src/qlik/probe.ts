/**
 * The tenant probe (QLIK-API §5): what the tenant's own token endpoint answers a caller with no valid client tells us
 * about the tenant. The probe never carries real credentials: a region client's secret never goes to a tenant host.
 */
import type { Dispatcher } from 'undici';
import { abortReason, networkErrorCode, parseRetryAfter, postReadingText } from '../http';
import { parseQlikErrorBody } from './errors';
import type { ProbeAnswer, ProbeState } from './types';

/** The probe's request body: a client that does not exist and an empty secret. */
export const PROBE_REQUEST_BODY = Object.freeze({
  client_id: 'qlik-offboard-probe',
  client_secret: '',
  grant_type: 'client_credentials',
});

/** What a probe got back: an HTTP status and body, or a network error code. */
export interface ProbeObservation {
  httpStatus?: number;
  /** The response body: raw text or already-parsed JSON. */
  body?: unknown;
  networkErrorCode?: string;
}

const DEACTIVATED_CODES = new Set(['TENANT_DEACTIVATED', 'TENANT_DISABLED']);
// RFC 6749 §5.2 error codes: the token endpoint is alive and judging the (fake) client.
const OAUTH_ERROR_CODES = new Set([
  'invalid_client',
  'invalid_request',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

const isOAuthClientError = (code: string | undefined): boolean =>
  code !== undefined && (/^OAUTH-/i.test(code) || OAUTH_ERROR_CODES.has(code));

/**
 * Classifies one probe answer exactly as QLIK-API §5 says; anything not listed there — including connection refused,
 * a redirect, or a 401 with an unknown code — is `unknown` (try again), never `purged`.
 */
export function classifyProbe(observation: ProbeObservation): ProbeAnswer {
  const { httpStatus, networkErrorCode: netCode } = observation;
  if (httpStatus === undefined) {
    // Only a name that no longer resolves means purged; EAI_AGAIN is a resolver hiccup.
    return { state: netCode === 'ENOTFOUND' ? 'purged' : 'unknown', ...(netCode ? { code: netCode } : {}) };
  }
  const { code, traceId } = parseQlikErrorBody(observation.body);
  const answer = (state: ProbeState): ProbeAnswer => ({
    state,
    httpStatus,
    ...(code !== undefined ? { code } : {}),
    ...(traceId !== undefined ? { traceId } : {}),
  });
  if (httpStatus === 200) return answer('active');
  if (httpStatus === 404) return answer('purged');
  if (httpStatus === 401 && code !== undefined && DEACTIVATED_CODES.has(code)) return answer('deactivated');
  if (httpStatus === 401 && code === 'LOGIN-2') return answer('purged');
  if ((httpStatus === 400 || httpStatus === 401) && isOAuthClientError(code)) return answer('active');
  return answer('unknown');
}

export interface ProbeRequest {
  dispatcher: Dispatcher;
  tenantBaseUrl: string;
  timeoutMs: number;
  onStatus?: (status: number | 'network-error') => void;
  signal?: AbortSignal;
}

/** Probes a tenant host once. Never throws, except the caller's abort reason when `signal` aborts. */
export async function probeTenant(req: ProbeRequest): Promise<ProbeAnswer> {
  try {
    const answer = await postReadingText({
      dispatcher: req.dispatcher,
      url: `${req.tenantBaseUrl}/oauth/token`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(PROBE_REQUEST_BODY),
      timeoutMs: req.timeoutMs,
      signal: req.signal,
    });
    req.onStatus?.(answer.status);
    const classified = classifyProbe({ httpStatus: answer.status, body: answer.text });
    // A busy tenant host says when to come back; the probe loops wait at least that long.
    if (answer.status === 429 || answer.status === 503) {
      return { ...classified, retryAfterMs: parseRetryAfter(answer.headers['retry-after']) };
    }
    return classified;
  } catch (err) {
    if (req.signal?.aborted) throw abortReason(req.signal);
    req.onStatus?.('network-error');
    return classifyProbe({ networkErrorCode: networkErrorCode(err) });
  }
}
