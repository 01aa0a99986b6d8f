/**
 * What the workflow and the activities exchange. Type-only for the workflow (it never imports activity code).
 */
import type { OffboardingPolicy } from '../shared/policy';
import type { Stop } from '../shared/stops';
import type { ApprovalPolicy, OffboardingTimings } from '../config/worker-config';
import type { DeactivateAnswer, ProbeAnswer, ProbeState, TenantRef } from '../qlik/types';

export type { ApprovalPolicy, OffboardingTimings, ProbeAnswer, ProbeState, TenantRef };

/** The worker settings a workflow reads once, through a local activity, so that history records them. */
export interface WorkerSettings {
  policy: OffboardingPolicy;
  timings: OffboardingTimings;
  /** Task queue of the rate-limited registration calls of each served region. */
  registerTaskQueues: Record<string, string>;
  /** True when lifecycle events go to a webhook (`REPORT_WEBHOOK_URL`). */
  reportWebhook: boolean;
  /**
   * Lifecycle reports run as local activities. Every worker sets it since they do; runs whose history recorded
   * settings without it (started on an older worker) keep sending remote report activities, so that they replay.
   */
  reportsAsLocalActivities?: true;
  /**
   * The contract rules the run follows: 3 for "Rules added (v3)". Runs whose recorded settings lack it (started on
   * an older worker) keep the behaviour they started with, so that they replay.
   */
  rulesVersion?: 3;
  /**
   * The revision of the v3 rules the run follows, for the rules each later issue adds: 2 for "[3 of 4] Operations
   * at scale" (one deactivate attempt per activity, so that one never sent is withdrawn; registration priorities).
   * Absent: revision 1. Recorded like `rulesVersion`, so that runs already asleep keep what they started with.
   */
  rulesRevision?: 2;
  /** (v3) The run continues as new once its history reaches either bound (or the server suggests it). */
  historyBounds?: { events: number; bytes: number };
  /**
   * ("[4 of 4]") The four-eyes policy the run started with (`OFFBOARD_APPROVAL`, `OFFBOARD_APPROVAL_TIMEOUT`). Absent
   * in the settings of runs that started on an older worker: no approval, so that they replay as recorded.
   */
  approval?: ApprovalPolicy;
}

/** Backoff of the probe loops. */
export interface ProbeBackoff {
  initialIntervalMs: number;
  maxIntervalMs: number;
}

export interface AwaitDeactivatedInput extends ProbeBackoff {
  hostname: string;
  /** Stop waiting at this time (epoch ms): the probe may still answer "active" until then. */
  deadlineMs: number;
  /** At the deadline, go on probing while the answer is unclear: return only on a known answer. */
  untilKnown?: boolean;
}

export interface AwaitDeactivatedResult {
  observed: boolean;
  /** When the deactivated (or purged) answer was seen. */
  at?: string;
  last: ProbeAnswer;
}

export interface ConfirmPurgeInput extends ProbeBackoff {
  hostname: string;
  /** The purge date (epoch ms): probing starts then. */
  purgeDateMs: number;
  /** Give up and report the purge as overdue at this time (epoch ms). */
  overdueAtMs: number;
}

export interface ConfirmPurgeResult {
  outcome: 'purged' | 'active' | 'overdue';
  at: string;
  last: ProbeAnswer;
}

export interface ReactivationRoundInput extends TenantRef {
  /** The round returns `pending` from its first attempt that ends after this (epoch ms). */
  roundEndsAtMs: number;
  /** The purge date (epoch ms): a retry that starts after it returns `pending` without calling. */
  purgeDateMs?: number;
  /** An "active" answer counts from this time on even if the tenant was not seen deactivated (epoch ms). */
  activeCountsFromMs: number;
  /** This offboarding already saw the tenant answer "deactivated". */
  seenDeactivated: boolean;
  /** The two "purged" answers that count as purged are this far apart. */
  probeIntervalMs: number;
}

/** What one attempt of a reactivation round hands the next (in heartbeat details). */
export interface RoundProgress {
  seenDeactivated: boolean;
}

export interface ReactivationRoundResult extends RoundProgress {
  /** `reactivated`: Qlik accepted; `active`: the probe says so; `pending`: the round ended without an answer. */
  outcome: 'reactivated' | 'active' | 'purged' | 'pending';
  at?: string;
  lastError?: { type: string; message: string; httpStatus?: number; code?: string; traceId?: string };
}

/** Details attached to every activity failure (ApplicationFailure `details[0]`). */
export interface CallFailureDetails {
  httpStatus?: number;
  code?: string;
  traceId?: string;
  /** The attempt that failed; above 1, earlier attempts failed too and their outcome may be unknown. */
  attempt: number;
  /**
   * How long Qlik asked to wait (a 429's `retry-after`). Temporal's own retries read the failure's `nextRetryDelay`;
   * the workflow, which retries a deactivate itself (revision 2), cannot: the SDK does not decode that field.
   */
  retryAfterMs?: number;
}

/** A stop of not-yet-sent deactivations (`qlik-offboard stop`), as the deactivate attempt found it. */
export type DeactivationStop = Stop;

/** What one deactivate attempt did (revision 2): sent the request and got Qlik's answer, or held it back. */
export type DeactivateAttemptResult =
  | { sent: true; answer: DeactivateAnswer & { answeredAt: string } }
  | { sent: false; stop: DeactivationStop }
  /** The stops could not be read: not sent (an emergency stop fails closed). */
  | { sent: false; stopsUnreadable: string };

/** Lifecycle events POSTed to the customer-lifecycle system's webhook (when the worker has one configured). */
export type LifecycleEventKind = 'deactivated' | 'grace-extended' | 'reactivated' | 'final-report';

export interface LifecycleEvent {
  kind: LifecycleEventKind;
  workflowId: string;
  runId: string;
  /** The status when the event happened; for `final-report`, the final status (failures included). */
  status: import('../shared/contract').OffboardingStatus;
  /** For a `final-report` of a run that fails: the failure that ends it. */
  failure?: { type: string; message: string };
}
