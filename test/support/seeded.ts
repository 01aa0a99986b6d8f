/**
 * Seeded fault plans: the same seed gives the same rules and the same random choices. (Which request meets which
 * fault still depends on arrival order under concurrency, so a run is reproducible in its mix, not request by
 * request.)
 */
import { seededRandom, type Random } from '../../src/simulator/prng';
import type { FaultRule, FaultStep, RouteName } from '../../src/simulator';

export { seededRandom, type Random };

/** The seed of a run: `RELIABILITY_SEED` when set (to replay a failing mix), else `fallback`. */
export function seedFrom(fallback: number): number {
  const text = process.env.RELIABILITY_SEED;
  const value = text === undefined ? NaN : Number(text);
  return Number.isInteger(value) ? value : fallback;
}

/**
 * One scripted rule per route whose first request gets `step`: with a probabilistic rule behind it, this makes sure
 * the fault reaches even a route that sees few requests (the token endpoint, reactivate), so the request log can
 * prove that it fired.
 */
export function firstHits(routes: readonly RouteName[], step: Exclude<FaultStep, 'ok'>): FaultRule[] {
  return routes.map((route) => ({ route, sequence: [step] }));
}
