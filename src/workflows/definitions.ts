/**
 * The workflow's messages and search attributes, by the contract's names. Importable by clients: the define*
 * functions only build typed handles.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { MESSAGE_NAMES } from '../shared/contract';
import type { ApprovalArgs, ExtendGracePeriodArgs, MessageArgs, OffboardingStatus } from '../shared/contract';

/** Stop the offboarding: reactivates the tenant if it may have been deactivated; outcome `cancelled`. */
export const cancelSignal = defineSignal<[MessageArgs?]>(MESSAGE_NAMES.cancelSignal);
/** Restore the tenant during the grace period; outcome `reactivated`. */
export const reactivateSignal = defineSignal<[MessageArgs?]>(MESSAGE_NAMES.reactivateSignal);
/** Like `cancel`, and answers the status once the decision is recorded (rejected when it cannot be acted on). */
export const cancelUpdate = defineUpdate<OffboardingStatus, [MessageArgs | undefined]>(MESSAGE_NAMES.cancelUpdate);
/** Like `reactivate`, and answers the status once the decision is recorded. */
export const reactivateUpdate = defineUpdate<OffboardingStatus, [MessageArgs | undefined]>(
  MESSAGE_NAMES.reactivateUpdate,
);
/**
 * (v3, "[4 of 4]") Extend the grace period: a repeat deactivate with a new `purgeAfterDays`, during the grace
 * period only. Answers the status once the extension is recorded, not once Qlik answered it.
 */
export const extendUpdate = defineUpdate<OffboardingStatus, [ExtendGracePeriodArgs]>(MESSAGE_NAMES.extendUpdate);
/**
 * ("[4 of 4]") Approve the offboarding under the four-eyes policy (`OFFBOARD_APPROVAL=required`): accepted in
 * `scheduled` (taking effect at notBefore) and `awaiting-approval`; answers the status once the approval is recorded.
 */
export const approveUpdate = defineUpdate<OffboardingStatus, [ApprovalArgs]>(MESSAGE_NAMES.approveUpdate);
/** The current status; answers on open and closed runs. */
export const statusQuery = defineQuery<OffboardingStatus>(MESSAGE_NAMES.statusQuery);

/** The contract's search attributes (each registered on the cluster before a workflow writes it). */
export const searchAttributes = {
  tenantId: defineSearchAttributeKey('QlikTenantId', SearchAttributeType.KEYWORD),
  hostname: defineSearchAttributeKey('QlikTenantHostname', SearchAttributeType.KEYWORD),
  region: defineSearchAttributeKey('QlikRegion', SearchAttributeType.KEYWORD),
  requestedBy: defineSearchAttributeKey('QlikRequestedBy', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('OffboardingPhase', SearchAttributeType.KEYWORD),
  phaseSince: defineSearchAttributeKey('OffboardingPhaseSince', SearchAttributeType.DATETIME),
  outcome: defineSearchAttributeKey('OffboardingOutcome', SearchAttributeType.KEYWORD),
  estimatedPurgeDate: defineSearchAttributeKey('EstimatedPurgeDate', SearchAttributeType.DATETIME),
} as const;
