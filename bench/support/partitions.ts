/**
 * What the server says about each partition of an activity task queue: how many partitions it has, and the backlog
 * of each. The rate scenarios measure only while every partition holds a backlog (a partition with nothing queued
 * leaves its share of the limit unused, which says nothing about the limiter), and these reads are how they know.
 *
 * Both are public API: `ListTaskQueuePartitions` names the partitions (`<queue>`, `/_sys/<queue>/1`, …), and the
 * legacy `DescribeTaskQueue` of one partition by that name, with `includeTaskQueueStatus`, gives its
 * `backlogCountHint` (approximate: tasks written minus tasks acknowledged).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;

/** The activity partitions of `taskQueue`, root first (the server names them; it also creates them on first use). */
export async function activityPartitions(client: Client, taskQueue: string): Promise<string[]> {
  const answer = await client.workflowService.listTaskQueuePartitions({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
  });
  const names = (answer.activityTaskQueuePartitions ?? []).map((p) => p.key ?? '').filter((key) => key !== '');
  return names.length > 0 ? names : [taskQueue];
}

/** Each partition's approximate backlog, in the order of `partitions`. */
export async function partitionBacklogs(client: Client, partitions: readonly string[]): Promise<number[]> {
  return Promise.all(
    partitions.map(async (name) => {
      const answer = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        includeTaskQueueStatus: true,
      });
      return Number(answer.taskQueueStatus?.backlogCountHint ?? 0);
    }),
  );
}

/** Backlog samples of every partition, taken every `everyMs` until `stop()`. */
export interface BacklogWatch {
  partitions: string[];
  /** The smallest backlog seen on each partition between `from` and `to` (client clock); undefined without samples. */
  minimumBetween(from: number, to: number): number[] | undefined;
  stop(): Promise<void>;
}

/** Starts sampling the backlog of every partition of `taskQueue`. */
export async function watchBacklogs(client: Client, taskQueue: string, everyMs = 1_000): Promise<BacklogWatch> {
  const partitions = await activityPartitions(client, taskQueue);
  const samples: { at: number; backlogs: number[] }[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      try {
        samples.push({ at, backlogs: await partitionBacklogs(client, partitions) });
      } catch {
        // a sample lost to a busy server; the next one counts
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (Date.now() - at))));
    }
  })();
  return {
    partitions,
    minimumBetween(from, to) {
      const inside = samples.filter((s) => s.at >= from && s.at <= to);
      if (inside.length === 0) return undefined;
      return partitions.map((_, i) => Math.min(...inside.map((s) => s.backlogs[i]!)));
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
