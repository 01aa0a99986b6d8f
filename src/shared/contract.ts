/**
 * The names and shapes that other systems depend on (CONTRACT.md). Workflow-safe: no I/O, no Node built-ins.
 * Fields may be added to the status and the result; anything else here is breaking.
 */

/** Default task queue of the workflows (env `TEMPORAL_TASK_QUEUE` overrides). */
export const DEFAULT_TASK_QUEUE = 'tenant-offboarding';
/** Workflow type name registered by the worker. */
export const WORKFLOW_TYPE = 'offboardTenant';

const WORKFLOW_ID_PREFIX = 'offboard-tenant-';
const DRY_RUN_SUFFIX = '-dry-run';

/**
 * Memo key that marks a start as an explicit restart after a Completed run (the CLI's `--restart`, the library's
 * `restart: true`): the value `true`. The workflow refuses to start after a Completed run without it, whatever ID
 * reuse policy the caller passed (an HTTP caller that passes none gets the server's ALLOW_DUPLICATE).
 */
export const RESTART_MEMO_KEY = 'restart';

/** The only workflow ID under which an offboarding of `tenantId` may run. */
export function workflowIdFor(tenantId: string, dryRun = false): string {
  return `${WORKFLOW_ID_PREFIX}${tenantId}${dryRun ? DRY_RUN_SUFFIX : ''}`;
}

/** A Qlik tenant ID (the input's `tenantId`). */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A Qlik region code: lower-case letters only (`us`, `eu`, `ap`, …), in the input, the config and the queue names. */
export const REGION_PATTERN = /^[a-z]{1,16}$/;
/**
 * An ISO-8601 date-time with a zone, seconds optional: `notBefore`, and the CLI's date flags. Its groups (year,
 * month, day, hour, minute, second, offset sign, hours, minutes) let a caller check the calendar date.
 */
