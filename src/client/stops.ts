/**
 * The emergency stop, for ops: stop and resume deactivations through the stop registry's Updates (the registry is
 * started on demand, by Update-with-Start), and read the stops in force from its memo, which the Temporal server
 * serves without a worker. Names and shapes: src/shared/stops.ts; the registry: src/workflows/controls.ts.
 */
import { type Client, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../shared/contract';
import { validateResumeRequest, validateStopRequest, validateStops } from '../shared/stop-requests';
import {
  CONTROLS_WORKFLOW_TYPE,
  controlsWorkflowIdFor,
  type ControlsInput,
  type ResumeRequest,
  type Stop,
  type StopRequest,
  STOPS_MEMO_KEY,
} from '../shared/stops';
import { describeProblems } from '../shared/input';
import { resumeUpdate, stopUpdate } from '../workflows/controls-definitions';
import { InvalidInputError, StopRequestRejectedError } from './errors';
import { isNotFound } from './runs';

/** Which registry: the one of the product's task queue (`TEMPORAL_TASK_QUEUE`; default `tenant-offboarding`). */
export interface RegistryOptions {
  taskQueue?: string;
}

/**
 * Holds every deactivation of `request`'s selector (a region, a requester, or both) that has not been sent yet,
 * until a resume of the same selector. Resolves to the stop in force once the registry has recorded it (a repeat of a
 * selector already stopped answers the first stop). Throws InvalidInputError (nothing sent) or
 * StopRequestRejectedError.
 */
export async function stopDeactivations(
  client: Client,
  request: StopRequest,
  options: RegistryOptions = {},
): Promise<Stop> {
  const validated = validateStopRequest(request);
  if (!validated.ok) throw new InvalidInputError(validated.problems);
  return sendToRegistry(client, options, 'stop', (start) =>
    client.workflow.executeUpdateWithStart(stopUpdate, { args: [validated.value], startWorkflowOperation: start }),
  );
}

/**
 * Lifts the stop whose selector is exactly `request`'s; resolves to the stop removed. Throws InvalidInputError, or
 * StopRequestRejectedError when no such stop is in force (the reason lists those that are).
 */
export async function resumeDeactivations(
  client: Client,
  request: ResumeRequest,
  options: RegistryOptions = {},
): Promise<Stop> {
  const validated = validateResumeRequest(request);
  if (!validated.ok) throw new InvalidInputError(validated.problems);
  return sendToRegistry(client, options, 'resume', (start) =>
    client.workflow.executeUpdateWithStart(resumeUpdate, { args: [validated.value], startWorkflowOperation: start }),
  );
}

/**
 * The stops in force, oldest first, from the registry's memo (no worker needed). None when the registry was never
 * started. A registry that was terminated still answers with the stops it held: they stay in force (and are carried
 * into the next registry run). Throws when the memo cannot be read: a reader that must not send on a doubt fails
 * closed on that.
 */
export async function listStops(client: Client, options: RegistryOptions = {}): Promise<Stop[]> {
  const workflowId = controlsWorkflowIdFor(options.taskQueue ?? DEFAULT_TASK_QUEUE);
  let memo: Record<string, unknown> | undefined;
  try {
    memo = (await client.workflow.getHandle(workflowId).describe()).memo;
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  return stopsFromMemo(workflowId, memo);
}

/** The stops of a registry's memo: none when it has not published any yet; an error when they are malformed. */
function stopsFromMemo(workflowId: string, memo: Record<string, unknown> | undefined): Stop[] {
  const published = memo?.[STOPS_MEMO_KEY];
  if (published === undefined) return [];
  const validated = validateStops(published);
  if (!validated.ok) {
    throw new Error(
      `the stop registry ${workflowId} has a malformed memo "${STOPS_MEMO_KEY}": ${describeProblems(validated.problems)}`,
    );
  }
  return validated.value;
}

async function sendToRegistry(
  client: Client,
  options: RegistryOptions,
  request: 'stop' | 'resume',
  send: (start: WithStartWorkflowOperation<(input?: ControlsInput) => Promise<never>>) => Promise<Stop>,
): Promise<Stop> {
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  const workflowId = controlsWorkflowIdFor(taskQueue);
  const carried = await stopsOfClosedRegistry(client, workflowId);
  const start = new WithStartWorkflowOperation<(input?: ControlsInput) => Promise<never>>(CONTROLS_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    // The registry that runs is the one to talk to; only when none runs does this start one.
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [carried.length > 0 ? { stops: carried } : {}],
    ...(carried.length > 0 ? { memo: { [STOPS_MEMO_KEY]: carried } } : {}),
    staticSummary: `Emergency stops of the offboardings on task queue ${taskQueue}`,
    staticDetails:
      'Stops and resumes deactivations that have not been sent yet (qlik-offboard stop, resume, stops). ' +
      'Its history is the audit trail: each stop and resume is an Update with who, why and when.',
  });
  try {
    return await send(start);
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new StopRequestRejectedError(request, error.cause?.message ?? error.message);
    }
    throw error;
  }
}

/**
 * The stops a closed registry (terminated by hand: it never ends on its own) still publishes, so that the run this
 * request starts keeps them instead of starting empty. None when the registry runs or never existed.
 */
async function stopsOfClosedRegistry(client: Client, workflowId: string): Promise<Stop[]> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name === 'RUNNING') return [];
    return stopsFromMemo(workflowId, description.memo);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}
