/**
 * The HTTP side of getting a region's access token (QLIK-API §1): `POST {register}/oauth/token`.
 */
import type { Dispatcher } from 'undici';
import { postReadingText } from '../http';
import { errorFromResponse, errorFromTransportFailure, type CallContext } from './errors';
import { QlikError } from './types';

/** A region's access token as cached; `accessToken` never leaves the client. */
export interface AccessToken {
  accessToken: string;
  obtainedAtMs: number;
  expiresAtMs: number;
}

export interface TokenRequest {
  dispatcher: Dispatcher;
  registerBaseUrl: string;
  region: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  now: () => number;
  onStatus?: (status: number | 'network-error') => void;
  signal?: AbortSignal;
}

// Used when an answer states no usable expiry; a 401 makes the client refresh anyway.
const ASSUMED_LIFETIME_MS = 60 * 60_000;
// A clock far ahead of Qlik's (or an `expires_at` in the past) must not turn into a token request per call.
const MIN_LIFETIME_MS = 60_000;

/** When a token answer says it expires: `expires_in` (seconds) first, then `expires_at`. */
export function tokenExpiry(body: Record<string, unknown>, now: number): number {
  const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  let lifetime = ASSUMED_LIFETIME_MS;
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0) {
    lifetime = expiresIn * 1000;
  } else if (typeof body.expires_at === 'string' && Number.isFinite(Date.parse(body.expires_at))) {
    lifetime = Date.parse(body.expires_at) - now;
  }
  return now + Math.max(lifetime, MIN_LIFETIME_MS);
}

/** Requests a token; throws {@link QlikError} (`InvalidCredentials` on 400/401/403) on failure. */
export async function requestToken(req: TokenRequest): Promise<AccessToken> {
  const ctx: CallContext = { call: 'token', region: req.region, secrets: [req.clientSecret] };
  let answer;
  try {
    answer = await postReadingText({
      dispatcher: req.dispatcher,
      url: `${req.registerBaseUrl}/oauth/token`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        client_id: req.clientId,
        client_secret: req.clientSecret,
        grant_type: 'client_credentials',
      }),
      timeoutMs: req.timeoutMs,
      signal: req.signal,
    });
  } catch (err) {
    if (req.signal?.aborted) throw err;
    req.onStatus?.('network-error');
    throw errorFromTransportFailure(ctx, err);
  }
  req.onStatus?.(answer.status);
  if (answer.status < 200 || answer.status >= 300) throw errorFromResponse(ctx, answer, req.now());

  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(answer.text);
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Handled below: no access_token.
  }
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new QlikError(
      'Transient',
      `Qlik token request (region ${req.region}) failed: HTTP ${answer.status} without an access_token`,
      {
        httpStatus: answer.status,
      },
    );
  }
  const now = req.now();
  return { accessToken: body.access_token, obtainedAtMs: now, expiresAtMs: tokenExpiry(body, now) };
}
