/**
 * Signals to a workflow ID whose run may be continuing as new: a signal that reaches the closing run is refused
 * ("workflow execution already completed"); sent again a moment later, it goes to the new run. On a loaded machine the
 * hand-over takes a while, so the retries back off (up to about 6 s in all).
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { MessageArgs } from '../../src/shared/contract';
import { reactivateSignal } from '../../src/workflows/definitions';

const ATTEMPTS = 8;

export async function reactivateAcrossContinueAsNew(
  client: Client,
  workflowId: string,
  args: MessageArgs,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.workflow.getHandle(workflowId).signal(reactivateSignal, args);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (attempt - 1)));
    }
  }
}
