/**
 * When an activity of a workflow was scheduled and when a worker started it, from the workflow's history (server
 * clock): the part of a call's latency spent waiting in its task queue, told apart from the worker's own time.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

function eventMs(event: temporal.api.history.v1.IHistoryEvent): number | undefined {
  const t = event.eventTime;
  if (!t?.seconds) return undefined;
  return Number(t.seconds.toString()) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** When the first `activityType` activity of a workflow was scheduled and started (server clock, ms). */
export interface ActivityTimes {
  scheduledMs: number;
  /** Undefined while the activity runs: Temporal writes an activity's started event when the activity closes. */
  startedMs?: number;
}

/** The first `activityType` activity's times, from the workflow's history; undefined when it has none. */
export async function firstActivityTimes(
  client: Client,
  workflowId: string,
  activityType: string,
): Promise<ActivityTimes | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
      e.activityTaskScheduledEventAttributes?.activityType?.name === activityType,
  );
  const scheduledMs = scheduled ? eventMs(scheduled) : undefined;
  if (!scheduled || scheduledMs === undefined) return undefined;
  const started = events.find(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
  );
  const startedMs = started ? eventMs(started) : undefined;
  return startedMs === undefined ? { scheduledMs } : { scheduledMs, startedMs };
}

/** The times of many workflows' first `activityType` activity, `concurrency` histories read at a time. */
export async function activityTimesOf(
  client: Client,
  workflowIds: readonly string[],
  activityType: string,
  concurrency = 16,
): Promise<Map<string, ActivityTimes>> {
  const found = new Map<string, ActivityTimes>();
  let next = 0;
  const lane = async () => {
    while (next < workflowIds.length) {
      const id = workflowIds[next++]!;
      const times = await firstActivityTimes(client, id, activityType).catch(() => undefined);
      if (times) found.set(id, times);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return found;
}
