/**
 * Reading what Temporal knows of a tenant's runs: the latest run's state, and the input an open run was started
 * with (from the first event of its history, which answers even when no worker is running). A run that continued as
 * new is never the latest: the server moves the workflow ID to the new run as it closes the old one.
 */
import {
  type Client,
  isGrpcServiceError,
  type WorkflowExecutionDescription,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';

/** gRPC's NOT_FOUND (the constant lives in @grpc/grpc-js, which is not our dependency). */
const GRPC_NOT_FOUND = 5;

/** The latest run under `workflowId` (of the latest chain, when runs continued as new), or undefined. */
export async function describeLatest(
  client: Client,
  workflowId: string,
): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** True for "no such workflow" however the SDK reports it. */
export function isNotFound(error: unknown): boolean {
  return error instanceof WorkflowNotFoundError || (isGrpcServiceError(error) && error.code === GRPC_NOT_FOUND);
}

/**
 * The offboarding's input, from the run's start event, decoded with the client's data converter. Argument 0 only: a
 * run that an earlier one continued as new has the original input there and the carried state as argument 1.
 */
export async function startInputOf(client: Client, workflowId: string, runId: string): Promise<unknown> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const first = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!first) throw new Error(`the history of ${workflowId} (run ${runId}) has no start event`);
  return decodeFromPayloadsAtIndex(client.options.loadedDataConverter, 0, first.input?.payloads);
}
