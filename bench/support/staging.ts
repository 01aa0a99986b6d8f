/**
 * How scenarios 5–7 set the stage before they measure: offboardings in their grace period (the ones a decision will
 * reactivate), and a backlog of deactivates queued on every partition of the registration queue. Both go through
 * the product's workflows and workers; only the pace differs from production: the queue's API rate limit
 * (`queue-rate.ts`) holds the backlog back until all of it is queued, or lets the set-up through faster than the
 * budget while the simulator's limit is off, so that none of it counts in the window the measurement is judged by.
 */
import { WORKFLOW_TYPE } from '../../src/shared/contract';
import { registerTaskQueueFor } from '../../src/registration-budget';
import type { RequestLogEntry } from '../../src/simulator';
import { startAll, waitForCount } from './batch';
import { offboardingJobs, REGION, tenantIds, type BenchContext } from './context';
import { activityPartitions, partitionBacklogs } from './partitions';
import type { BenchOptions } from '../options';
import type { rateLimitedSettings } from '../scenarios/rate-limited';
import { type ProductWorkers, startProductWorkers } from './product-run';
import { setQueueRate } from '../../harness/queue-rate';

/**
 * The two product workers of one rate-limited or scale scenario's run on one layout, at `budgetPerMinute`, with the scaled Qlik
 * timings and the benchmark's worker flags.
 */
export function startScaleWorkers(
  ctx: BenchContext,
  label: string,
  options: BenchOptions,
  s: ReturnType<typeof rateLimitedSettings>,
  budgetPerMinute: number,
): Promise<ProductWorkers> {
  return startProductWorkers(ctx, label, 2, {
    registerCallsPerMinute: budgetPerMinute,
    dayMs: s.dayMs,
    probeInitialIntervalMs: s.probeInitialIntervalMs,
    probeMaxIntervalMs: s.probeMaxIntervalMs,
    reports: options.reports,
    nodeOptions: options.workerNodeOptions,
    extraEnv: options.workerEnv,
  });
}

/** The registration queue of the bench's region for these workers. */
export function registerQueueOf(workers: ProductWorkers): string {
  return registerTaskQueueFor(workers.taskQueue, REGION);
}

/**
 * Starts `count` offboardings and waits until each is in its grace period, the registration queue let through at
 * `callsPerSecond` (the caller switches the simulator's limit off first, so that the set-up is not rate-limited
 * by Qlik and does not count against the measurement's window). Returns the tenant IDs.
 */
export async function settleInGracePeriod(
  ctx: BenchContext,
  workers: ProductWorkers,
  options: { label: string; count: number; purgeAfterDays: number; callsPerSecond: number; timeoutMs: number },
): Promise<string[]> {
  const tenants = tenantIds(ctx, options.label, options.count);
  await setQueueRate(ctx.client, registerQueueOf(workers), options.callsPerSecond);
  await startAll(ctx.client, {
    taskQueue: workers.taskQueue,
    workflowType: WORKFLOW_TYPE,
    jobs: offboardingJobs(ctx, tenants, options.purgeAfterDays),
  });
  const inGrace = await waitForCount(
    ctx.client,
    `TaskQueue = "${workers.taskQueue}" AND OffboardingPhase = "grace-period"`,
    options.count,
    { timeoutMs: options.timeoutMs },
  );
  if (inGrace < options.count) {
    throw new Error(`set-up: only ${inGrace} of ${options.count} offboardings reached their grace period in time`);
  }
  return tenants;
}

/** A backlog of deactivates queued on the registration queue, and where it lies. */
export interface QueuedBacklog {
  tenants: string[];
  /** The registration queue's partitions (names as the server gives them). */
  partitions: string[];
  /** Each partition's backlog once everything was queued. */
  queuedPerPartition: number[];
}

/**
 * Holds the registration queue (rate 0), starts `count` offboardings (10-day grace period), and waits until every
 * deactivate is queued. The queue stays held: the caller releases it (`setQueueRate(…, undefined)`) when it starts
 * to measure.
 */
export async function queueDeactivations(
  ctx: BenchContext,
  workers: ProductWorkers,
  options: { label: string; count: number; timeoutMs: number },
): Promise<QueuedBacklog> {
  const queue = registerQueueOf(workers);
  await setQueueRate(ctx.client, queue, 0);
  const tenants = tenantIds(ctx, options.label, options.count);
  const before = await activityPartitions(ctx.client, queue).then((p) => partitionBacklogs(ctx.client, p));
  const already = before.reduce((a, b) => a + b, 0);
  await startAll(ctx.client, {
    taskQueue: workers.taskQueue,
    workflowType: WORKFLOW_TYPE,
    jobs: offboardingJobs(ctx, tenants, 10),
  });
  const partitions = await activityPartitions(ctx.client, queue);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const queued = await partitionBacklogs(ctx.client, partitions);
    if (queued.reduce((a, b) => a + b, 0) >= already + options.count) {
      return { tenants, partitions, queuedPerPartition: queued };
    }
    if (Date.now() > deadline) {
      throw new Error(`set-up: ${queued.join(' + ')} deactivates queued of ${already + options.count} in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Waits until `done(requests of the run so far)` holds, polling the simulator's log; false when `timeoutMs` passed. */
export async function waitForRequests(
  ctx: BenchContext,
  done: (requests: RequestLogEntry[]) => boolean,
  options: { timeoutMs: number; pollMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (done(ctx.sim.requests())) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
