/**
 * Sending `cancelOffboarding` / `reactivateTenant` to runs chosen beforehand (src/client/selection.ts), each pinned
 * by its run ID: a run started after the selection (a new offboarding of the same tenant) never gets it. A pinned run
 * that has continued as new since is followed, through its close event, to the run it handed over to — the same
 * offboarding — and only along that chain.
 */
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { MessageArgs } from '../shared/contract';
import { cancelUpdate, reactivateUpdate } from '../workflows/definitions';
import { mapBounded } from './bounded';
import { isNotFound } from './runs';
import type { SelectedRun } from './selection';

/**
 * What happened to one run: `recorded` (the decision is in; `phase` is the status it answered), `rejected` (the
 * workflow's validator said why, in `reason`), `finished` (the run, and any it continued into, had closed), `failed`
 * (the request could not be sent; `reason` is the error).
 */
export interface RunResult {
  tenantId: string;
  workflowId: string;
  /** The run the selection listed. */
  runId: string;
  /** The run that answered: the listed one, or the one it continued as new into. */
  actedOnRunId?: string;
  /** The runs followed after the listed one, when it had continued as new (oldest first). */
  followed?: string[];
  result: 'recorded' | 'rejected' | 'finished' | 'failed';
  phase?: string;
  reason?: string;
}

/** Updates in flight at once. */
const STEER_CONCURRENCY = 8;
/** A chain this long between listing and acting means something else is wrong: stop following. */
const MAX_FOLLOWED = 20;
const { EventType, HistoryEventFilterType } = temporal.api.enums.v1;

/** Sends `request` to each run (a few at a time); `onResult` hears each result as it comes. */
export function steerRuns(
  client: Client,
  runs: readonly SelectedRun[],
  request: 'cancel' | 'reactivate',
  args: MessageArgs,
  options: { onResult?: (result: RunResult) => void } = {},
): Promise<RunResult[]> {
  return mapBounded(runs, STEER_CONCURRENCY, async (run) => {
    const result = await steerRun(client, run, request, args);
    options.onResult?.(result);
    return result;
  });
}

/** Sends `request` to the pinned run, or to the run its chain continued into; never throws. */
export async function steerRun(
  client: Client,
  run: SelectedRun,
  request: 'cancel' | 'reactivate',
  args: MessageArgs,
): Promise<RunResult> {
  const base = { tenantId: run.tenantId, workflowId: run.workflowId, runId: run.runId };
  const followed: string[] = [];
  let runId = run.runId;
  const where = () => ({ actedOnRunId: runId, ...(followed.length > 0 ? { followed: [...followed] } : {}) });
  try {
    for (;;) {
      try {
        const status = await client.workflow
          .getHandle(run.workflowId, runId)
          .executeUpdate(request === 'cancel' ? cancelUpdate : reactivateUpdate, { args: [args] });
        return { ...base, ...where(), result: 'recorded', phase: status.phase };
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) {
          return { ...base, ...where(), result: 'rejected', reason: error.cause?.message ?? error.message };
        }
        // Temporal answers "not found" for a run that has closed.
        if (!isNotFound(error)) throw error;
      }
      const next = await nextRunOf(client, run.workflowId, runId);
      if (next.continuedInto === undefined) {
        return {
          ...base,
          ...(followed.length > 0 ? { followed: [...followed] } : {}),
          result: 'finished',
          reason: next.why,
        };
      }
      if (followed.length >= MAX_FOLLOWED) {
        throw new Error(`the run continued as new more than ${MAX_FOLLOWED} times since it was listed`);
      }
      runId = next.continuedInto;
      followed.push(runId);
    }
  } catch (error) {
    return { ...base, ...where(), result: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** How a closed run ended: the run it continued as new into, or why there is none. */
async function nextRunOf(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<{ continuedInto: string } | { continuedInto?: undefined; why: string }> {
  let status: string;
  try {
    status = (await client.workflow.getHandle(workflowId, runId).describe()).status.name;
  } catch (error) {
    if (isNotFound(error)) return { why: `run ${runId} is no longer found (past the namespace's retention)` };
    throw error;
  }
  if (status === 'RUNNING') {
    throw new Error(`run ${runId} is open, yet the server answered "not found" to the Update: send it again`);
  }
  if (status !== 'CONTINUED_AS_NEW') return { why: `the run ended ${status.toLowerCase()}` };
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const close = response.history?.events?.[0];
  const next =
    close?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
      ? close.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId
      : undefined;
  if (!next) throw new Error(`run ${runId} continued as new, but its close event names no new run`);
  return { continuedInto: next };
}
