/**
 * Every path through `offboardTenant` that a recorded history must cover: scripts/record-histories.ts records one
 * history per path into test/histories/, and test/workflows/replay.test.ts fails when a path has none. Add a path
 * here when the workflow gains one; the type checker then asks the recording script for a way to drive it.
 */
export const REPLAY_PATHS = {
  purged: 'deactivated, grace period, purge confirmed by two "purged" answers',
  'purged-computed-date': "Qlik's deactivate answer lacks estimatedPurgeDate: the date is computed",
  'purged-after-lost-deactivate': 'the first deactivate answer is lost; the retry resets the countdown',
  'purged-deactivation-not-observed': 'the tenant host never answers "deactivated" before the verify timeout',
  'purged-after-not-before': 'waits in `scheduled` until notBefore, then offboards',
  'cancelled-signal-with-start': 'cancel delivered with the start: no call at all',
  'cancelled-scheduled': 'cancel while waiting for notBefore',
  'cancelled-deactivating': 'cancel while the deactivate call is in flight: the call finishes, then reactivation',
  'cancelled-verifying': 'cancel while probing for the deactivation',
  'cancelled-grace-period': 'cancel signal during the grace period',
  'cancelled-grace-period-update': 'cancelOffboarding Update during the grace period',
  'cancellation-request-grace-period': 'Temporal cancellation request during the grace period: reactivated, Canceled',
  'cancellation-request-confirming-purge': 'Temporal cancellation request after the purge date: Canceled, no call',
  'signal-ignored-after-purge-date': 'cancel after the purge date: recorded as ignored; purged',
  reactivated: 'reactivate signal during the grace period',
  'reactivated-update': 'reactivateTenant Update during the grace period',
  'reactivated-lost-answer-probe': 'the reactivate answer is lost, the retry refused (400): the probe sees it active',
  'reactivated-externally': 'reactivated out of band during the grace period',
  'purge-overdue': 'still deactivated OFFBOARD_PURGE_OVERDUE_AFTER past the purge date',
  'dry-run-ok': 'dry run: checks only',
  'failed-dry-run-tenant-not-found': 'dry run of a hostname that maps to no tenant',
  'failed-invalid-input': 'input breaks a rule',
  'failed-invalid-workflow-id': 'valid input under the wrong workflow ID',
  'failed-protected-tenant': 'tenant on the protected list',
  'failed-region-not-configured': 'no worker serves the region',
  'failed-invalid-credentials': 'the token endpoint refuses the client (401)',
  'failed-forbidden': 'deactivate answers 403',
  'failed-tenant-not-found': 'deactivate answers 404',
  'failed-hostname-mismatch': 'deactivate answers 412',
  'failed-request-rejected': 'deactivate answers with a redirect (never followed)',
  'failed-reactivation-failed': 'reactivate keeps failing until the purge date',
  'purged-with-reports': 'with a report webhook: the "deactivated" event and the final report',
  'reactivated-with-reports': 'with a report webhook: "deactivated", "reactivated" and the final report',
  'failed-tenant-not-found-with-reports': 'with a report webhook: the final report of a failed run',
  // Contract v3 ("[1 of 4] Hardening"):
  'purged-after-lost-deactivate-refused-repeat':
    'the first deactivate answer is lost, the repeat refused (409), the host lags: probed until "deactivated"',
  'reactivated-after-refusal-during-propagation':
    'decided while deactivating; the first reactivate refused while the host still answers "active": retried',
  'reactivated-despite-cancellation-request': 'a cancellation request after the decision is ignored: reactivated',
  'purged-implausible-purge-date': "Qlik's estimatedPurgeDate is 1970: computed instead, ImplausiblePurgeDate warning",
  'failed-dry-run-credentials-not-verified': 'dry run while the token endpoint stays down: CredentialsNotVerified',
  'continued-as-new': 'a storm of ignored signals after the purge date: the run continues as new',
  'resumed-after-continue-as-new': 'the run that a continue-as-new started: resumes confirming the purge',
  // "[2 of 4] Structure" rewrote resuming by phase:
  'resumed-while-reactivating':
    'cancelled in the grace period, reactivate refused, a signal storm: continues as new, resumes the rounds',
  // "[3 of 4] Operations at scale" (rulesRevision 2: one deactivate attempt per activity):
  'withdrawn-deactivating': 'cancel while the deactivate waits on the rate-limited queue: withdrawn, no call',
  'withdrawn-deactivating-cancellation-request':
    'Temporal cancellation request while the deactivate waits on the queue: withdrawn, no call, Canceled',
  'cancelled-between-deactivate-attempts':
    'cancel after a 503 attempt, before the retry: the host stays "active" for the verify timeout: no reactivation',
  'held-deactivating': 'an emergency stop holds the deactivate back (DeactivationHeld); resumed; purged',
  // "[4 of 4] Grace-period controls":
  'grace-extended': 'extendGracePeriod applied: the purge date moves; purged at the new date',
  'grace-extension-refused': 'extendGracePeriod refused (403): the date stands; purged',
  'grace-extension-gave-up-at-purge-date':
    "the extension's repeat deactivate is still queued at the purge date: it gives up there, unsent; purged",
  'grace-extension-withdrawn':
    "cancel while the extension's repeat deactivate waits on the queue: withdrawn; reactivated",
  // "[4 of 4] Grace-period controls", four-eyes approval (OFFBOARD_APPROVAL=required):
  approved: 'waits in awaiting-approval, approved by someone other than the requester, then offboarded: purged',
  'approved-while-scheduled': 'approved while waiting for notBefore: deactivates at notBefore without waiting again',
  'approval-expired': 'not approved within OFFBOARD_APPROVAL_TIMEOUT: approval-expired, no tenant call',
  'cancelled-awaiting-approval': 'cancel while awaiting approval: cancelled, no tenant call',
  'failed-approval-without-requester': 'no requestedBy while approval is required: InvalidInput before any call',
  'continued-as-new-awaiting-approval': 'the history grows while awaiting approval: the run continues as new',
  'resumed-awaiting-approval': 'the run that a continue-as-new started: awaits approval to its deadline, is approved',
  // "[4 of 4] Grace-period controls", grace probes (OFFBOARD_GRACE_PROBE_INTERVAL):
  'reactivated-externally-grace-probe':
    'seen deactivated, then reactivated out of band: two "active" grace probes end the run before the purge date',
  'grace-probe-unconfirmed-active':
    'the host never shows the deactivation: "active" grace probes only warn (ReactivatedExternallyUnconfirmed); purged',
  'grace-extended-grace-probe':
    'extendGracePeriod while the grace probes run: the probe watch sends it, the purge date moves; purged at it',
  'purged-early-grace-probe': 'purged out of band during the grace period: two "purged" grace probes end the run',
  'grace-probe-resumed-after-continue-as-new':
    'grace probes grow the history past its bound: the run continues as new and resumes probing on its schedule',
} as const;

export type ReplayPath = keyof typeof REPLAY_PATHS;

/** What the manifest records about each history file (test/histories/manifest.json). */
export interface ManifestEntry {
  path: ReplayPath;
  workflowId: string;
  /** How the run ended when recorded: an outcome, `failed <type>`, or `canceled`. */
  ended: string;
  events: number;
  recordedAt: string;
  /** SHA-256 of the file as written: the replay test refuses a history that was rewritten. */
  sha256: string;
}

export type Manifest = Record<string, ManifestEntry>;
