/**
 * Extending the grace period (`extendGracePeriod` Update, "[4 of 4]"): the workflow answers once the extension is
 * recorded; Qlik's answer to the repeat deactivate comes later (behind the region's queue), which
 * {@link waitForExtension} waits for.
 */
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ExtendGracePeriodArgs, GraceExtension, OffboardingStatus } from '../shared/contract';
import { workflowIdFor } from '../shared/contract';
import { validateExtensionArgs } from '../shared/input';
import { extendUpdate, statusQuery } from '../workflows/definitions';
import { InvalidInputError, NoOffboardingError, RequestRejectedError } from './errors';
import { isNotFound } from './runs';
import { validTenantId } from './tenant-id';

/**
 * Asks for a later purge date: a repeat deactivate with `purgeAfterDays` (10–90), during the grace period only.
 * Returns the status with the extension recorded as `requested`. Throws RequestRejectedError with the workflow's
 * reason (not in the grace period, a decision made, an extension in flight, an earlier date than the current one),
 * NoOffboardingError, or InvalidInputError (nothing sent).
 */
export async function extendGracePeriod(
  client: Client,
  tenantId: string,
  args: ExtendGracePeriodArgs,
): Promise<OffboardingStatus> {
  validTenantId(tenantId);
  const validated = validateExtensionArgs(args);
  if (!validated.ok) throw new InvalidInputError(validated.problems);
  const workflowId = workflowIdFor(tenantId, false);
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(extendUpdate, { args: [validated.value] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new RequestRejectedError(tenantId, 'extend', error.cause?.message ?? error.message);
    }
    if (isNotFound(error)) throw new NoOffboardingError(tenantId, workflowId);
    throw error;
  }
}

/**
 * Waits until the extension recorded at `at` is applied or refused (polling the `status` query every `intervalMs`),
 * following a continue-as-new; returns it. Gives up with an error after `timeoutMs`.
 */
export async function waitForExtension(
  client: Client,
  tenantId: string,
  at: string,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<GraceExtension> {
  const { intervalMs = 2_000, timeoutMs = 3_600_000 } = options;
  const handle = client.workflow.getHandle(workflowIdFor(tenantId, false));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    const extension = status.extensions?.find((e) => e.at === at);
    if (extension && extension.state !== 'requested') return extension;
    if (!extension && status.extensionsOmitted === undefined) {
      throw new Error(`tenant ${tenantId}: no extension asked at ${at} in its status`);
    }
    if (Date.now() > deadline) throw new Error(`tenant ${tenantId}: the extension asked at ${at} is still requested`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
