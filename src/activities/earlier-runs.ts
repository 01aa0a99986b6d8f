/**
 * What Temporal knows of the runs that came before this one under the same workflow ID, so that the workflow itself
 * keeps the contract's rule "after a Completed run only with an explicit restart" for callers that do not pass the ID
 * reuse policy (an HTTP or another SDK's client: the server's default reuse policy is ALLOW_DUPLICATE).
 *
 * Visibility only finds the run IDs (it is eventually consistent); every fact that decides comes from the run itself
 * (describe and history, which are strongly consistent): its status, where a continue-as-new chain ends, and the
 * type of a failure.
 */
import { Context } from '@temporalio/activity';
import { type Client, WorkflowNotFoundError, isGrpcServiceError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { FinalFailureType } from '../shared/failure-types';

/** The run asking, as the workflow knows it. */
export interface EarlierRunQuery {
  workflowId: string;
  runId: string;
  /** Runs of this chain (continue-as-new, reset) are this offboarding, not an earlier one. */
  firstExecutionRunId: string;
}

/** The run that decides whether a new offboarding may start: the last run of the latest earlier offboarding. */
export interface EarlierRun {
  runId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';
  closeTime?: string;
  /** `OffboardingOutcome` of a Completed run, when it has one. */
  outcome?: string;
}

/**
 * Runs that failed this way changed nothing (the contract refuses them before anything is called), so they are not
 * the offboarding a new start follows: looking past them keeps a refused start from opening the way for the next one.
 */
const CHANGED_NOTHING: ReadonlySet<string> = new Set([
  FinalFailureType.InvalidInput,
  FinalFailureType.ProtectedTenant,
  FinalFailureType.RegionNotConfigured,
]);

/** How long one attempt waits for visibility to list the asking run; then the attempt fails and is retried. */
const VISIBILITY_WAIT_MS = 30_000;
/** A guard against a chain that never ends (each link is one run that continued as new). */
const MAX_CHAIN_LINKS = 10_000;

const { WorkflowExecutionStatus } = temporal.api.enums.v1;
const STATUS_NAMES: Partial<Record<number, EarlierRun['status']>> = {
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'COMPLETED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED]: 'FAILED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'CANCELLED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'TERMINATED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'TIMED_OUT',
};

/** The activity: closures over nothing but the worker's own Temporal client, which the activity context carries. */
export function createEarlierRuns() {
  return {
    /** The decisive earlier run (see {@link EarlierRun}), or undefined when there is none. */
    async latestEarlierRun(query: EarlierRunQuery): Promise<EarlierRun | undefined> {
      return new EarlierRuns(Context.current().client, query).latest();
    },
  };
}

/** One look at the earlier runs of a workflow ID, from the asking run's point of view. */
class EarlierRuns {
  private readonly namespace: string;

  constructor(
    private readonly client: Client,
    private readonly query: EarlierRunQuery,
  ) {
    this.namespace = client.options.namespace;
  }

  async latest(): Promise<EarlierRun | undefined> {
    await this.untilVisibilityListsThisRun();
    const seen = new Set<string>();
    for (const runId of await this.earlierRunIdsNewestFirst()) {
      const end = await this.chainEnd(runId);
      if (!end || seen.has(end.runId)) continue;
      seen.add(end.runId);
      if (end.firstRunId === this.query.firstExecutionRunId || end.runId === this.query.runId) continue;
      if (end.status === undefined) {
        // Only one run of an ID is open at a time, and this one is: an earlier run cannot still be open.
        throw new Error(`run ${end.runId} of ${this.query.workflowId} is still open; trying again`);
      }
      if (end.status === 'FAILED' && CHANGED_NOTHING.has((await this.failureType(end.runId)) ?? '')) continue;
      return { runId: end.runId, status: end.status, closeTime: end.closeTime, outcome: end.outcome };
    }
    return undefined;
  }

  /**
   * Visibility lags behind (about a second on Elasticsearch): once it lists this run, it has had the same time for the
   * records of every run that started before it.
   */
  private async untilVisibilityListsThisRun(): Promise<void> {
    const deadline = Date.now() + VISIBILITY_WAIT_MS;
    for (let waitMs = 100; ; waitMs = Math.min(waitMs * 2, 2_000)) {
      const { executions } = await this.client.workflowService.listWorkflowExecutions({
        namespace: this.namespace,
        query: `WorkflowId = '${this.query.workflowId}' AND RunId = '${this.query.runId}'`,
      });
      if (executions.length > 0) return;
      if (Date.now() + waitMs > deadline) {
        throw new Error(`visibility did not list run ${this.query.runId} within ${VISIBILITY_WAIT_MS} ms`);
      }
      await Context.current().sleep(waitMs);
    }
  }

  /** The IDs of the runs listed under the workflow ID that started before this one, the latest first. */
  private async earlierRunIdsNewestFirst(): Promise<string[]> {
    const runs: Array<{ runId: string; startMs: number }> = [];
    let ownStartMs = Infinity;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService.listWorkflowExecutions({
        namespace: this.namespace,
        query: `WorkflowId = '${this.query.workflowId}'`,
        nextPageToken,
      });
      for (const execution of page.executions) {
        const runId = execution.execution?.runId ?? '';
        const startMs = timestampMs(execution.startTime) ?? 0;
        if (runId === this.query.runId) ownStartMs = startMs;
        else runs.push({ runId, startMs });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return runs
      .filter((run) => run.runId && run.startMs <= ownStartMs)
      .sort((a, b) => b.startMs - a.startMs)
      .map((run) => run.runId);
  }

  /**
   * Where the chain that `runId` belongs to ends, from the runs themselves: a run that continued as new names its
   * successor in its last event. Undefined when the run is gone (past the namespace's retention).
   */
  private async chainEnd(runId: string) {
    for (let links = 0, current = runId; links < MAX_CHAIN_LINKS; links++) {
      const info = await this.describe(current);
      if (!info) return undefined;
      const code = info.status ?? WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
      if (code !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
        return {
          runId: current,
          firstRunId: info.firstRunId ?? '',
          status: STATUS_NAMES[code],
          closeTime: info.closeTime ? new Date(timestampMs(info.closeTime)!).toISOString() : undefined,
          outcome: keywordOf(info.searchAttributes?.indexedFields?.OffboardingOutcome),
        };
      }
      const next = (await this.closeEvent(current))?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (!next) throw new Error(`run ${current} of ${this.query.workflowId} continued as new without a next run`);
      current = next;
    }
    throw new Error(`the runs of ${this.query.workflowId} continue as new more than ${MAX_CHAIN_LINKS} times`);
  }

  private async describe(runId: string) {
    try {
      const { workflowExecutionInfo } = await this.client.workflowService.describeWorkflowExecution({
        namespace: this.namespace,
        execution: { workflowId: this.query.workflowId, runId },
      });
      return workflowExecutionInfo ?? undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The failure type of a Failed run, from its close event. */
  private async failureType(runId: string): Promise<string | undefined> {
    const failure = (await this.closeEvent(runId))?.workflowExecutionFailedEventAttributes?.failure;
    return failure?.applicationFailureInfo?.type ?? undefined;
  }

  /** A closed run's last event, which is the event that closed it. */
  private async closeEvent(runId: string) {
    const { history } = await this.client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: this.namespace,
      execution: { workflowId: this.query.workflowId, runId },
      maximumPageSize: 1,
    });
    return history?.events?.[0];
  }
}

/** gRPC's NOT_FOUND (the constant lives in @grpc/grpc-js, which is not our dependency). */
const GRPC_NOT_FOUND = 5;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof WorkflowNotFoundError ||
    (isGrpcServiceError(error) && error.code === GRPC_NOT_FOUND) ||
    (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === GRPC_NOT_FOUND)
  );
}

function timestampMs(at: temporal.api.workflow.v1.IWorkflowExecutionInfo['startTime']): number | undefined {
  if (!at) return undefined;
  return Number(at.seconds ?? 0) * 1000 + Math.floor((at.nanos ?? 0) / 1e6);
}

/** A Keyword search attribute's value (a JSON string payload), or undefined. */
function keywordOf(payload: temporal.api.common.v1.IPayload | null | undefined): string | undefined {
  if (!payload?.data) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
