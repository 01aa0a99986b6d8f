/**
 * The audit report of closed offboardings: which runs closed in a time window (from visibility), each with its
 * final status (the result, the failure's `details[0]`, or the `status` query of a Canceled/Terminated run). An
 * offboarding that continued as new is one row: its last run, which carries every fact of the earlier ones.
 */
import type { Client } from '@temporalio/client';
import type { OffboardingStatus } from '../shared/contract';
import { OffboardingEndedError } from './errors';
import { lastStatus, resultOfRun } from './read';
import { listOffboardings, type OffboardingRun } from './visibility';

/** One closed offboarding in the report (its last run, when it continued as new). */
export interface ReportRow {
  tenantId: string;
  hostname?: string;
  region?: string;
  /** How the run closed: Completed, Failed, Canceled, Terminated, TimedOut. */
  runStatus: string;
  /** The outcome of a Completed run. */
  outcome?: string;
  /** The failure type of a Failed run (e.g. HostnameMismatch). */
  failureType?: string;
  failureMessage?: string;
  /** True when the tenant was deactivated at some point (`deactivatedAt` is set). */
  deactivated: boolean;
  deactivatedAt?: string;
  estimatedPurgeDate?: string;
  purgeConfirmedAt?: string;
  reactivatedAt?: string;
  requestedBy?: string;
  reason?: string;
  dryRun: boolean;
  closedAt?: string;
  workflowId: string;
  runId: string;
}

/** Reads the final statuses a few runs at a time: enough to be quick, few enough to spare the server. */
const CONCURRENCY = 8;

const RUN_STATUS_NAMES: Record<string, string> = {
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  TIMED_OUT: 'TimedOut',
};

async function rowFor(client: Client, run: OffboardingRun): Promise<ReportRow> {
  const handle = client.workflow.getHandle(run.workflowId, run.runId, { followRuns: false });
  let status: OffboardingStatus | undefined;
  let failureType: string | undefined;
  let failureMessage: string | undefined;
  if (run.runStatus === 'COMPLETED' || run.runStatus === 'FAILED') {
    try {
      status = await resultOfRun(client, handle, run.tenantId ?? '');
    } catch (error) {
      if (!(error instanceof OffboardingEndedError)) throw error;
      status = error.status;
      failureType = error.failureType;
      failureMessage = error.failureMessage;
    }
  } else {
    status = await lastStatus(client, handle);
  }
  return {
    tenantId: status?.tenantId ?? run.tenantId ?? '',
    hostname: status?.hostname ?? run.hostname,
    region: status?.region ?? run.region,
    runStatus: RUN_STATUS_NAMES[run.runStatus] ?? run.runStatus,
    outcome: status?.outcome ?? run.outcome,
    failureType,
    failureMessage,
    deactivated: status?.deactivatedAt !== undefined,
    deactivatedAt: status?.deactivatedAt,
    estimatedPurgeDate: status?.estimatedPurgeDate ?? run.estimatedPurgeDate,
    purgeConfirmedAt: status?.purgeConfirmedAt,
    reactivatedAt: status?.reactivatedAt,
    requestedBy: status?.requestedBy ?? run.requestedBy,
    reason: status?.reason,
    dryRun: status?.dryRun ?? run.dryRun,
    closedAt: run.closeTime,
    workflowId: run.workflowId,
    runId: run.runId,
  };
}

/**
 * The offboardings that closed in [since, until), oldest first, each with its final details. Runs that continued as
 * new are not closed offboardings (listOffboardings leaves them out): a chain counts once, when its last run closes.
 */
export async function closedOffboardingsReport(
  client: Client,
  window: { since: Date; until: Date },
  options: { limit?: number } = {},
): Promise<ReportRow[]> {
  const runs = await listOffboardings(
    client,
    { closedSince: window.since, closedUntil: window.until },
    { limit: options.limit ?? 10_000 },
  );
  const rows: ReportRow[] = new Array(runs.length);
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const index = next++;
      rows[index] = await rowFor(client, runs[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, runs.length) }, worker));
  return rows.sort((a, b) => (a.closedAt ?? '').localeCompare(b.closedAt ?? ''));
}
