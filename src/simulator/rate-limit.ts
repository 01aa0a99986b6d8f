/**
 * Qlik's per-client rate limits: a sliding window over which Tier 1 and Tier 2 requests are counted
 * separately. Qlik states the limits per minute but applies them over 5 minutes, so the number allowed
 * in a window is perMinute × windowMs / 60 000 (a burst of 500 Tier 2 calls passes, the 501st waits).
 */

/** Tier 1: most GETs. Tier 2: token, deactivate, reactivate. */
export type RateTier = 1 | 2;

/** The limits in force, read on every check so `configure` takes effect at once. */
export interface RateLimits {
  tier1PerMinute: number;
  tier2PerMinute: number;
  rateWindowMs: number;
}

/** Over the limit: wait this many whole seconds before the next call can pass. */
export interface RateLimited {
  retryAfterS: number;
}

/** Sliding-window counters, one per client and tier. */
export class RateLimiter {
  /** Accepted requests' times, oldest first, per `client|tier`. */
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly limits: () => RateLimits) {}

  /** Counts the request if it fits in the window; otherwise says how long to wait. Refused requests are not counted. */
  take(clientId: string, tier: RateTier, now: number): RateLimited | undefined {
    const { tier1PerMinute, tier2PerMinute, rateWindowMs } = this.limits();
    const perMinute = tier === 1 ? tier1PerMinute : tier2PerMinute;
    if (perMinute === 0 || perMinute === Infinity) return undefined;
    const allowed = Math.max(1, Math.floor((perMinute * rateWindowMs) / 60_000));

    const key = `${clientId}|${tier}`;
    const times = this.windows.get(key) ?? [];
    const windowStart = now - rateWindowMs;
    let expired = 0;
    while (expired < times.length && times[expired] <= windowStart) expired++;
    if (expired > 0) times.splice(0, expired);

    if (times.length >= allowed) {
      // A slot frees when the oldest counted request leaves the window.
      const freeAt = times[times.length - allowed] + rateWindowMs;
      return { retryAfterS: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
    }
    times.push(now);
    this.windows.set(key, times);
    return undefined;
  }
}
