/**
 * Defaults of the behaviour options and how a patch is merged into the settings in force.
 */
import type { SimulatorBehaviour, SimulatorSettings } from './types';

/** Qlik's real behaviour, as far as the documentation tells it. */
export const DEFAULT_SETTINGS: Readonly<SimulatorSettings> = {
  dayMs: 86_400_000,
  seed: 1,
  tokenLifetimeMs: 21_600_000,
  omitExpiresIn: false,
  purgeLagMs: 0,
  propagationDelayMs: 0,
  deactivatedCode: 'TENANT_DEACTIVATED',
  purgedAnswer: 'LOGIN-2',
  omitPurgeDate: false,
  reactivateAnswer: 'status',
  reactivateWhenActive: 'ok',
  tier1PerMinute: 1000,
  tier2PerMinute: 100,
  rateWindowMs: 300_000,
  requestLogLimit: 100_000,
};

/**
 * Merges a validated patch into `settings` (in place). An infinite rate limit is stored as 0 ("off") so
 * that the settings survive a JSON round trip through the control API.
 */
export function applyBehaviour(settings: SimulatorSettings, patch: SimulatorBehaviour): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || key === 'now') continue;
    (settings as Record<string, unknown>)[key] = value === Infinity ? 0 : value;
  }
}
