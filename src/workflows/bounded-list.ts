/**
 * Lists in the status that messages could grow without limit during a 90-day run (ignored signals, grace-period
 * extensions): the status is the query answer, the result, the report's input and a failure's details, so it must
 * stay far below Temporal's payload limit whatever arrives. Such a list keeps its first entries (how it began) and
 * its last (what happened lately); the middle is only counted. Pure and workflow-safe.
 */

/** How many entries a bounded list keeps from its start and from its end. */
export interface Bound {
  head: number;
  tail: number;
}

/** The contract's bound (v3): the first 10 and the last 10 entries. */
export const FIRST_AND_LAST_TEN: Bound = { head: 10, tail: 10 };

/**
 * Appends `entry` to `list` in place, then drops the oldest entries after the first `bound.head` until at most
 * `head + tail` remain. Returns how many entries were dropped, to be added to the list's count of omitted entries.
 */
export function appendBounded<T>(list: T[], entry: T, bound: Bound = FIRST_AND_LAST_TEN): number {
  list.push(entry);
  const excess = list.length - (bound.head + bound.tail);
  if (excess <= 0) return 0;
  list.splice(bound.head, excess);
  return excess;
}
