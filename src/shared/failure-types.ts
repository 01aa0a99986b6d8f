/**
 * Every failure `type` the product writes, grouped by what it means (besides `Error`, which `lastError` shows for a
 * failure that carried no type of ours, such as a timeout), each group one typed list (the SDK's
 * `packages/common/src/failure.ts` pattern): a name written anywhere else is a type error, not a new type.
 * Workflow-safe: no I/O, no Node built-ins.
 */

/** The `type` of every failure that ends a run as Failed (and of the non-retryable activity failures behind them). */
export const FinalFailureType = {
  InvalidInput: 'InvalidInput',
  ProtectedTenant: 'ProtectedTenant',
  RegionNotConfigured: 'RegionNotConfigured',
  InvalidCredentials: 'InvalidCredentials',
  Forbidden: 'Forbidden',
  TenantNotFound: 'TenantNotFound',
  HostnameMismatch: 'HostnameMismatch',
  RequestRejected: 'RequestRejected',
  ReactivationFailed: 'ReactivationFailed',
  CredentialsNotVerified: 'CredentialsNotVerified',
} as const;
export type FinalFailureType = (typeof FinalFailureType)[keyof typeof FinalFailureType];

/** Retryable Qlik failures: Temporal retries them (a 429 not before its `retry-after`); `lastError` may show them. */
export const TransientFailureType = {
  Transient: 'Transient',
  RateLimited: 'RateLimited',
} as const;
export type TransientFailureType = (typeof TransientFailureType)[keyof typeof TransientFailureType];

/** Warnings: recorded in `lastError` while the run goes on; never the type of a Failed run. */
export const WarningType = {
  /** The host still answered "active" when `OFFBOARD_VERIFY_TIMEOUT` passed; the grace period begins anyway. */
  DeactivationNotObserved: 'DeactivationNotObserved',
  /** Qlik's `estimatedPurgeDate` lay outside 9–91 days after the answer; the computed date is used (v3). */
  ImplausiblePurgeDate: 'ImplausiblePurgeDate',
  /** A reactivate attempt ended without the tenant answering "active" yet; the next attempt follows (v3). */
  ReactivationPending: 'ReactivationPending',
  /** A stop (`qlik-offboard stop`) holds the not-yet-sent deactivate back until it is resumed ("[3 of 4]"). */
  DeactivationHeld: 'DeactivationHeld',
  /** A grace-period extension was refused, or withdrawn by a decision: the purge date stands ("[4 of 4]"). */
  GraceExtensionNotApplied: 'GraceExtensionNotApplied',
  /** Qlik's answer to an extension moved the purge date earlier than it was: that date now holds ("[4 of 4]"). */
  PurgeDateMovedEarlier: 'PurgeDateMovedEarlier',
  /**
   * ("[4 of 4]") The grace-period probes saw "active" twice, an interval apart, but this offboarding has not seen the
   * tenant answer "deactivated" since its last deactivate (the first, or an extension's): it may be deactivated and
   * slow to show it, so the run goes on to the purge date instead of ending `reactivated-externally`.
   */
  ReactivatedExternallyUnconfirmed: 'ReactivatedExternallyUnconfirmed',
} as const;
export type WarningType = (typeof WarningType)[keyof typeof WarningType];

/**
 * Retryable failures of the emergency-stop check a deactivate makes before it is sent (src/activities/stops.ts): the
 * deactivate is not sent, and the attempt is retried.
 */
export const StopCheckFailureType = {
  /** The stop registry could not be read (the server did not answer, or its memo is malformed). */
  StopRegistryUnreadable: 'StopRegistryUnreadable',
} as const;
export type StopCheckFailureType = (typeof StopCheckFailureType)[keyof typeof StopCheckFailureType];

/** The `type` of every failure `sendLifecycleEvent` throws. Only `WebhookRejected` is non-retryable. */
export const WebhookFailureType = {
  WebhookRejected: 'WebhookRejected',
  WebhookUnavailable: 'WebhookUnavailable',
  WebhookRateLimited: 'WebhookRateLimited',
  WebhookUnreachable: 'WebhookUnreachable',
} as const;
export type WebhookFailureType = (typeof WebhookFailureType)[keyof typeof WebhookFailureType];

/**
 * The stable `code`s of the client library's errors (src/client/errors.ts), which callers branch on; the CLI prints
 * them in `--json` error output, beside its own `Usage` and `Error`.
 */
export const OffboardingErrorCode = {
  InvalidInput: 'InvalidInput',
  ConflictingOffboarding: 'ConflictingOffboarding',
  AlreadyCompleted: 'AlreadyCompleted',
  NoOffboarding: 'NoOffboarding',
  RequestRejected: 'RequestRejected',
  OffboardingEnded: 'OffboardingEnded',
} as const;
export type OffboardingErrorCode = (typeof OffboardingErrorCode)[keyof typeof OffboardingErrorCode];

/**
 * The `code` of a CLI error (`--json`) that is none of the library's {@link OffboardingErrorCode}s: bad flags or
 * arguments, or any other error (a connection failure, a server error).
 */
export const CliErrorCode = {
  Usage: 'Usage',
  Error: 'Error',
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** The `failure.type` of the final report of a run that ends Canceled (a cancellation request made its decision). */
export const CANCELED_FAILURE_TYPE = 'Canceled';

/** What a Qlik call can fail with: a final type, or a retryable one. */
export type QlikFailureType = FinalFailureType | TransientFailureType;

const FINAL_FAILURE_TYPES: ReadonlySet<string> = new Set(Object.values(FinalFailureType));

/** True when `type` is one that ends a run as Failed. */
export function isFinalFailureType(type: unknown): type is FinalFailureType {
  return typeof type === 'string' && FINAL_FAILURE_TYPES.has(type);
}
