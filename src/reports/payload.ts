/**
 * The JSON body of a lifecycle report (docs/webhook.md documents every field). Built only from the event, whose
 * status carries no secret by construction, so nothing of the worker's configuration can leak into a report.
 */
import type { LifecycleEvent, LifecycleEventKind } from '../activities/types';
import type { Decision, GraceExtension, IgnoredSignal, LastError, Outcome, Phase } from '../shared/contract';
import { CANCELED_FAILURE_TYPE } from '../shared/failure-types';

/** Bumped on any change a receiver could trip over; fields may be added without a bump. */
export const REPORT_SCHEMA_VERSION = 1;

/** How a run ended, in Temporal's words; only on `final-report`. */
export type RunStatus = 'Completed' | 'Failed' | 'Canceled';

export { CANCELED_FAILURE_TYPE };

/** A remark for the people who read the report; `code` is stable, `text` may change. */
export interface ReportNote {
  code: 'LICENSES_NOT_RELEASED' | 'REACTIVATION_POSSIBLE' | 'DRY_RUN' | 'PURGE_OVERDUE' | 'REACTIVATED_EXTERNALLY';
  text: string;
}

/** Schema version 1 of the report body. Optional fields are left out (never `null`) when unknown. */
export interface ReportPayload {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  event: LifecycleEventKind;
  /**
   * `<workflowId>/<runId>/<event>` (for `grace-extended`, `/<the extension's at>` after it: a run may extend more
   * than once): the same on every delivery of the same event; receivers dedupe on it.
   */
  idempotencyKey: string;
  /** When the event happened (taken from the status, so identical on every delivery of the event). */
  occurredAt: string;
  workflowId: string;
  runId: string;
  tenant: { id: string; hostname: string; region: string };
  dryRun: boolean;
  phase: Phase;
  runStatus?: RunStatus;
  outcome?: Outcome;
  purgeAfterDays?: number;
  estimatedPurgeDate?: string;
  purgeDateSource?: 'qlik' | 'computed';
  deactivatedAt?: string;
  deactivationConfirmedAt?: string;
  reactivatedAt?: string;
  purgeConfirmedAt?: string;
  requestedBy?: string;
  reason?: string;
  decidedBy?: Decision;
  failure?: { type: string; message: string };
  lastError?: LastError;
  ignoredSignals: IgnoredSignal[];
  /** ("[4 of 4]") The grace-period extensions, when there were any. */
  extensions?: GraceExtension[];
  notes: ReportNote[];
}

/** The key a receiver dedupes on; also sent as the `Idempotency-Key` header. */
export function idempotencyKeyOf(event: LifecycleEvent): string {
  const key = `${event.workflowId}/${event.runId}/${event.kind}`;
  const extension = lastExtension(event);
  return extension ? `${key}/${extension.at}` : key;
}

/** The extension a `grace-extended` event reports: the last one (the event is sent as it is applied). */
function lastExtension(event: LifecycleEvent): GraceExtension | undefined {
  return event.kind === 'grace-extended' ? event.status.extensions?.at(-1) : undefined;
}

// QLIK-API §8: a purge frees the entitlement's tenant slot, not the users' license assignments.
const LICENSES_NOTE: ReportNote = {
  code: 'LICENSES_NOT_RELEASED',
  text:
    'Deleting a tenant frees a tenant slot of the entitlement but does not release user-based license ' +
    'assignments: release them with the Qlik licenses API.',
};

function notesFor(event: LifecycleEvent): ReportNote[] {
  const { status } = event;
  const notes: ReportNote[] = [];
  if (status.dryRun) notes.push({ code: 'DRY_RUN', text: 'Dry run: the tenant was checked, nothing was changed.' });
  if ((event.kind === 'deactivated' || event.kind === 'grace-extended') && status.estimatedPurgeDate) {
    notes.push({
      code: 'REACTIVATION_POSSIBLE',
      text: `The tenant can be reactivated (cancel or reactivate the offboarding) until ${status.estimatedPurgeDate}; Qlik purges it after that.`,
    });
  }
  if (event.kind === 'final-report') {
    if (status.outcome === 'purge-overdue') {
      notes.push({
        code: 'PURGE_OVERDUE',
        text: 'The tenant still answered as deactivated well past its purge date: ask Qlik support to confirm the purge.',
      });
    }
    if (status.outcome === 'reactivated-externally') {
      // "[4 of 4]": the grace probes may notice it weeks before the purge date; say since when, if they did.
      const since = status.graceProbes?.activeSince;
      notes.push({
        code: 'REACTIVATED_EXTERNALLY',
        text:
          'The tenant answered as active although this offboarding had deactivated it: it was reactivated elsewhere ' +
          `(e.g. in Qlik's console)${since ? `, first seen active at ${since}` : ''}, and Qlik no longer purges it. ` +
          'Start a new offboarding if it should still be deleted.',
      });
    }
    notes.push(LICENSES_NOTE);
  }
  return notes;
}

function runStatusOf(event: LifecycleEvent): RunStatus | undefined {
  if (event.kind !== 'final-report') return undefined;
  if (!event.failure) return 'Completed';
  return event.failure.type === CANCELED_FAILURE_TYPE ? 'Canceled' : 'Failed';
}

function occurredAtOf(event: LifecycleEvent): string {
  const { status } = event;
  if (event.kind === 'deactivated') return status.deactivatedAt ?? status.phaseSince;
  if (event.kind === 'reactivated') return status.reactivatedAt ?? status.phaseSince;
  if (event.kind === 'grace-extended') return lastExtension(event)?.at ?? status.phaseSince;
  return status.phaseSince;
}

/**
 * Only `type` and `message` of the failure, whatever else the object carries. An Error passed as the failure loses
 * its `message` on the way (JSON skips non-enumerable properties): the status's last error then says it.
 */
function failureOf(event: LifecycleEvent): { type: string; message: string } {
  const failure = event.failure as { type?: unknown; message?: unknown };
  const message = typeof failure.message === 'string' ? failure.message : event.status.lastError?.message;
  return { type: String(failure.type ?? 'Unknown'), message: message ?? '' };
}

/** Drops `undefined` fields so the body never carries `null`s or empty keys. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The report body for `event`: a pure function of the event, so every delivery of it has the same body. */
export function buildReportPayload(event: LifecycleEvent): ReportPayload {
  const { status } = event;
  return compact<ReportPayload>({
    schemaVersion: REPORT_SCHEMA_VERSION,
    event: event.kind,
    idempotencyKey: idempotencyKeyOf(event),
    occurredAt: occurredAtOf(event),
    workflowId: event.workflowId,
    runId: event.runId,
    tenant: { id: status.tenantId, hostname: status.hostname, region: status.region },
    dryRun: status.dryRun,
    phase: status.phase,
    runStatus: runStatusOf(event),
    outcome: status.outcome,
    purgeAfterDays: status.purgeAfterDays,
    estimatedPurgeDate: status.estimatedPurgeDate,
    purgeDateSource: status.purgeDateSource,
    deactivatedAt: status.deactivatedAt,
    deactivationConfirmedAt: status.deactivationConfirmedAt,
    reactivatedAt: status.reactivatedAt,
    purgeConfirmedAt: status.purgeConfirmedAt,
    requestedBy: status.requestedBy,
    reason: status.reason,
    decidedBy: status.decidedBy,
    failure: event.failure ? failureOf(event) : undefined,
    lastError: status.lastError,
    ignoredSignals: status.ignoredSignals ?? [],
    extensions: status.extensions,
    notes: notesFor(event),
  });
}
