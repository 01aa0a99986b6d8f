/**
 * The emergency-stop check a deactivate makes immediately before it is sent: is a stop in force that holds it? The
 * stops come from the stop registry's memo (src/client/stops.ts reads it with `describe()`, which the Temporal server
 * answers alone), so the check needs no worker of the registry and adds nothing to the offboarding's history.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { StopCheckFailureType } from '../shared/failure-types';
import { type Stop, stopHolding } from '../shared/stops';
import { listStops } from '../client/stops';

/**
 * How long the check waits for the server: one that does not answer fails this attempt (not sent), and the retry
 * asks again, instead of holding the activity for its whole timeout.
 */
const READ_DEADLINE_MS = 10_000;

/**
 * The stop in force that holds a deactivate of `deactivate.region` requested by `deactivate.requestedBy`, or
 * undefined when none does (also when the registry was never started).
 *
 * Fails closed: when the registry cannot be read (the server does not answer, the memo is malformed), it throws a
 * retryable ApplicationFailure of type `StopRegistryUnreadable`, and the caller must not send.
 *
 * @param client a client of the worker's namespace: in an activity, `Context.current().client` (SDK 1.24).
 * @param taskQueue the workflows' task queue (`TEMPORAL_TASK_QUEUE`, the worker config's `taskQueue`), not the
 *   region's `-register-<region>` queue the activity runs on: the registry belongs to the product's queue.
 */
export async function findStop(
  client: Client,
  taskQueue: string,
  deactivate: { region: string; requestedBy?: string },
): Promise<Stop | undefined> {
  let stops: Stop[];
  try {
    stops = await client.withDeadline(Date.now() + READ_DEADLINE_MS, () => listStops(client, { taskQueue }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw ApplicationFailure.create({
      type: StopCheckFailureType.StopRegistryUnreadable,
      message: `the stop registry of task queue ${taskQueue} could not be read, so the deactivate was not sent: ${message}`,
      nonRetryable: false,
      cause: error instanceof Error ? error : undefined,
    });
  }
  return stopHolding(stops, deactivate);
}
