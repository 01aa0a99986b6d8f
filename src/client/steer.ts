/**
 * Steering a running offboarding through the contract's Updates: the workflow answers with the status once the
 * decision is recorded, or its validator rejects the request with a reason.
 */
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { MessageArgs, OffboardingStatus } from '../shared/contract';
import { workflowIdFor } from '../shared/contract';
import { validateMessageArgs } from '../shared/input';
import { cancelUpdate, reactivateUpdate } from '../workflows/definitions';
import { InvalidInputError, NoOffboardingError, RequestRejectedError } from './errors';
import { describeLatest, isNotFound } from './runs';
import { validTenantId } from './tenant-id';

/** Which of the tenant's workflows: the real offboarding (default) or its dry run. */
export interface RunSelector {
  dryRun?: boolean;
}

async function decide(
  client: Client,
  tenantId: string,
  request: 'cancel' | 'reactivate',
  args: MessageArgs | undefined,
  selector: RunSelector,
): Promise<OffboardingStatus> {
  validTenantId(tenantId);
  const validated = validateMessageArgs(args);
  if (!validated.ok) throw new InvalidInputError(validated.problems);
  const workflowId = workflowIdFor(tenantId, selector.dryRun === true);
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await handle.executeUpdate(request === 'cancel' ? cancelUpdate : reactivateUpdate, {
      args: [validated.value],
    });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new RequestRejectedError(tenantId, request, error.cause?.message ?? error.message);
    }
    if (!isNotFound(error)) throw error;
    // Temporal answers "not found" for a closed run too: tell the two apart.
    const latest = await describeLatest(client, workflowId);
    if (!latest) throw new NoOffboardingError(tenantId, workflowId);
    throw new RequestRejectedError(
      tenantId,
      request,
      `the offboarding has finished (run ${latest.status.name.toLowerCase()})`,
    );
  }
}

/**
 * Stops the offboarding (`cancelOffboarding` Update): reactivates the tenant if it may have been deactivated; the
 * outcome becomes `cancelled`. Returns the status with the decision recorded. Throws RequestRejectedError with the
 * workflow's reason (a decision was already made, the purge date passed, the run finished), NoOffboardingError, or
 * InvalidInputError.
 */
export function cancelOffboarding(
  client: Client,
  tenantId: string,
  args?: MessageArgs,
  selector: RunSelector = {},
): Promise<OffboardingStatus> {
  return decide(client, tenantId, 'cancel', args, selector);
}

/** Restores the tenant during the grace period (`reactivateTenant` Update); outcome `reactivated`. As cancel. */
export function reactivateTenant(
  client: Client,
  tenantId: string,
  args?: MessageArgs,
  selector: RunSelector = {},
): Promise<OffboardingStatus> {
  return decide(client, tenantId, 'reactivate', args, selector);
}
