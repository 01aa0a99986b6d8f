/**
 * A rate limit set on an activity task queue through Temporal's API (`UpdateTaskQueueConfig`, what
 * `temporal task-queue config set --queue-rps-limit` does): it overrides the workers' `maxTaskQueueActivitiesPerSecond`
 * until unset. The benchmark (and a test) use it to stage, never to measure: 0 holds a registration queue's tasks back while a
 * backlog is built on every partition, a high rate lets the set-up through quickly, and unsetting it hands the queue
 * back to the product's own limit (the budget) for the measurement.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** Sets the queue's API rate limit (calls per second; 0 pauses it), or unsets it with `undefined`. */
export async function setQueueRate(
  client: Client,
  taskQueue: string,
  callsPerSecond: number | undefined,
): Promise<void> {
  await client.workflowService.updateTaskQueueConfig({
    namespace: client.options.namespace,
    identity: 'qlik-offboard staging (bench, tests)',
    taskQueue,
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    updateQueueRateLimit:
      callsPerSecond === undefined
        ? {}
        : { rateLimit: { requestsPerSecond: callsPerSecond }, reason: 'staging a backlog' },
  });
}
