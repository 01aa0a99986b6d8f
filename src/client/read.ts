/**
 * Reading a tenant's offboarding: the `status` query (answers on open and closed runs) and the result, with the
 * unsuccessful endings turned into one typed error that carries the last status.
 */
import { type Client, type WorkflowHandle, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import type { OffboardingResult, OffboardingStatus } from '../shared/contract';
import { workflowIdFor } from '../shared/contract';
import { statusQuery } from '../workflows/definitions';
import { NoOffboardingError, OffboardingEndedError, type UnsuccessfulRunStatus } from './errors';
import { isNotFound } from './runs';
import type { RunSelector } from './steer';
import { validTenantId } from './tenant-id';

/** How long to wait for a query on a closed run: it needs a worker to replay the history, which may be absent. */
const CLOSED_RUN_QUERY_TIMEOUT_MS = 5_000;
/**
 * Tries at it. When several readers query a run that has just closed (`result` and `watch` at once), a worker may
 * answer one and leave the others unanswered until their deadline; asked again, it answers at once. Seen after a
 * continue-as-new, when replaying the last run took a while.
 */
const CLOSED_RUN_QUERY_ATTEMPTS = 2;

/** The current status of the tenant's (latest) offboarding. Throws NoOffboardingError or InvalidInputError. */
export async function getOffboardingStatus(
  client: Client,
  tenantId: string,
  selector: RunSelector = {},
): Promise<OffboardingStatus> {
  validTenantId(tenantId);
  const workflowId = workflowIdFor(tenantId, selector.dryRun === true);
  try {
    return await client.workflow.getHandle(workflowId).query(statusQuery);
  } catch (error) {
    if (isNotFound(error)) throw new NoOffboardingError(tenantId, workflowId);
    throw error;
  }
}

/**
 * Waits for the tenant's (latest) offboarding to end and returns its result. A run that ended Failed, Canceled,
 * Terminated or TimedOut throws OffboardingEndedError with the failure type and the last status.
 */
export async function getOffboardingResult(
  client: Client,
  tenantId: string,
  selector: RunSelector = {},
): Promise<OffboardingResult> {
  validTenantId(tenantId);
  const workflowId = workflowIdFor(tenantId, selector.dryRun === true);
  try {
    return await resultOfRun(client, client.workflow.getHandle(workflowId), tenantId);
  } catch (error) {
    if (isNotFound(error)) throw new NoOffboardingError(tenantId, workflowId);
    throw error;
  }
}

/** The result of the run behind `handle`, or OffboardingEndedError describing how it ended otherwise. */
export async function resultOfRun(
  client: Client,
  handle: WorkflowHandle,
  tenantId: string,
): Promise<OffboardingResult> {
  try {
    return (await handle.result()) as OffboardingResult;
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) {
      const status = cause.details?.[0] as OffboardingStatus | undefined;
      throw new OffboardingEndedError(tenantId, 'Failed', cause.type ?? undefined, cause.message, status);
    }
    const runStatus: UnsuccessfulRunStatus =
      cause instanceof CancelledFailure
        ? 'Canceled'
        : cause instanceof TerminatedFailure
          ? 'Terminated'
          : cause instanceof TimeoutFailure
            ? 'TimedOut'
            : 'Failed';
    const message = cause?.message || error.message;
    throw new OffboardingEndedError(tenantId, runStatus, undefined, message, await lastStatus(client, handle));
  }
}

/** The status query on a closed run, or undefined when no worker answers in time. */
export async function lastStatus(client: Client, handle: WorkflowHandle): Promise<OffboardingStatus | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.withDeadline(Date.now() + CLOSED_RUN_QUERY_TIMEOUT_MS, () => handle.query(statusQuery));
    } catch {
      if (attempt >= CLOSED_RUN_QUERY_ATTEMPTS) return undefined;
    }
  }
}
