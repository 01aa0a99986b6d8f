/**
 * The stop registry's messages (workflow `offboardingControls`, src/workflows/controls.ts). Importable by clients:
 * the define* functions only build typed handles.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { CONTROLS_MESSAGE_NAMES, type ResumeRequest, type Stop, type StopRequest } from '../shared/stops';

/**
 * Holds the deactivations the selector names that have not been sent yet. Answers the stop in force: the new one,
 * or the one already recorded for the same selector (a repeat is idempotent and changes nothing).
 */
export const stopUpdate = defineUpdate<Stop, [StopRequest]>(CONTROLS_MESSAGE_NAMES.stopUpdate);
/** Lifts the stop with exactly this selector; answers the stop it removed. Rejected when there is none. */
export const resumeUpdate = defineUpdate<Stop, [ResumeRequest]>(CONTROLS_MESSAGE_NAMES.resumeUpdate);
/** The stops in force (the memo `stops` says the same, without a worker). */
export const stopsQuery = defineQuery<Stop[]>(CONTROLS_MESSAGE_NAMES.stopsQuery);
