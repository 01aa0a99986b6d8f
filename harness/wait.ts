/** Bounded waiting for the reliability scenarios: every loop has a deadline and says what it waited for. */
import type { Client } from '@temporalio/client';
import type { OffboardingStatus, Phase } from '../src/shared/contract';
import { statusQuery } from '../src/workflows/definitions';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `intervalMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The run's status, or undefined when the query cannot be answered right now (e.g. no worker). */
export async function statusOf(client: Client, workflowId: string): Promise<OffboardingStatus | undefined> {
  return client.workflow
    .getHandle(workflowId)
    .query(statusQuery)
    .catch(() => undefined);
}

/** Waits until the run reports `phase`. */
export function waitForPhase(client: Client, workflowId: string, phase: Phase, timeoutMs: number): Promise<void> {
  return waitFor(
    `${workflowId} in phase ${phase}`,
    async () => (await statusOf(client, workflowId))?.phase === phase,
    timeoutMs,
    200,
  );
}
