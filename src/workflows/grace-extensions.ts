/**
 * Extending the grace period ("[4 of 4]", CONTRACT "Rules added (v3)"): the `extendGracePeriod` Update, and what the
 * answer of the repeat deactivate does to the purge date.
 *
 * Qlik resets the countdown on a repeat deactivate during the grace period (QLIK-API §2), but the answer may be a
 * refusal, or a date earlier than asked (the reference calls `purgeAfterDays` OEM-only). So the Update answers once
 * the extension is recorded (`requested`); the main flow sends the repeat deactivate through the region's queue like
 * the first one (deactivate-attempts.ts: withdrawn by a decision if not sent yet), and the answer settles it.
 */
import { setHandler } from '@temporalio/workflow';
import type { WorkerSettings } from '../activities/types';
import type { ExtendGracePeriodArgs, OffboardingStatus } from '../shared/contract';
import { WarningType } from '../shared/failure-types';
import { describeProblems, validateExtensionArgs } from '../shared/input';
import { extendUpdate } from './definitions';
import type { DeactivateOutcome } from './deactivate-attempts';
import type { Decisions } from './decisions';
import { followsRevision2 } from './rules';
import { implausiblePurgeDate } from './purge-date';
import { isoNow, type OffboardingRecord } from './record';

/** Installs the Update handler. `settings`: the run's settings once read (undefined before). */
export function installGraceExtensions(
  record: OffboardingRecord,
  decisions: Decisions,
  settings: () => WorkerSettings | undefined,
): void {
  setHandler(
    extendUpdate,
    (args: ExtendGracePeriodArgs): OffboardingStatus => {
      const { purgeAfterDays, reason, requestedBy } = args;
      record.requestExtension({
        at: isoNow(),
        purgeAfterDays,
        ...(reason !== undefined ? { reason } : {}),
        ...(requestedBy !== undefined ? { requestedBy } : {}),
        previousPurgeDate: record.status.estimatedPurgeDate ?? '',
      });
      return record.snapshot();
    },
    { validator: (args: unknown) => validateExtension(args, record, decisions, settings()) },
  );
}

/** Throws (rejecting the Update, nothing recorded) unless the extension can be carried out now. */
function validateExtension(
  args: unknown,
  record: OffboardingRecord,
  decisions: Decisions,
  settings: WorkerSettings | undefined,
): void {
  const validated = validateExtensionArgs(args);
  if (!validated.ok) throw new Error(`invalid argument: ${describeProblems(validated.problems)}`);
  if (!followsRevision2(settings)) {
    throw new Error('this offboarding started on a worker without grace-period extensions: it cannot be extended');
  }
  const { status } = record;
  if (status.phase !== 'grace-period') {
    throw new Error(`the grace period can only be extended in phase grace-period (the offboarding is ${status.phase})`);
  }
  if (decisions.decided) throw new Error(`a decision was already made: ${status.decidedBy?.message}`);
  const pending = record.pendingExtension;
  if (pending) throw new Error(`an extension is already in flight (asked at ${pending.at}): wait for its outcome`);
  const requestedMs = Date.now() + validated.value.purgeAfterDays * settings!.timings.dayMs;
  const currentMs = record.purgeDateMs ?? 0;
  if (requestedMs < currentMs) {
    throw new Error(
      `purgeAfterDays: ${validated.value.purgeAfterDays} days from now (${new Date(requestedMs).toISOString()}) is earlier than the current purge date ${status.estimatedPurgeDate}: an extension may only move it later`,
    );
  }
}

/** How an extension's repeat deactivate ended, for the record. */
export type ExtensionEnd =
  | { state: 'applied'; date: string; source: 'qlik' | 'computed'; warning?: ExtensionWarning }
  | { state: 'refused'; note: string; warning: ExtensionWarning };

/** What `lastError` records about an extension that did not go as asked. */
export interface ExtensionWarning {
  type: WarningType;
  message: string;
}

