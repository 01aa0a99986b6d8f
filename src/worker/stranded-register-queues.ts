/**
 * The start-up check for stranded registration queues (issue 10, item 7). Each open run sends its registration
 * calls (deactivate, reactivate) to `<taskQueue>-register-<region>`, named by the task queue and the regions of the
 * worker that started it. Remove the region from `QLIK_REGIONS`, or rename the task queue, and no worker polls that
 * queue any more: a reactivation decided for those runs is never sent, and the tenants are purged. Nothing fails
 * loudly — so the worker looks at start and warns, one line per stranded queue, saying what to do.
 *
 * Non-fatal and bounded: at most 10,000 open runs are read, every call has a deadline, and any error is a warning.
 */
import type { Logger } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { WorkerConfig } from '../config/worker-config';
import { registerTaskQueueFor } from '../registration-budget';
import { isRegionCode, WORKFLOW_TYPE } from '../shared/contract';
import { searchAttributes } from '../workflows/definitions';

const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;

/** What the check needs of a connection: `Connection` (client) and `NativeConnection` (worker) both fit. */
export interface VisibilityConnection {
  workflowService: temporal.api.workflowservice.v1.WorkflowService;
  withDeadline<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
}

/** A registration queue that open runs use, with who uses it. */
export interface RegisterQueueUse {
  registerTaskQueue: string;
  /** The runs' (workflow) task queue. */
  taskQueue: string;
  region: string;
  openRuns: number;
}

export interface StrandedQueueCheckOptions {
  connection: VisibilityConnection;
  namespace: string;
  /** This worker's task queue and regions: the queues it polls itself are not checked. */
  config: Pick<WorkerConfig, 'taskQueue' | 'regions'>;
  /** Open runs read at most (default 10,000), in pages of 1,000. */
  maxRuns?: number;
  /** The whole check gives up after this long (default 30 s); each call after 10 s. */
  timeoutMs?: number;
  /**
   * A poller counts as a worker only if it polled this recently (default 90 s; an idle worker re-polls about every
   * minute). The server keeps a stopped worker in the queue's poller list for minutes after it stopped.
   */
  livePollerWindowMs?: number;
  now?: () => number;
}

export interface StrandedQueueCheck {
  /** Queues with open runs that no worker polls. */
  stranded: RegisterQueueUse[];
  /** Queues with open runs that some other worker polls now (see {@link warnOfStrandedRegisterQueues}'s re-check). */
  polled: RegisterQueueUse[];
  scannedRuns: number;
  /** False when the scan stopped at `maxRuns` (or its time ran out): more runs may use other queues. */
  complete: boolean;
}

const QUERY = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
const PAGE_SIZE = 1_000;
const CALL_TIMEOUT_MS = 10_000;

function keywordOf(payload: temporal.api.common.v1.IPayload | null | undefined): string | undefined {
  if (!payload) return undefined;
  try {
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    const first = Array.isArray(value) ? (value as unknown[])[0] : value;
    return typeof first === 'string' ? first : undefined;
  } catch {
    return undefined;
  }
}

function timestampMs(ts: unknown): number | undefined {
  const t = ts as { seconds?: number | { toString(): string } | null; nanos?: number | null } | null | undefined;
  if (!t || t.seconds === undefined || t.seconds === null) return undefined;
  const seconds = typeof t.seconds === 'number' ? t.seconds : Number(t.seconds.toString());
  return seconds * 1_000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** Finds the registration queues that open runs use and no worker polls. Throws on a visibility or RPC error. */
export async function findStrandedRegisterQueues(options: StrandedQueueCheckOptions): Promise<StrandedQueueCheck> {
  const { connection, namespace, config } = options;
  const now = options.now ?? Date.now;
  const maxRuns = options.maxRuns ?? 10_000;
  const until = now() + (options.timeoutMs ?? 30_000);
  const liveWindowMs = options.livePollerWindowMs ?? 90_000;
  const call = <R>(fn: () => Promise<R>): Promise<R> =>
    connection.withDeadline(Math.min(until, now() + CALL_TIMEOUT_MS), fn);

  const ours = new Set(config.regions.map((region) => registerTaskQueueFor(config.taskQueue, region)));
  const uses = new Map<string, RegisterQueueUse>();
  let scannedRuns = 0;
  let complete = false;
  let nextPageToken: Uint8Array | undefined;
  while (scannedRuns < maxRuns && now() < until) {
    const page = await call(() =>
      connection.workflowService.listWorkflowExecutions({
        namespace,
        query: QUERY,
        pageSize: Math.min(PAGE_SIZE, maxRuns - scannedRuns),
        nextPageToken,
      }),
    );
    for (const execution of page.executions ?? []) {
      scannedRuns += 1;
      const taskQueue = execution.taskQueue ?? '';
      const region = keywordOf(execution.searchAttributes?.indexedFields?.[searchAttributes.region.name]);
      // A run without a (valid) region has made no registration call and never will.
      if (taskQueue === '' || region === undefined || !isRegionCode(region)) continue;
      const registerTaskQueue = registerTaskQueueFor(taskQueue, region);
      if (ours.has(registerTaskQueue)) continue;
      const use = uses.get(registerTaskQueue) ?? { registerTaskQueue, taskQueue, region, openRuns: 0 };
      use.openRuns += 1;
      uses.set(registerTaskQueue, use);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    if (!nextPageToken) {
      complete = true;
      break;
    }
  }

  const stranded: RegisterQueueUse[] = [];
  const polled: RegisterQueueUse[] = [];
  for (const use of [...uses.values()].sort((a, b) => a.registerTaskQueue.localeCompare(b.registerTaskQueue))) {
    if (await hasLivePoller(use.registerTaskQueue)) polled.push(use);
    else stranded.push(use);
  }
  return { stranded, polled, scannedRuns, complete };

  async function hasLivePoller(taskQueue: string): Promise<boolean> {
    const { pollers } = await call(() =>
      connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      }),
    );
    return (pollers ?? []).some((poller) => {
      const seen = timestampMs(poller.lastAccessTime);
      return seen === undefined || now() - seen <= liveWindowMs;
    });
  }
}

