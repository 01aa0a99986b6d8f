/**
 * The one place where Qlik's HTTP answers and transport failures become {@link QlikError}s (CONTRACT.md, QLIK-API §7).
 */
import { networkErrorCode, parseRetryAfter, type HttpTextAnswer } from '../http';
import { QlikError, type QlikErrorKind } from './types';

/** The Qlik calls this client makes; also the `route` label of the metrics hook. */
export type QlikCall = 'token' | 'deactivate' | 'reactivate' | 'probe';

/** What an error message may name about the call that failed. */
export interface CallContext {
  call: QlikCall;
  region?: string;
  tenantId?: string;
  /** Strings that must never appear in a message (client secret, access token): redacted if Qlik echoes them. */
  secrets?: readonly string[];
  /** Set on the retry after a token refresh, so a second 401 says so. */
  afterTokenRefresh?: boolean;
}

/** The first entry of Qlik's standard error body (or of an OAuth `{"error":…}` body), plus the trace ID. */
export interface QlikErrorBody {
  code?: string;
  title?: string;
  detail?: string;
  traceId?: string;
}

const MAX_FIELD_LENGTH = 300;

const asText = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;

/** Parses `{"errors":[{code,title,detail,status}],"traceId"}` or `{"error","error_description"}`; junk gives `{}`. */
export function parseQlikErrorBody(body: unknown): QlikErrorBody {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const o = value as Record<string, unknown>;
  const first: unknown = Array.isArray(o.errors) ? o.errors[0] : undefined;
  const e = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
  const parsed: QlikErrorBody = {
    code: asText(e.code) ?? asText(o.error),
    title: asText(e.title) ?? asText(o.error_description),
    detail: asText(e.detail),
    traceId: asText(o.traceId) ?? asText(e.traceId),
  };
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as QlikErrorBody;
}

// The connection was never made, so the request cannot have been applied.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

const isStateChanging = (call: QlikCall): boolean => call === 'deactivate' || call === 'reactivate';

function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
  return out;
}

// Qlik's fields are shown verbatim in logs and the status: keep them on one line and short.
function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > MAX_FIELD_LENGTH ? `${flat.slice(0, MAX_FIELD_LENGTH)}…` : flat;
}

function describeCall(ctx: CallContext): string {
  const where = [ctx.tenantId ? `tenant ${ctx.tenantId}` : undefined, ctx.region ? `region ${ctx.region}` : undefined]
    .filter(Boolean)
    .join(', ');
  const what = ctx.call === 'token' ? 'token request' : ctx.call;
  return `Qlik ${what}${where ? ` (${where})` : ''}`;
}

function build(
  kind: QlikErrorKind,
  ctx: CallContext,
  why: string,
  facts: string[],
  details: QlikError['details'],
  hint?: string,
) {
  const message =
    `${describeCall(ctx)} failed: ${why}${facts.length > 0 ? `; ${facts.join(', ')}` : ''}` + (hint ? `: ${hint}` : '');
  const clean: QlikError['details'] = {};
  for (const [key, value] of Object.entries(details) as [keyof QlikError['details'], unknown][]) {
    if (value === undefined) continue;
    (clean as Record<string, unknown>)[key] = typeof value === 'string' ? redact(value, ctx.secrets) : value;
  }
  return new QlikError(kind, redact(message, ctx.secrets), clean);
}

// QLIK-API §2 and §8: a 403 from deactivate is an entitlement the client lacks, or, for some (paid) subscriptions,
// deletion that Qlik Support has not enabled yet; either way a person must act, and Support asks for the traceId.
const DEACTIVATE_FORBIDDEN_HINT =
  "the region's OAuth client may lack the multi-tenant entitlement, or deletion must first be enabled for this " +
  'subscription by Qlik Support (quote the traceId)';

