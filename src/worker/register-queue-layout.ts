/**
 * The start-up look at each registration queue's layout (issue "[3 of 4] Operations at scale"; the budget story is
 * in `src/registration-budget.ts`, point 4). The server splits a queue's rate limit evenly among its partitions, so
 * a task waits for its own partition's next slot: up to partitions × 60 ÷ budget seconds. On one partition (the dev
 * server) that is 60 ÷ budget; on a cluster's default of 4 partitions and a budget of 30/min it is 8 s, and a decided
 * reactivation, first in its partition's line, can miss its 5 s. Nothing fails loudly — so the worker reads each
 * queue's partitions at start and says what they mean, with a warning (and what to configure) when the wait can pass
 * the target. It also warns of a rate limit set on the queue through the API, which overrides the workers' budget.
 *
 * Non-fatal and bounded: one call of each kind per region, each with a deadline; any error is one warning.
 */
import type { Logger } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { WorkerConfig } from '../config/worker-config';
import { partitionSlotSeconds, REACTIVATION_SEND_TARGET_MS, registerTaskQueueFor } from '../registration-budget';
import type { VisibilityConnection } from './stranded-register-queues';

const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;

const CALL_TIMEOUT_MS = 10_000;

/** What the server says about one region's registration queue. */
export interface RegisterQueueLayout {
  region: string;
  registerTaskQueue: string;
  /** Partitions the queue's activity tasks are spread over (the limit is split among them). */
  partitions: number;
  /** A rate limit set on the queue through the API, in calls per second: it overrides the workers' budget. */
  apiCallsPerSecond?: number;
}

/** Reads the layout of the registration queue of each region this worker serves. */
export async function readRegisterQueueLayouts(options: {
  connection: VisibilityConnection;
  namespace: string;
  config: Pick<WorkerConfig, 'taskQueue' | 'regions'>;
  now?: () => number;
}): Promise<RegisterQueueLayout[]> {
  const { connection, namespace, config } = options;
  const now = options.now ?? Date.now;
  const withDeadline = <R>(fn: () => Promise<R>) => connection.withDeadline(now() + CALL_TIMEOUT_MS, fn);
  return Promise.all(
    config.regions.map(async (region) => {
      const registerTaskQueue = registerTaskQueueFor(config.taskQueue, region);
      const taskQueue = { name: registerTaskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
      // The server names the partitions its matching service writes tasks to; it does so for a queue not used yet.
      const listed = await withDeadline(() =>
        connection.workflowService.listTaskQueuePartitions({ namespace, taskQueue }),
      );
      const described = await withDeadline(() =>
        connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue,
          taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          reportConfig: true,
        }),
      );
      const apiRate = described.config?.queueRateLimit?.rateLimit?.requestsPerSecond;
      return {
        region,
        registerTaskQueue,
        partitions: Math.max(1, listed.activityTaskQueuePartitions?.length ?? 1),
        ...(typeof apiRate === 'number' ? { apiCallsPerSecond: apiRate } : {}),
      };
    }),
  );
}

/** One line for the log. */
export interface LayoutFinding {
  level: 'info' | 'warn';
  message: string;
}

const perMinute = (value: number) => `${Number(value.toFixed(2))}/min`;

/** What a queue's layout means for the budget and for a decided reactivation. */
export function layoutFindings(layout: RegisterQueueLayout, callsPerMinute: number): LayoutFinding[] {
  const { registerTaskQueue: queue, partitions } = layout;
  const slotS = partitionSlotSeconds({ partitions, callsPerMinute });
  const findings: LayoutFinding[] = [];
  if (partitions === 1) {
    findings.push({
      level: 'info',
      message:
        `registration queue ${queue}: 1 partition, the limit of ${perMinute(callsPerMinute)} is enforced whole; ` +
        `a decided reactivation waits at most ${slotS.toFixed(1)} s for a slot`,
    });
  } else if (slotS * 1000 > REACTIVATION_SEND_TARGET_MS) {
    const budgetNeeded = Math.ceil((partitions * 60_000) / REACTIVATION_SEND_TARGET_MS);
    findings.push({
      level: 'warn',
      message:
        `registration queue ${queue}: ${partitions} partitions split the limit of ${perMinute(callsPerMinute)} ` +
        `into shares of ${perMinute(callsPerMinute / partitions)}; a decided reactivation may wait up to ` +
        `${slotS.toFixed(1)} s for its partition's next slot, more than ${REACTIVATION_SEND_TARGET_MS / 1000} s. ` +
        `Give this queue one partition (dynamic config matching.numTaskqueueWritePartitions, then ` +
        `matching.numTaskqueueReadPartitions, = 1 with the constraint taskQueueName: ${queue}; ` +
        `docs/performance.md, "What operators configure"), or a budget of at least ${budgetNeeded}/min`,
    });
  } else {
    findings.push({
      level: 'info',
      message:
        `registration queue ${queue}: ${partitions} partitions split the limit of ${perMinute(callsPerMinute)} ` +
        `into shares of ${perMinute(callsPerMinute / partitions)}; a decided reactivation waits at most ` +
        `${slotS.toFixed(1)} s for its partition's next slot; the tail of a wave runs below the budget ` +
        `(one partition avoids both: docs/performance.md)`,
    });
  }
  if (layout.apiCallsPerSecond !== undefined) {
    const apiPerMinute = layout.apiCallsPerSecond * 60;
    findings.push({
      level: 'warn',
      message:
        `registration queue ${queue}: a rate limit of ${perMinute(apiPerMinute)} set through the API overrides ` +
        `QLIK_REGISTER_CALLS_PER_MINUTE (${perMinute(callsPerMinute)})` +
        (apiPerMinute > callsPerMinute ? '; it is above the budget, so Qlik may answer 429' : '') +
        `; unset it with: temporal task-queue config set --task-queue ${queue} --task-queue-type activity ` +
        `--queue-rps-limit default`,
    });
  }
  return findings;
}

/** Reads and logs the layout of every registration queue; resolves when done, never rejects. */
export async function reportRegisterQueueLayouts(options: {
  connection: VisibilityConnection;
  namespace: string;
  config: Pick<WorkerConfig, 'taskQueue' | 'regions' | 'registerCallsPerMinute'>;
  logger: Logger;
}): Promise<LayoutFinding[]> {
  const { logger, config } = options;
  try {
    const layouts = await readRegisterQueueLayouts(options);
    const findings = layouts.flatMap((layout) => layoutFindings(layout, config.registerCallsPerMinute));
    for (const finding of findings) logger[finding.level](finding.message);
    return findings;
  } catch (error) {
    const finding: LayoutFinding = {
      level: 'warn',
      message:
        `could not read the partitions of the registration queues (${error instanceof Error ? error.message : String(error)}): ` +
        `how long a decided reactivation may wait for a slot is not checked (docs/performance.md)`,
    };
    logger.warn(finding.message);
    return [finding];
  }
}