/** The warning for one stranded queue: what is wrong, what it risks, and what to do. */
export function strandedQueueMessage(use: RegisterQueueUse): string {
  const one = use.openRuns === 1;
  return (
    `STRANDED REGISTRATION QUEUE: ${use.openRuns} open offboardTenant run${one ? '' : 's'} of region ${use.region} ` +
    `(task queue ${use.taskQueue}) ${one ? 'sends its' : 'send their'} deactivate and reactivate calls to task ` +
    `queue ${use.registerTaskQueue}, which no worker polls: a reactivation decided for ${one ? 'it' : 'them'} would ` +
    `never be sent, and the tenant${one ? '' : 's'} would be purged. Keep a worker with ` +
    `TEMPORAL_TASK_QUEUE=${use.taskQueue} serving region ${use.region} (in QLIK_REGIONS, with its credentials) ` +
    `running until those runs end; list them with: temporal workflow list --query ` +
    `"${QUERY} AND TaskQueue = '${use.taskQueue}' AND QlikRegion = '${use.region}'"`
  );
}

export interface StrandedQueueWatch {
  /** Settles (never rejects) when the start-up check has logged what it found. */
  checked: Promise<void>;
  /** Cancels the re-check (at shutdown). */
  stop(): void;
}

/**
 * Runs the check and logs a warning per stranded queue (never throws: an error is a warning too). A queue that
 * another worker seems to poll is checked once more after `recheckAfterMs` (default 2.5 min, 0 for none): a worker
 * stopped just before this one started still shows as a poller for a while, as in a deploy that drops a region.
 */
export function warnOfStrandedRegisterQueues(
  options: StrandedQueueCheckOptions & { logger: Logger; recheckAfterMs?: number },
): StrandedQueueWatch {
  const { logger } = options;
  const recheckAfterMs = options.recheckAfterMs ?? 150_000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const warnAll = (found: RegisterQueueUse[]): void => {
    for (const use of found) {
      logger.warn(strandedQueueMessage(use), {
        registerTaskQueue: use.registerTaskQueue,
        taskQueue: use.taskQueue,
        region: use.region,
        openRuns: use.openRuns,
      });
    }
  };
  const warnFailure = (error: unknown): void =>
    logger.warn(
      `could not check for stranded registration queues (the worker runs anyway): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );

  const checked = (async () => {
    try {
      const result = await findStrandedRegisterQueues(options);
      warnAll(result.stranded);
      if (!result.complete) {
        logger.warn(
          `stranded registration queues: only ${result.scannedRuns} open runs were checked; others may use ` +
            'queues that no worker polls',
        );
      }
      if (result.polled.length === 0 || recheckAfterMs <= 0 || stopped) return;
      const suspects = new Set(result.polled.map((use) => use.registerTaskQueue));
      timer = setTimeout(() => {
        findStrandedRegisterQueues(options)
          .then((again) => warnAll(again.stranded.filter((use) => suspects.has(use.registerTaskQueue))))
          .catch(warnFailure);
      }, recheckAfterMs);
      timer.unref();
    } catch (error) {
      warnFailure(error);
    }
  })();

  return {
    checked,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
