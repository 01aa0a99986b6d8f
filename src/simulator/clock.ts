/**
 * Time as the simulator sees it. All of its decisions (token expiry, purge dates, rate-limit windows)
 * read an injectable clock, so tests can jump past a purge date without waiting for it.
 */

/** Returns the current time in epoch ms. */
export type Clock = () => number;

/** A clock that only moves when told to: for tests that step through a grace period. */
export interface ManualClock {
  /** The clock function to pass as `now`. */
  readonly now: Clock;
  /** Moves the clock forward by `ms` (may be 0, never negative). */
  advance(ms: number): void;
  /** Sets the clock to an absolute epoch-ms value. */
  set(epochMs: number): void;
}

/** Makes a manual clock starting at `startMs` (default: the current real time). */
export function createManualClock(startMs: number = Date.now()): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance(ms: number) {
      if (!(ms >= 0)) throw new RangeError('a manual clock only moves forward');
      current += ms;
    },
    set(epochMs: number) {
      current = epochMs;
    },
  };
}
