/**
 * Finding offboardings through Temporal's visibility store, filtered on the contract's search attributes
 * (what dashboards and the CLI's `list` and `report` use). Visibility is eventually consistent: a run started a
 * moment ago may take a second to appear.
 */
import type { Client, WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import { type Phase, workflowIdFor, WORKFLOW_TYPE } from '../shared/contract';
import { searchAttributes } from '../workflows/definitions';

/** Filters of {@link listOffboardings}; all given filters must match. */
export interface ListFilters {
  phase?: Phase;
  /** In any of these phases (with `phase` too, both must match). */
  phases?: Phase[];
  region?: string;
  tenantId?: string;
  requestedBy?: string;
  /** Estimated purge date strictly before this instant. */
  purgingBefore?: Date;
  /** Estimated purge date at or after this instant. */
  purgingAfter?: Date;
  /** Only runs that ended Failed. */
  failed?: boolean;
  /** Only runs with outcome `purge-overdue`. */
  overdue?: boolean;
  /** Only open runs. */
  running?: boolean;
  /** Only runs closed at or after / strictly before these instants (closed runs only). */
  closedSince?: Date;
  closedUntil?: Date;
}

/**
 * One run as visibility sees it: the search attributes plus Temporal's own execution fields. `listOffboardings` gives
 * each offboarding's latest run (its `startTime` is when that run began, later than the offboarding's start when
 * earlier runs continued as new).
 */
export interface OffboardingRun {
  workflowId: string;
  runId: string;
  tenantId?: string;
  hostname?: string;
  region?: string;
  requestedBy?: string;
  phase?: string;
  phaseSince?: string;
  outcome?: string;
  estimatedPurgeDate?: string;
  dryRun: boolean;
  runStatus: WorkflowExecutionStatusName;
  startTime: string;
  closeTime?: string;
}

/** A string literal for a visibility query. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function dateLiteral(date: Date): string {
  return literal(date.toISOString());
}

/**
 * The visibility query for `filters`, always restricted to the offboarding workflow type. It matches every run,
 * including those that continued as new; {@link listOffboardings} leaves those out.
 */
export function buildListQuery(filters: ListFilters): string {
  const a = searchAttributes;
  const clauses = [`WorkflowType = ${literal(WORKFLOW_TYPE)}`];
  if (filters.tenantId) clauses.push(`${a.tenantId.name} = ${literal(filters.tenantId)}`);
  if (filters.phase) clauses.push(`${a.phase.name} = ${literal(filters.phase)}`);
  if (filters.phases?.length) clauses.push(`${a.phase.name} IN (${filters.phases.map(literal).join(', ')})`);
  if (filters.region) clauses.push(`${a.region.name} = ${literal(filters.region)}`);
  if (filters.requestedBy) clauses.push(`${a.requestedBy.name} = ${literal(filters.requestedBy)}`);
  if (filters.purgingBefore) clauses.push(`${a.estimatedPurgeDate.name} < ${dateLiteral(filters.purgingBefore)}`);
  if (filters.purgingAfter) clauses.push(`${a.estimatedPurgeDate.name} >= ${dateLiteral(filters.purgingAfter)}`);
  if (filters.failed) clauses.push(`ExecutionStatus = 'Failed'`);
  if (filters.overdue) clauses.push(`${a.outcome.name} = 'purge-overdue'`);
  if (filters.running) clauses.push(`ExecutionStatus = 'Running'`);
  if (filters.closedSince || filters.closedUntil) clauses.push(`ExecutionStatus != 'Running'`);
  if (filters.closedSince) clauses.push(`CloseTime >= ${dateLiteral(filters.closedSince)}`);
  if (filters.closedUntil) clauses.push(`CloseTime < ${dateLiteral(filters.closedUntil)}`);
  return clauses.join(' AND ');
}

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

/** The fields of a visibility record (or of a `describe()`, which has them too) that a run's view needs. */
type RunFields = Pick<
  WorkflowExecutionInfo,
  'typedSearchAttributes' | 'workflowId' | 'runId' | 'status' | 'startTime' | 'closeTime'
>;

/** The {@link OffboardingRun} view of a visibility record or a description. */
export function runFromInfo(info: RunFields): OffboardingRun {
  const sa = info.typedSearchAttributes;
  const tenantId = sa.get(searchAttributes.tenantId);
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    tenantId,
    hostname: sa.get(searchAttributes.hostname),
    region: sa.get(searchAttributes.region),
    requestedBy: sa.get(searchAttributes.requestedBy),
    phase: sa.get(searchAttributes.phase),
    phaseSince: iso(sa.get(searchAttributes.phaseSince)),
    outcome: sa.get(searchAttributes.outcome),
    estimatedPurgeDate: iso(sa.get(searchAttributes.estimatedPurgeDate)),
    // Not from the ID's suffix alone: a tenant ID may itself end in "-dry-run".
    dryRun: tenantId !== undefined && info.workflowId === workflowIdFor(tenantId, true),
    runStatus: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: iso(info.closeTime),
  };
}

/**
 * A run that continued as new is not an offboarding of its own: the chain's latest run (same workflow ID, the same
 * search attributes carried over) stands for it, open or closed. Leaving the continued runs out counts each
 * offboarding once, and the filters apply to where the offboarding is now, not to where an earlier run left it.
 */
const LATEST_RUNS_ONLY = `ExecutionStatus != 'ContinuedAsNew'`;

/** The offboardings matching `filters` (each as its latest run), newest first, at most `limit`. */
export async function listOffboardings(
  client: Client,
  filters: ListFilters,
  options: { limit?: number } = {},
): Promise<OffboardingRun[]> {
  const limit = options.limit ?? 100;
  const query = `${buildListQuery(filters)} AND ${LATEST_RUNS_ONLY}`;
  const runs: OffboardingRun[] = [];
  for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    runs.push(runFromInfo(info));
    if (runs.length >= limit) break;
  }
  return runs;
}

/**
 * The phases of an open offboarding that has not passed its deactivate step: `scheduled`, `validating`,
 * `deactivating`, and `awaiting-approval` (contract v3). Some in `deactivating` may have sent theirs already.
 */
const BEFORE_DEACTIVATE_SENT = ['scheduled', 'validating', 'awaiting-approval', 'deactivating'] as const;

/** The visibility query for the open offboardings of `selector` that have not passed the deactivate step. */
export function notYetSentQuery(selector: { region?: string; requestedBy?: string }): string {
  const a = searchAttributes;
  const phases = BEFORE_DEACTIVATE_SENT.map(literal).join(', ');
  const clauses = [
    `WorkflowType = ${literal(WORKFLOW_TYPE)}`,
    `ExecutionStatus = 'Running'`,
    `${a.phase.name} IN (${phases})`,
  ];
  if (selector.region !== undefined) clauses.push(`${a.region.name} = ${literal(selector.region)}`);
  if (selector.requestedBy !== undefined) clauses.push(`${a.requestedBy.name} = ${literal(selector.requestedBy)}`);
  return clauses.join(' AND ');
}

/**
 * How many open offboardings of `selector` have not passed the deactivate step (what a stop of that selector
 * holds, at most: visibility lags a second or so, and some in `deactivating` may have sent theirs).
 */
export async function countNotYetSent(
  client: Client,
  selector: { region?: string; requestedBy?: string },
): Promise<number> {
  return (await client.workflow.count(notYetSentQuery(selector))).count;
}
