/**
 * A small seeded pseudo-random generator, so that a fault scenario and its trace IDs replay exactly
 * for the same seed (Math.random cannot be seeded).
 */

/** Returns numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: fast, 32-bit state, good enough to spread faults; not for secrets. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Qlik-style trace ID: 32 lower-case hex digits. */
export function traceIdFrom(random: Random): string {
  let id = '';
  for (let i = 0; i < 4; i++) {
    id += Math.floor(random() * 4294967296)
      .toString(16)
      .padStart(8, '0');
  }
  return id;
}
