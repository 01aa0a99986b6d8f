/**
 * Choosing the runs a bulk `cancel`/`reactivate` acts on: the tenants of a list of IDs, or the open offboardings a
 * visibility query finds by requester (and region, phase). Each chosen run is pinned by its run ID, so that what is
 * acted on is exactly what was listed (src/client/steer-runs.ts).
 */
import type { Client } from '@temporalio/client';
import { type Phase, workflowIdFor } from '../shared/contract';
import { mapBounded } from './bounded';
import { describeLatest } from './runs';
import { listOffboardings, type OffboardingRun, runFromInfo } from './visibility';

/** One open run chosen to be acted on. */
export interface SelectedRun {
  tenantId: string;
  workflowId: string;
  /** The run that was open when the selection was made. */
  runId: string;
  dryRun: boolean;
  region?: string;
  requestedBy?: string;
  phase?: string;
}

/** A tenant of the list that has nothing to act on. */
export interface UnselectedTenant {
  tenantId: string;
  workflowId: string;
  /** `no-offboarding`: no run at all; `finished`: the latest run is closed (`runStatus` says how). */
  why: 'no-offboarding' | 'finished';
  runId?: string;
  runStatus?: string;
}

export interface Selection {
  runs: SelectedRun[];
  unselected: UnselectedTenant[];
}

/** What the query selection takes: the requester, optionally narrowed. */
export interface RequesterSelector {
  requestedBy: string;
  region?: string;
  phase?: Phase;
  /** The tenants' dry runs instead of their offboardings. */
  dryRun?: boolean;
}

/** Describes in flight at once. */
const DESCRIBE_CONCURRENCY = 8;
/** More than any selection ops should confirm by reading it. */
const MAX_SELECTED = 100_000;

/** The latest run of each tenant's offboarding (or dry run): open ones selected, the others said why not. */
export async function selectTenants(
  client: Client,
  tenantIds: readonly string[],
  options: { dryRun?: boolean } = {},
): Promise<Selection> {
  const dryRun = options.dryRun === true;
  const found = await mapBounded(tenantIds, DESCRIBE_CONCURRENCY, async (tenantId) => {
    const workflowId = workflowIdFor(tenantId, dryRun);
    return { tenantId, workflowId, description: await describeLatest(client, workflowId) };
  });
  const selection: Selection = { runs: [], unselected: [] };
  for (const { tenantId, workflowId, description } of found) {
    if (!description) selection.unselected.push({ tenantId, workflowId, why: 'no-offboarding' });
    else if (description.status.name !== 'RUNNING') {
      selection.unselected.push({
        tenantId,
        workflowId,
        why: 'finished',
        runId: description.runId,
        runStatus: description.status.name,
      });
    } else {
      const run = runFromInfo(description);
      selection.runs.push({ ...selectedFrom(run), tenantId, dryRun });
    }
  }
  return selection;
}

/**
 * The open offboardings (or, with `dryRun`, dry runs) requested by `selector.requestedBy`, as visibility lists them
 * (a second or so behind), each as its current run. Closed ones are left out: there is nothing to act on.
 */
export async function selectRequestedBy(client: Client, selector: RequesterSelector): Promise<Selection> {
  const runs = await listOffboardings(
    client,
    { requestedBy: selector.requestedBy, region: selector.region, phase: selector.phase, running: true },
    { limit: MAX_SELECTED },
  );
  const dryRun = selector.dryRun === true;
  return {
    runs: runs.filter((run) => run.dryRun === dryRun && run.tenantId !== undefined).map(selectedFrom),
    unselected: [],
  };
}

function selectedFrom(run: OffboardingRun): SelectedRun {
  return {
    tenantId: run.tenantId!,
    workflowId: run.workflowId,
    runId: run.runId,
    dryRun: run.dryRun,
    region: run.region,
    requestedBy: run.requestedBy,
    phase: run.phase,
  };
}
