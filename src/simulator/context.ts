/**
 * What a route handler may use: the state, the settings in force, the clock and the rate limiter.
 * Handlers receive it whole so that they stay plain synchronous functions of (context, request).
 */
import type { RateLimiter } from './rate-limit';
import type { SimState } from './state';
import type { SimulatorSettings } from './types';

/** Shared services of the route handlers. */
export interface RouteContext {
  readonly state: SimState;
  readonly settings: SimulatorSettings;
  readonly limiter: RateLimiter;
  /** The injected clock, read at the moment of handling. */
  now(): number;
  /** A fresh trace ID from the seeded PRNG. */
  traceId(): string;
  /** The simulator's base URL, for the `links` of answers (known only once it listens). */
  baseUrl(): string;
}

/** A request as the handlers see it, after the body was read. */
export interface SimRequest {
  headers: Record<string, string>;
  body: string;
}
