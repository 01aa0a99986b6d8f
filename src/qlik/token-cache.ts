/**
 * The process-wide cache of region access tokens. The token endpoint shares Qlik's tier-2 budget (100/min) with
 * deactivate and reactivate, so each region+client gets at most one token request per token lifetime, shared by all
 * concurrent callers.
 */
import { abortReason, DEFAULT_RETRY_AFTER_MS } from '../http';
import type { AccessToken } from './token-request';
import { QlikError, type RegionCredentials } from './types';

export interface TokenCacheOptions {
  credentials: (region: string) => RegionCredentials | undefined;
  /** Performs the token HTTP request; called at most once at a time per region+client. */
  fetchToken: (region: string, credentials: RegionCredentials) => Promise<AccessToken>;
  now: () => number;
  /** How long before expiry a token is replaced (capped at half its lifetime). */
  refreshBeforeExpiryMs: number;
}

/** A token handed to a caller, with the secret it was obtained with (for redaction). */
export interface LeasedToken extends AccessToken {
  key: string;
  clientSecret: string;
}

interface Entry {
  token?: AccessToken;
  inFlight?: Promise<AccessToken>;
  /** After a 429: no new token request before this time (epoch ms); callers are told to wait instead. */
  blockedUntilMs?: number;
}

/** Resolves `promise`, or rejects with the abort reason as soon as `signal` aborts (the promise runs on). */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Region tokens: cached until shortly before expiry, one shared in-flight request, failures never cached. */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: TokenCacheOptions) {}

  /** A valid token for `region`; throws `RegionNotConfigured` when the worker has no client for it. */
  async get(region: string, signal?: AbortSignal): Promise<LeasedToken> {
    const credentials = this.options.credentials(region);
    if (!credentials || !credentials.clientId || !credentials.clientSecret) {
      throw new QlikError('RegionNotConfigured', `No Qlik OAuth client is configured for region ${region}`);
    }
    const key = `${region}\u0000${credentials.clientId}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {};
      this.entries.set(key, entry);
    }
    if (entry.token && !this.needsRefresh(entry.token)) return this.lease(key, credentials, entry.token);

    const blockedForMs = (entry.blockedUntilMs ?? 0) - this.options.now();
    if (!entry.inFlight && blockedForMs > 0) {
      // Qlik said when to come back: asking again earlier would only earn another 429.
      if (entry.token && this.options.now() < entry.token.expiresAtMs) return this.lease(key, credentials, entry.token);
      throw new QlikError(
        'RateLimited',
        `Qlik token request (region ${region}) rate-limited: retry after ${blockedForMs} ms`,
        {
          httpStatus: 429,
          retryAfterMs: blockedForMs,
        },
      );
    }
    // The shared request runs without any one caller's signal: one caller giving up must not fail the others.
    entry.inFlight ??= this.startFetch(entry, region, credentials);
    const previous = entry.token;
    try {
      return this.lease(key, credentials, await untilAborted(entry.inFlight, signal));
    } catch (err) {
      // A failed early refresh must not stop calls while the old token is still good.
      if (err instanceof QlikError && err.retryable && previous && this.options.now() < previous.expiresAtMs) {
        return this.lease(key, credentials, previous);
      }
      throw err;
    }
  }

  /** Forgets `token` after Qlik refused it (401); a no-op when the cache already holds a newer one. */
  invalidate(token: LeasedToken): void {
    const entry = this.entries.get(token.key);
    if (entry?.token?.accessToken === token.accessToken) entry.token = undefined;
  }

  private startFetch(entry: Entry, region: string, credentials: RegionCredentials): Promise<AccessToken> {
    const inFlight = this.options.fetchToken(region, credentials).then(
      (token) => {
        entry.token = token;
        entry.inFlight = undefined;
        return token;
      },
      (err: unknown) => {
        entry.inFlight = undefined;
        if (err instanceof QlikError && err.kind === 'RateLimited') {
          entry.blockedUntilMs = this.options.now() + (err.details.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
        }
        throw err;
      },
    );
    // Every waiter may have aborted; the rejection is still observed through them when they have not.
    inFlight.catch(() => undefined);
    return inFlight;
  }

  private needsRefresh(token: AccessToken): boolean {
    const lifetime = token.expiresAtMs - token.obtainedAtMs;
    const margin = Math.min(this.options.refreshBeforeExpiryMs, lifetime / 2);
    return this.options.now() >= token.expiresAtMs - margin;
  }

  private lease(key: string, credentials: RegionCredentials, token: AccessToken): LeasedToken {
    return { ...token, key, clientSecret: credentials.clientSecret };
  }
}
