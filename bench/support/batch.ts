/**
 * Starting a batch of workflows and waiting for them, as a customer-lifecycle system would: many starts at once,
 * then nothing but waiting. Times come from the server's own records (start and close times in visibility), so the
 * polling interval of the wait does not blur them.
 */
import type { Client } from '@temporalio/client';

/** One workflow to start. */
export interface Job {
  workflowId: string;
  args: unknown[];
}

/** What visibility says about one closed (or still open) run. */
export interface ExecutionSummary {
  workflowId: string;
  status: string;
  startMs: number;
  closeMs?: number;
  historyLength: number;
  historySize?: number;
}

export interface BatchResult {
  /** Client clock just before the first start request. */
  startedAtMs: number;
  /** Client clock when every start request had been answered. */
  startsDoneAtMs: number;
  /** Client clock when the wait ended (the end condition seen, or the deadline). */
  endedAtMs: number;
  /** The batch's runs as visibility lists them (only the batch's IDs). */
  executions: ExecutionSummary[];
  /** Latest close time, server clock; undefined when some run was still open at the deadline. */
  lastCloseMs?: number;
  /** Runs that did not close in time, or closed other than Completed. */
  problems: string[];
}

/** Starts every job, at most `concurrency` start requests in flight. */
export async function startAll(
  client: Client,
  options: { taskQueue: string; workflowType: string; jobs: Job[]; concurrency?: number },
): Promise<{ startedAtMs: number; startsDoneAtMs: number }> {
  const startedAtMs = Date.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < options.jobs.length) {
      const job = options.jobs[next++]!;
      await client.workflow.start(options.workflowType, {
        taskQueue: options.taskQueue,
        workflowId: job.workflowId,
        args: job.args,
      });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 32 }, lane));
  return { startedAtMs, startsDoneAtMs: Date.now() };
}

/** Polls `count(query)` until it reaches `target` (`>=`) or `timeoutMs` passes; returns the last count. */
export async function waitForCount(
  client: Client,
  query: string,
  target: number,
  options: { timeoutMs: number; pollMs?: number; atMost?: boolean; onPoll?: (count: number) => void },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const { count } = await client.workflow.count(query);
    options.onPoll?.(count);
    const reached = options.atMost ? count <= target : count >= target;
    if (reached || Date.now() >= deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

/** Visibility's record of the runs with the given IDs on `taskQueue`. */
export async function summarize(
  client: Client,
  taskQueue: string,
  ids: ReadonlySet<string>,
): Promise<ExecutionSummary[]> {
  const found: ExecutionSummary[] = [];
  for await (const info of client.workflow.list({ query: `TaskQueue = "${taskQueue}"`, pageSize: 1000 })) {
    if (!ids.has(info.workflowId)) continue;
    found.push({
      workflowId: info.workflowId,
      status: info.status.name,
      startMs: info.startTime.getTime(),
      closeMs: info.closeTime?.getTime(),
      historyLength: info.historyLength,
      historySize: info.historySize,
    });
  }
  return found;
}

/**
 * What a batch waits for: every run closed (the default), or every run in `phase` (the `OffboardingPhase` search
 * attribute, e.g. the grace period, where an offboarding sleeps for days).
 */
export type BatchEnd = { closed: true } | { phase: string };

/** Starts the batch, waits until `until` holds for every run (or `timeoutMs`), and reads visibility. */
export async function runBatch(
  client: Client,
  options: {
    taskQueue: string;
    workflowType: string;
    jobs: Job[];
    timeoutMs: number;
    until?: BatchEnd;
    log?: (line: string) => void;
  },
): Promise<BatchResult> {
  const { taskQueue, jobs } = options;
  const until = options.until ?? { closed: true };
  const { startedAtMs, startsDoneAtMs } = await startAll(client, options);
  let lastLog = Date.now();
  const progress = (done: number, what: string) => {
    if (Date.now() - lastLog >= 10_000) {
      lastLog = Date.now();
      options.log?.(`  ${done}/${jobs.length} ${what}`);
    }
  };
  let missing: number;
  if ('phase' in until) {
    const reached = await waitForCount(
      client,
      `TaskQueue = "${taskQueue}" AND OffboardingPhase = "${until.phase}"`,
      jobs.length,
      { timeoutMs: options.timeoutMs, onPoll: (count) => progress(count, `in ${until.phase}`) },
    );
    missing = jobs.length - reached;
  } else {
    missing = await waitForCount(client, `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`, 0, {
      timeoutMs: options.timeoutMs,
      atMost: true,
      onPoll: (count) => progress(jobs.length - count, 'closed'),
    });
  }
  const endedAtMs = Date.now();
  const ids = new Set(jobs.map((job) => job.workflowId));
  // Visibility is written shortly after the close; give it a moment to list every run.
  let executions = await summarize(client, taskQueue, ids);
  const expectClosed = !('phase' in until) && missing === 0;
  for (let i = 0; i < 20 && expectClosed && executions.filter((e) => e.closeMs !== undefined).length < ids.size; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    executions = await summarize(client, taskQueue, ids);
  }
  const problems: string[] = [];
  if (missing > 0) {
    const state = 'phase' in until ? `not in ${until.phase}` : 'still open';
    problems.push(`${missing} of ${jobs.length} runs ${state} after ${Math.round(options.timeoutMs / 1000)} s`);
  }
  const notCompleted = executions.filter((e) => e.status !== 'COMPLETED' && e.status !== 'RUNNING');
  if (notCompleted.length > 0) {
    problems.push(`${notCompleted.length} runs closed as ${[...new Set(notCompleted.map((e) => e.status))].join('/')}`);
  }
  const closes = executions.map((e) => e.closeMs).filter((t): t is number => t !== undefined);
  return {
    startedAtMs,
    startsDoneAtMs,
    endedAtMs,
    executions,
    lastCloseMs: expectClosed && closes.length > 0 ? Math.max(...closes) : undefined,
    problems,
  };
}
