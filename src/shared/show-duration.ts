/** Durations in messages: pure, so that the worker configuration and the workflow (its Web UI details) share it. */

/** A duration in the unit that shows it exactly (`1s`, `5m`, `7d`, `12500ms`). */
export function showDuration(valueMs: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (valueMs >= size && valueMs % size === 0) return `${valueMs / size}${unit}`;
  }
  return `${valueMs}ms`;
}