export const ISO_DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** True for a lower-case region code. */
export function isRegionCode(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/**
 * True when `hostname` (lower-case) is a DNS name: dot-separated labels, no scheme, port, path or trailing dot, and
 * not an IP address. The tenant's `hostname`, and the only names the Qlik client puts into a tenant URL.
 */
export function isDnsName(hostname: string): boolean {
  if (hostname.length > 253) return false;
  const labels = hostname.split('.');
  return labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
}

/** The input of `offboardTenant`: one JSON object (CONTRACT.md, "Input"). */
export interface OffboardingInput {
  tenantId: string;
  hostname: string;
  region: string;
  purgeAfterDays?: number;
  notBefore?: string;
  requestedBy?: string;
  reason?: string;
  dryRun?: boolean;
}

/** Every field of {@link OffboardingInput}, in the contract's order. */
export const INPUT_FIELDS: ReadonlyArray<keyof OffboardingInput> = [
  'tenantId',
  'hostname',
  'region',
  'purgeAfterDays',
  'notBefore',
  'requestedBy',
  'reason',
  'dryRun',
];

/** The one optional argument of the `cancel`/`reactivate` signals and their Updates. */
export interface MessageArgs {
  reason?: string;
  requestedBy?: string;
}

/** (v3, "[4 of 4]") The argument of the `extendGracePeriod` Update. */
export interface ExtendGracePeriodArgs {
  purgeAfterDays: number;
  reason?: string;
  requestedBy?: string;
}

/** (v3, "[4 of 4]") One grace-period extension, as the status records it. */
export interface GraceExtension {
  at: string;
  requestedBy?: string;
  reason?: string;
  purgeAfterDays: number;
  /** `requested` until the repeat deactivate has ended: `applied` when Qlik answered it, `refused` otherwise. */
  state: 'requested' | 'applied' | 'refused';
  previousPurgeDate: string;
  /** The purge date after the extension (Qlik's answer, or computed), once applied. */
  estimatedPurgeDate?: string;
  /** Why it was refused, or what else to know (an earlier date than asked; withdrawn by a decision). */
  note?: string;
}

/**
 * The argument of the `approveOffboarding` Update (v3, "[4 of 4]"): who approves, for the audit trail. Who may send
 * the Update at all is Temporal's access control (namespace permissions, API keys, mTLS identities), not this field.
 */
export interface ApprovalArgs {
  approvedBy: string;
  reason?: string;
}

/** A recorded approval (status field `approval`). */
export interface Approval {
  approvedBy: string;
  at: string;
  reason?: string;
}

export const PHASES = [
  'scheduled',
  'validating',
  /** (v3, "[4 of 4]") waits for an approval by someone other than the requester (`OFFBOARD_APPROVAL=required`). */
  'awaiting-approval',
  'deactivating',
  'verifying',
  'grace-period',
  'confirming-purge',
  'reactivating',
  'reporting',
  'completed',
  'failed',
] as const;
export type Phase = (typeof PHASES)[number];

export const OUTCOMES = [
  'purged',
  'cancelled',
  'reactivated',
  'reactivated-externally',
  'purge-overdue',
  'dry-run-ok',
  /** (v3, "[4 of 4]") approval was required and did not come within `OFFBOARD_APPROVAL_TIMEOUT`; nothing was called. */
  'approval-expired',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The `type` of every failure that ends a run as Failed: one list, in src/shared/failure-types.ts. */
export type { FinalFailureType as FailureType } from './failure-types';

/** Which message made the decision to stop the offboarding. */
export type DecisionMessage = 'cancel' | 'reactivate' | 'cancellation';

export interface Decision {
  message: DecisionMessage;
  at: string;
  requestedBy?: string;
  reason?: string;
}

/** The last error met; `type` is a {@link FailureType} or a transient/warning type such as `DeactivationNotObserved`. */
export interface LastError {
  type: string;
  message: string;
  httpStatus?: number;
  code?: string;
  traceId?: string;
  at: string;
}

export interface IgnoredSignal {
  message: DecisionMessage;
  at: string;
  requestedBy?: string;
  reason?: string;
  why: string;
}

/**
 * ("[4 of 4]") What the grace-period probes (`OFFBOARD_GRACE_PROBE_INTERVAL`) know. Carried across continue-as-new
 * with the rest of the status, so that a run resumed in its grace period keeps its schedule and the "active" answer
 * that still waits for its confirmation.
 */
export interface GraceProbeStatus {
  /** The interval the run recorded in its settings at its start. */
  intervalMs: number;
  /** When the next probe is due; absent once the grace period is over. */
  nextAt?: string;
  /** Probes sent so far in this offboarding (every run of the chain). */
  probes: number;
  /** The last answer: when it came, and what it said (`unknown` for a 5xx, a timeout, a reset). */
  last?: { at: string; state: 'active' | 'deactivated' | 'purged' | 'unknown'; httpStatus?: number; code?: string };
  /**
   * The first of the "active" answers in a row (answers that say nothing, `unknown`, do not break the row): a second
   * one at least `intervalMs` later means the tenant was reactivated out of band.
   */
  activeSince?: string;
  /** The first of the "purged" answers in a row: a second one a probe interval later confirms the purge. */
  purgedSince?: string;
}

/** The answer of the `status` query, and (with `phase: 'completed'`) the workflow result. */
export interface OffboardingStatus {
  tenantId: string;
  hostname: string;
  region: string;
  purgeAfterDays?: number;
  notBefore?: string;
  dryRun: boolean;
  requestedBy?: string;
  reason?: string;
  phase: Phase;
  phaseSince: string;
  outcome?: Outcome;
  decidedBy?: Decision;
  deactivatedAt?: string;
  estimatedPurgeDate?: string;
  purgeDateSource?: 'qlik' | 'computed';
  deactivationConfirmedAt?: string;
  reactivatedAt?: string;
  purgeConfirmedAt?: string;
  lastError?: LastError;
  ignoredSignals: IgnoredSignal[];
  /**
   * (v3) `ignoredSignals` keeps the first 10 and the last 10 messages that were not acted on; this counts the ones
   * left out between them (absent while none was).
   */
  ignoredSignalsOmitted?: number;
  /**
   * (v3, "[3 of 4]") Deactivate attempts that started, each of which may have reached Qlik; absent while none did.
   * Until then a decision withdraws the queued deactivate with no call at all.
   */
  deactivateAttemptsStarted?: number;
  /** (v3, "[4 of 4]") Grace-period extensions: the first 10 and the last 10 (`extensionsOmitted` counts the rest). */
  extensions?: GraceExtension[];
  extensionsOmitted?: number;
  /** (v3, "[4 of 4]") The approval of the offboarding, once one was accepted (`OFFBOARD_APPROVAL=required`). */
  approval?: Approval;
  /** ("[4 of 4]") The grace-period probes: absent when they are off for this run (or it has not reached them). */
  graceProbes?: GraceProbeStatus;
  /**
   * ("[4 of 4]") When a grace-period extension's repeat deactivate that may have reached Qlik ended, while the tenant
   * has not been seen answering "deactivated" since. It is a deactivate like the first: until the tenant is seen so,
   * "active" answers count neither for the grace probes (they only warn) nor for a reactivation (not before
   * `OFFBOARD_VERIFY_TIMEOUT` from then), since the host may be slow to show it.
   */
  redeactivationUnseenSince?: string;
}

/** The workflow result: the final status. */
export type OffboardingResult = OffboardingStatus & { phase: 'completed'; outcome: Outcome };

/** Names of the messages (signals, Updates, query). */
export const MESSAGE_NAMES = {
  cancelSignal: 'cancel',
  reactivateSignal: 'reactivate',
  cancelUpdate: 'cancelOffboarding',
  reactivateUpdate: 'reactivateTenant',
  approveUpdate: 'approveOffboarding',
  statusQuery: 'status',
  extendUpdate: 'extendGracePeriod',
} as const;

/** The contract's fixed set of search attributes, with their types. */
export const SEARCH_ATTRIBUTE_TYPES = {
  QlikTenantId: 'Keyword',
  QlikTenantHostname: 'Keyword',
  QlikRegion: 'Keyword',
  QlikRequestedBy: 'Keyword',
  OffboardingPhase: 'Keyword',
  OffboardingPhaseSince: 'Datetime',
  OffboardingOutcome: 'Keyword',
  EstimatedPurgeDate: 'Datetime',
} as const;
export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTE_TYPES;

/** Qlik's default grace period when `purgeAfterDays` is not sent. */
export const QLIK_DEFAULT_PURGE_AFTER_DAYS = 30;
