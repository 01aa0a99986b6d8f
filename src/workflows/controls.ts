/**
 * `offboardingControls`: the stop registry, one long-lived workflow per product task queue (workflow ID
 * `offboarding-controls-<task queue>`, src/shared/stops.ts). Ops stop and resume deactivations through its Updates
 * (`qlik-offboard stop`, `resume`); the deactivate activity reads the stops in force from its memo just before it
 * sends (src/activities/stops.ts), which `describe()` serves without a worker.
 *
 * Its history is the audit trail: every stop and resume is an accepted Update there, with its argument (who, why)
 * and the time. It runs until terminated: a cancellation request is ignored, so that no one lifts every stop by
 * cancelling it in the Web UI; it continues as new before its history grows long, carrying the list and the memo.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  makeContinueAsNewFunc,
  workflowInfo,
} from '@temporalio/workflow';
import { FinalFailureType } from '../shared/failure-types';
import { describeProblems } from '../shared/input';
import { validateControlsInput } from '../shared/stop-requests';
import { type ControlsInput, controlsWorkflowIdFor, DEFAULT_UPDATES_PER_RUN, STOPS_MEMO_KEY } from '../shared/stops';
import { StopRegistry } from './stop-registry';

/** @param rawInput nothing on the first start; the stops (and the run length) when an earlier run continued as new. */
export async function offboardingControls(rawInput?: ControlsInput): Promise<never> {
  const input = validInput(rawInput);
  const updatesPerRun = input.updatesPerRun ?? DEFAULT_UPDATES_PER_RUN;
  const registry = new StopRegistry(input.stops ?? [], updatesPerRun);
  registry.install();
  registry.publishIfStale();

  await CancellationScope.nonCancellable(() => condition(() => registry.mustContinueAsNew()));
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  const stops = registry.list();
  // The memo goes along explicitly: the new run must publish the stops from its first moment, not its first Update.
  const next = makeContinueAsNewFunc<typeof offboardingControls>({ memo: { [STOPS_MEMO_KEY]: stops } });
  return next({ stops, updatesPerRun });
}

/**
 * The input, valid, for a run under the registry's own ID: the readers look for the registry of the task queue they
 * serve, and a registry elsewhere would hold nothing.
 */
function validInput(rawInput: unknown): ControlsInput {
  const validated = validateControlsInput(rawInput);
  if (!validated.ok) {
    throw ApplicationFailure.nonRetryable(describeProblems(validated.problems), FinalFailureType.InvalidInput);
  }
  const { workflowId, taskQueue } = workflowInfo();
  const expected = controlsWorkflowIdFor(taskQueue);
  if (workflowId !== expected) {
    throw ApplicationFailure.nonRetryable(
      `workflow ID: must be ${expected} on task queue ${taskQueue} (got ${workflowId})`,
      FinalFailureType.InvalidInput,
    );
  }
  return validated.value;
}
