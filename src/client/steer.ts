/**
 * Steering a running offboarding through the contract's Updates: the workflow answers with the status once the
 * decision (or approval) is recorded, or its validator rejects the request with a reason.
 */
import { type Client, type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApprovalArgs, MessageArgs, OffboardingStatus } from '../shared/contract';
import { workflowIdFor } from '../shared/contract';
import { validateApprovalArgs, validateMessageArgs, type Validated } from '../shared/input';
import { approveUpdate, cancelUpdate, reactivateUpdate } from '../workflows/definitions';
import { InvalidInputError, NoOffboardingError, RequestRejectedError, type SteeringRequest } from './errors';
import { describeLatest, isNotFound } from './runs';
import { validTenantId } from './tenant-id';

/** Which of the tenant's workflows: the real offboarding (default) or its dry run. */
export interface RunSelector {
  dryRun?: boolean;
}

/** Which run an approval goes to: by default the tenant's latest; with `runId`, that run and no other. */
export interface ApprovalSelector extends RunSelector {
  runId?: string;
}

/** Sends one Update (`send`) once its argument is valid; a rejection or a missing run becomes the library's error. */
async function sendUpdate<A>(
  client: Client,
  tenantId: string,
  request: SteeringRequest,
  validated: Validated<A>,
  selector: ApprovalSelector,
  send: (handle: WorkflowHandle, args: A) => Promise<OffboardingStatus>,
): Promise<OffboardingStatus> {
  validTenantId(tenantId);
  if (!validated.ok) throw new InvalidInputError(validated.problems);
  const workflowId = workflowIdFor(tenantId, selector.dryRun === true);
  try {
    return await send(client.workflow.getHandle(workflowId, selector.runId), validated.value);
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new RequestRejectedError(tenantId, request, error.cause?.message ?? error.message);
    }
    if (!isNotFound(error)) throw error;
    if (selector.runId) {
      throw new RequestRejectedError(
        tenantId,
        request,
        `run ${selector.runId} is no longer open (it ended or continued as new since it was listed)`,
      );
    }
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
  return sendUpdate(client, tenantId, 'cancel', validateMessageArgs(args), selector, (handle, valid) =>
    handle.executeUpdate(cancelUpdate, { args: [valid] }),
  );
}

/** Restores the tenant during the grace period (`reactivateTenant` Update); outcome `reactivated`. As cancel. */
export function reactivateTenant(
  client: Client,
  tenantId: string,
  args?: MessageArgs,
  selector: RunSelector = {},
): Promise<OffboardingStatus> {
  return sendUpdate(client, tenantId, 'reactivate', validateMessageArgs(args), selector, (handle, valid) =>
    handle.executeUpdate(reactivateUpdate, { args: [valid] }),
  );
}

/**
 * Approves the offboarding (`approveOffboarding` Update, "[4 of 4]") on workers with `OFFBOARD_APPROVAL=required`:
 * accepted while the run is `scheduled` (it takes effect at notBefore) or `awaiting-approval`, from someone other
 * than its requester. Returns the status with `approval` recorded. Throws RequestRejectedError with the workflow's
 * reason (self-approval, a second approval, another phase, no approval needed), NoOffboardingError, or
 * InvalidInputError (a blank `approvedBy`: nothing is sent).
 *
 * `approvedBy` is an audit record: who may send the Update at all is Temporal's access control (namespace
 * permissions, API keys, mTLS identities), and the history records the sender's Temporal identity.
 */
export function approveOffboarding(
  client: Client,
  tenantId: string,
  args: ApprovalArgs,
  selector: ApprovalSelector = {},
): Promise<OffboardingStatus> {
  return sendUpdate(client, tenantId, 'approve', validateApprovalArgs(args), selector, (handle, valid) =>
    handle.executeUpdate(approveUpdate, { args: [valid] }),
  );
}
