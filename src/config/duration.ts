import ms from 'ms';

/** Parses a duration in the `ms` format (`500ms`, `5s`, `1h`, `14d`); undefined when malformed or not positive. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  // A bare number would be read as milliseconds by `ms`; the contract always names a unit.
  if (!/^\d+(\.\d+)?\s*[a-z]+$/i.test(trimmed)) return undefined;
  const value = ms(trimmed as ms.StringValue) as number | undefined;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
