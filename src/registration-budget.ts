/**
 * The registration budget: the rate limit on the registration calls (deactivate, reactivate) sent to one region's
 * Qlik registration host, across every worker process. Qlik allows 100 tier-2 calls a minute per OAuth client,
 * counted over 5 minutes (QLIK-API §7); the product stays under that rather than leaning on 429s.
 *
 * The whole story, in the order a call meets it:
 *
 * 1. The number: `QLIK_REGISTER_CALLS_PER_MINUTE` (default 90), parsed with the rest of the configuration in
 *    `src/config/worker-config.ts` (`registerCallsPerMinute`) and passed in here.
 * 2. The queue: each region's registration calls have their own task queue, `<task queue>-register-<region>`
 *    ({@link registerTaskQueueFor}). The settings local activity (`src/activities/settings.ts`) records the
 *    region → queue map in each run's history, and the workflow (`registerCalls` in `src/workflows/calls.ts`)
 *    schedules deactivate and reactivate there: an open run keeps the queue name it started with.
 * 3. The limit: the workers of those queues ({@link registerWorkerOptions}, created in `src/worker/create-workers.ts`)
 *    declare `maxTaskQueueActivitiesPerSecond` = budget ÷ 60. The Temporal server enforces it per queue, for all the
 *    workers polling it together, not per worker.
 * 4. The partitions: the server splits a queue into partitions (1 on `temporal-dev.sh`'s dev server, 4 by default on
 *    a cluster) and gives each partition an equal share of the limit, enforced on its own. The sum is the budget,
 *    and with a backlog on every partition it is used in full (docs/performance.md, scenario 5); but a partition
 *    with nothing queued leaves its share unused (the tail of a wave), and a task waits for the next slot of its own
 *    partition: up to {@link partitionSlotSeconds} = partitions × 60 ÷ budget seconds. Within a partition, tasks go
 *    by priority (`REGISTER_PRIORITY` in `src/workflows/calls.ts`: reactivate before deactivate), so that wait is
 *    what a decided reactivation waits at most. `src/worker/register-queue-layout.ts` reads each queue's partitions
 *    at start and warns when that wait exceeds {@link REACTIVATION_SEND_TARGET_MS}, or when a rate limit set through
 *    the API (`temporal task-queue config set --queue-rps-limit`, split the same way) overrides the budget.
 * 5. A queue that open runs use but no worker polls any more (a region dropped, the task queue renamed) is warned
 *    about at start by `src/worker/stranded-register-queues.ts`.
 * 6. When Qlik answers 429 anyway, each of these files does its own part, and none repeats another's:
 *    - `src/http/index.ts` (`parseRetryAfter`) reads `retry-after`: delta-seconds or an HTTP date, 1 s when garbled,
 *      at most an hour;
 *    - `src/qlik/errors.ts` maps the 429 to a `RateLimited` QlikError whose `retryAfterMs` is that (1 s without one);
 *    - `src/activities/failures.ts` turns it into a retryable ApplicationFailure with `nextRetryDelay`: Temporal
 *      waits that long, and the retry goes through the queue, and its limit, again;
 *    - `src/activities/reactivation.ts` does the same for a reactivation round's `ReactivationPending` retry, and a
 *      round does not end while Qlik asks to wait;
 *    - `src/qlik/token-cache.ts` holds back a region's token requests until then after a 429 from the token endpoint.
 *      The token request shares Qlik's tier-2 limit but not this queue: it is a local activity, about one per process
 *      and token lifetime;
 *    - `src/metrics/qlik-metrics.ts` counts the 429s (`qlik_rate_limited`).
 *
 * Not part of this budget: a tenant host's 429 or 503 to the credential-free probe (`src/qlik/probe.ts`; the probe
 * loops wait at least as long as asked) and a webhook receiver's 429 (`src/reports/failures.ts`). The simulator plays
 * Qlik's side of the limit in `src/simulator/rate-limit.ts`.
 *
 * Pure functions and type imports only (no Node built-ins, no I/O), so that workflow code may use the queue names.
 */
import type { WorkerOptions } from '@temporalio/worker';

/** Task queue of one region's registration calls: rate-limited server-side, shared by every worker. */
export function registerTaskQueueFor(taskQueue: string, region: string): string {
  return `${taskQueue}-register-${region}`;
}

/** The registration queue of each region, keyed by region (in the order given). */
export function registerTaskQueuesFor(taskQueue: string, regions: readonly string[]): Record<string, string> {
  return Object.fromEntries(regions.map((region) => [region, registerTaskQueueFor(taskQueue, region)]));
}

/** The per-queue rate Temporal takes (activities per second) for a budget given per minute. */
export function registerCallsPerSecond(callsPerMinute: number): number {
  return callsPerMinute / 60;
}

/** What makes a worker one of a region's registration workers: its queue and the budget's limit on it. */
export function registerWorkerOptions(options: {
  taskQueue: string;
  region: string;
  callsPerMinute: number;
}): Pick<WorkerOptions, 'taskQueue' | 'maxTaskQueueActivitiesPerSecond'> {
  return {
    taskQueue: registerTaskQueueFor(options.taskQueue, options.region),
    maxTaskQueueActivitiesPerSecond: registerCallsPerSecond(options.callsPerMinute),
  };
}

/**
 * How soon a decided reactivation must be sent (issue "[3 of 4] Operations at scale": within seconds, whatever the
 * backlog; the benchmark and the start-up check hold it to this).
 */
export const REACTIVATION_SEND_TARGET_MS = 5_000;

/**
 * The spacing of one partition's slots, in seconds: the server gives each of a queue's `partitions` an equal share
 * of the limit, so a task first in its partition's line waits at most this long for a slot, even with every other
 * partition idle. (30 calls/min on 4 partitions: 8 s; on 1 partition: 2 s.)
 */
export function partitionSlotSeconds(options: { partitions: number; callsPerMinute: number }): number {
  return (Math.max(1, options.partitions) * 60) / options.callsPerMinute;
}