function classifyStatus(call: QlikCall, status: number): { kind: QlikErrorKind; why: string; hint?: string } {
  if (status >= 300 && status < 400)
    return { kind: 'RequestRejected', why: 'answered with a redirect (redirects are never followed)' };
  if (status === 429) return { kind: 'RateLimited', why: 'rate limited' };
  if (status >= 500) return { kind: 'Transient', why: 'server error' };
  if (call === 'token') {
    if (status === 400 || status === 401 || status === 403) {
      return { kind: 'InvalidCredentials', why: "the region's OAuth client was refused" };
    }
    return { kind: 'RequestRejected', why: 'request rejected' };
  }
  switch (status) {
    case 400:
      return { kind: 'RequestRejected', why: 'request rejected as invalid' };
    case 401:
      return { kind: 'InvalidCredentials', why: 'access token refused' };
    case 403:
      return {
        kind: 'Forbidden',
        why: 'forbidden',
        hint: call === 'deactivate' ? DEACTIVATE_FORBIDDEN_HINT : undefined,
      };
    case 404:
      return { kind: 'TenantNotFound', why: 'tenant not found' };
    case 412:
      return { kind: 'HostnameMismatch', why: 'qlik-confirm-hostname is not a hostname of the tenant' };
    default:
      return { kind: 'RequestRejected', why: 'request rejected' };
  }
}

/**
 * Maps a non-2xx answer. Callers handle the one token refresh on a 401 first; a 401 reaching here is final.
 * 5xx on a state-changing call sets `outcomeUnknown`: Qlik may have applied it before failing.
 */
export function errorFromResponse(ctx: CallContext, answer: HttpTextAnswer, now: number = Date.now()): QlikError {
  const { status } = answer;
  const parsed = parseQlikErrorBody(answer.text);
  const body = {
    code: clip(parsed.code),
    title: clip(parsed.title),
    detail: clip(parsed.detail),
    traceId: clip(parsed.traceId),
  };
  const { kind, why, hint } = classifyStatus(ctx.call, status);
  const retryAfterHeader = answer.headers['retry-after'];
  const retryAfterMs =
    kind === 'RateLimited' || (kind === 'Transient' && retryAfterHeader !== undefined)
      ? parseRetryAfter(retryAfterHeader, now)
      : undefined;
  const facts = [`HTTP ${status}`];
  if (body.code) facts.push(`code ${body.code}`);
  if (body.title) facts.push(`"${body.title}"`);
  if (body.detail && body.detail !== body.title) facts.push(`detail "${body.detail}"`);
  if (body.traceId) facts.push(`traceId ${body.traceId}`);
  if (retryAfterMs !== undefined) facts.push(`retry after ${retryAfterMs} ms`);
  const refreshed = status === 401 && ctx.afterTokenRefresh ? ' even after one token refresh' : '';
  return build(
    kind,
    ctx,
    why + refreshed,
    facts,
    {
      httpStatus: status,
      code: body.code,
      traceId: body.traceId,
      retryAfterMs,
      outcomeUnknown: kind === 'Transient' && isStateChanging(ctx.call) ? true : undefined,
    },
    hint,
  );
}

/**
 * Maps a failure without an HTTP answer (network error, timeout) to `Transient`; `outcomeUnknown` is set for a
 * state-changing call unless the connection provably never opened (refused, DNS, unreachable). Only a request that
 * undici refuses to build (`UND_ERR_INVALID_ARG`, a bug rather than weather) is `RequestRejected`.
 */
export function errorFromTransportFailure(ctx: CallContext, err: unknown): QlikError {
  const code = networkErrorCode(err);
  if (code === 'UND_ERR_INVALID_ARG') {
    return build('RequestRejected', ctx, 'the request could not be built', [`code ${code}`], { code });
  }
  const timedOut = TIMEOUT_CODES.has(code);
  const notSent = NOT_SENT_CODES.has(code) || TLS_CODE.test(code);
  const why = timedOut ? 'timed out' : notSent ? 'could not connect' : 'connection failed';
  return build('Transient', ctx, why, [`network error ${code}`], {
    code,
    outcomeUnknown: isStateChanging(ctx.call) && !notSent ? true : undefined,
  });
}
