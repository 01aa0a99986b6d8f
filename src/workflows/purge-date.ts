/**
 * Whether Qlik's `estimatedPurgeDate` can be trusted (contract v3): a sentinel such as 1970, a date in the past, a
 * date without a time or one centuries ahead would make every decision "too late" or the run sleep for ever, so
 * the date is adopted only 9 to 91 days after the deactivate answer. Pure and workflow-safe.
 */

/**
 * Stricter than the contract's ISO_DATE_TIME_PATTERN on purpose (seconds required, as Qlik writes it:
 * `2026-12-30T14:01:22.000Z`): the check that decides the grace period of v3 runs must not change under them.
 */
const QLIK_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
export const PLAUSIBLE_PURGE_DAYS = { min: 9, max: 91 } as const;

/** Why `date` is not a plausible purge date for a deactivate answered at `answeredAtMs`, or undefined if it is. */
export function implausiblePurgeDate(date: string, answeredAtMs: number, dayMs: number): string | undefined {
  const at = Date.parse(date);
  if (!QLIK_DATE_TIME.test(date) || Number.isNaN(at))
    return `Qlik's estimatedPurgeDate "${shorten(date)}" is not a date-time`;
  const days = (at - answeredAtMs) / dayMs;
  if (days < PLAUSIBLE_PURGE_DAYS.min || days > PLAUSIBLE_PURGE_DAYS.max) {
    return (
      `Qlik's estimatedPurgeDate ${date} is ${days.toFixed(1)} days after the deactivate answer, outside ` +
      `${PLAUSIBLE_PURGE_DAYS.min}-${PLAUSIBLE_PURGE_DAYS.max} days`
    );
  }
  return undefined;
}

function shorten(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
