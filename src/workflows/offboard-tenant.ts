/**
 * `offboardTenant`: deletes one Qlik Cloud tenant the way Qlik's "Delete a tenant" tutorial describes, and watches
 * it through the grace period until the purge is confirmed (CONTRACT.md).
 *
 * The safety invariant shapes everything below: from the first deactivate attempt until the tenant is confirmed
 * purged or active again, this run stays open. The main flow therefore runs shielded from cancellation; a Temporal
 * cancellation request becomes a decision like `cancel`, carried out (reactivation included) before the run ends.
 *
 * Set up, then run: the handlers first (a signal-with-start is seen before any activity), then the input is
 * validated and the settings read, and only then is the run (offboarding.ts) constructed, with both. A new offboarding
 * (rules revision 2) first makes sure that it is not an unasked-for restart after a Completed run (earlier-run.ts).
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  workflowInfo,
} from '@temporalio/workflow';
import type { WorkerSettings } from '../activities/types';
import type { OffboardingInput, OffboardingResult } from '../shared/contract';
import { workflowIdFor } from '../shared/contract';
import { describeProblems, validateOffboardingInput } from '../shared/input';
import { Approvals } from './approval';
import { OffboardingFailed, settingsActivity } from './calls';
import type { CarriedState } from './continuation';
import { Decisions } from './decisions';
import { refuseStartAfterCompletedRun } from './earlier-run';
import { installGraceExtensions } from './grace-extensions';
import { LifecycleReports, workflowMetrics } from './lifecycle-reports';
import { Offboarding, type RunParts } from './offboarding';
import { followsRevision2, followsV3 } from './rules';
import { OffboardingRecord } from './record';

/**
 * @param rawInput the offboarding's input, as given at the start (also after a continue-as-new).
 * @param carried what an earlier run of this offboarding handed on when its history grew long (contract v3).
 */
export async function offboardTenant(rawInput: OffboardingInput, carried?: CarriedState): Promise<OffboardingResult> {
  const record = new OffboardingRecord(rawInput, carried?.status);
  const decisions = new Decisions(record, carried?.cancellationRequested === true);
  decisions.install();
  const approvals = new Approvals(record, decisions);
  approvals.install();
  if (!carried) {
    workflowMetrics.started().add(1, { dry_run: String((rawInput as Partial<OffboardingInput>)?.dryRun === true) });
  }
  const parts: RunParts = { record, decisions, reports: new LifecycleReports(record), approvals };
  const settings = new SettingsOnce(carried?.settings);
  installGraceExtensions(record, decisions, () => settings.known);

  await CancellationScope.nonCancellable(async () => {
    try {
      await setUpAndRun(rawInput, carried, settings, parts);
    } catch (error) {
      if (!(error instanceof OffboardingFailed)) throw error;
      await endFailed(error, settings, parts);
    }
  });
  // v3: a cancellation request that came after a decision was ignored; waiting here must not turn it into one.
  if (followsV3(settings.known)) await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  else await condition(allHandlersFinished);
  if (decisions.endsCanceled) {
    throw new CancelledFailure(`offboarding of ${record.status.tenantId} cancelled by request`);
  }
  return record.snapshot() as OffboardingResult;
}

/** Validates the input and reads the settings (each fails the run as `OffboardingFailed`), then runs the phases. */
async function setUpAndRun(
  rawInput: unknown,
  carried: CarriedState | undefined,
  settings: SettingsOnce,
  parts: RunParts,
): Promise<void> {
  const input = validInput(rawInput);
  if (carried) return new Offboarding(input, rawInput, carried.settings, parts).resume(carried.status.phase);
  parts.record.adoptInput(input);
  // A decision that came with signal-with-start (or while validating) stops everything before any Qlik call.
  const decidedBeforeSettings = parts.decisions.decided;
  const known = await settings.read();
  const run = new Offboarding(input, rawInput, known, parts);
  if (decidedBeforeSettings) return run.finish('cancelled');
  // Rules revision 2: the closed-run rule holds for callers that pass no ID reuse policy too (earlier-run.ts).
  if (followsRevision2(known)) await refuseStartAfterCompletedRun();
  return run.fromStart();
}

/** The input, valid by the contract's rules and for this workflow ID. */
function validInput(rawInput: unknown): OffboardingInput {
  const validated = validateOffboardingInput(rawInput, Date.now());
  if (!validated.ok) throw new OffboardingFailed('InvalidInput', describeProblems(validated.problems));
  const { tenantId, dryRun } = validated.value;
  const expectedId = workflowIdFor(tenantId, dryRun === true);
  if (workflowInfo().workflowId !== expectedId) {
    throw new OffboardingFailed(
      'InvalidInput',
      `workflow ID: must be ${expectedId} for this input (got ${workflowInfo().workflowId})`,
    );
  }
  return validated.value;
}

/** A failure is recorded, reported and turned into the contract's top-level failure. */
async function endFailed(error: OffboardingFailed, settings: SettingsOnce, parts: RunParts): Promise<never> {
  const { record, reports } = parts;
  const { httpStatus, code, traceId } = error.details ?? {};
  record.setLastError({ type: error.type, message: error.message, httpStatus, code, traceId });
  record.fail();
  workflowMetrics.failed().add(1, { type: error.type });
  // Read only now (an input refused before they were read): the commands stay in the order runs recorded.
  const failure = { type: error.type, message: error.message };
  await reports.send(await settings.read(), 'final-report', { failure, wait: true });
  await condition(allHandlersFinished);
  throw ApplicationFailure.create({
    type: error.type,
    message: error.message,
    nonRetryable: true,
    details: [record.snapshot()],
  });
}

/** The worker settings, read once per offboarding (a local activity, so that history records them). */
class SettingsOnce {
  constructor(private value: WorkerSettings | undefined) {}

  /** The settings once read (or carried over), else undefined. */
  get known(): WorkerSettings | undefined {
    return this.value;
  }

  async read(): Promise<WorkerSettings> {
    this.value ??= await settingsActivity.readWorkerSettings();
    return this.value;
  }
}