/**
 * The `patched()` marker of extensions whose repeat deactivate gives up at the purge date (`giveUpAtMs`): runs that
 * extended before it keep waiting for theirs, as their recorded histories did.
 */
export const EXTENSION_STOPS_AT_PURGE_DATE = 'extension-stops-at-purge-date';

/**
 * What the attempts' outcome means for the extension. Qlik's answer is adopted after the plausibility check of
 * "[1 of 4]"; otherwise the date is computed from the answer's time. An earlier date than before is adopted too
 * (Qlik's countdown was reset: the tenant is purged then), with a warning. A refusal leaves the date as it was.
 */
export function extensionEnd(
  outcome: Exclude<DeactivateOutcome, { kind: 'continue-as-new' }>,
  extension: { purgeAfterDays: number; previousPurgeDate: string },
  dayMs: number,
  /** What stopped attempts that ended `withdrawn` or `interrupted`. */
  stoppedBy: 'a decision' | 'the purge date' = 'a decision',
): ExtensionEnd {
  if (outcome.kind === 'answered') {
    const answeredAtMs = Date.parse(outcome.answer.answeredAt);
    const qlikDate = outcome.answer.estimatedPurgeDate;
    const problem =
      qlikDate === undefined ? 'no estimatedPurgeDate' : implausiblePurgeDate(qlikDate, answeredAtMs, dayMs);
    const computed = new Date(answeredAtMs + extension.purgeAfterDays * dayMs).toISOString();
    const date = qlikDate !== undefined && !problem ? qlikDate : computed;
    const source = date === computed ? 'computed' : 'qlik';
    const earlier: ExtensionWarning | undefined =
      Date.parse(date) < Date.parse(extension.previousPurgeDate)
        ? {
            type: WarningType.PurgeDateMovedEarlier,
            message: `Qlik's answer to the extension moved the purge date earlier, to ${date} (it was ${extension.previousPurgeDate}; purgeAfterDays may be ignored outside OEM agreements)`,
          }
        : undefined;
    const implausible: ExtensionWarning | undefined =
      problem && qlikDate !== undefined
        ? { type: WarningType.ImplausiblePurgeDate, message: `${problem}: using ${computed} instead` }
        : undefined;
    return { state: 'applied', date, source, warning: earlier ?? implausible };
  }
  if (outcome.kind === 'failed') {
    const mayHaveApplied =
      outcome.started > 1 ? '; an earlier attempt may have reset the countdown, so the earlier date is kept' : '';
    const note = `refused: ${outcome.failure.type}: ${outcome.failure.message}${mayHaveApplied}`;
    const message = `the grace period was not extended: ${note}`;
    return { state: 'refused', note, warning: { type: WarningType.GraceExtensionNotApplied, message } };
  }
  const note =
    outcome.kind === 'withdrawn'
      ? `withdrawn: ${stoppedBy} came before the repeat deactivate was sent`
      : stoppedBy === 'a decision'
        ? 'a decision came while the repeat deactivate may have been sent; the tenant is reactivated anyway'
        : 'the purge date came while the repeat deactivate may have been sent; the purge is confirmed as it comes';
  return { state: 'refused', note, warning: { type: WarningType.GraceExtensionNotApplied, message: note } };
}

/**
 * Whether an extension's repeat deactivate may have reached Qlik and changed something: answered, or cut short by a
 * decision after an attempt started, or failed after more than one attempt (an earlier one may have been applied).
 * A single attempt refused for good (Qlik's 403 for `purgeAfterDays` outside OEM agreements) changed nothing.
 */
export function mayHaveApplied(outcome: Exclude<DeactivateOutcome, { kind: 'continue-as-new' }>): boolean {
  switch (outcome.kind) {
    case 'answered':
    case 'interrupted':
      return true;
    case 'failed':
      return outcome.started > 1;
    case 'withdrawn':
      return false;
  }
}
