/**
 * Shared steps of the hardening end-to-end tests (issue "[1 of 4] Hardening"): start an offboarding, wait for a
 * phase or a request at the simulator, and sum up how a run ended — in plain values, so that a test compares what it
 * saw with what the contract requires in one `toEqual` whose diff names every difference.
 *
 * The cases of a file run concurrently: each file starts every case's driver in `beforeAll` (see `Scenarios`) and
 * each `it` awaits its own driver's observations, so a file lasts as long as its slowest case.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { RequestLogEntry } from '../../src/simulator';
import { workflowIdFor, type OffboardingInput, type OffboardingStatus } from '../../src/shared/contract';
import { statusQuery } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { hostnameOf } from '../../harness/simulator';
import type { Harness } from '../../harness/workers';

export type Handle = WorkflowHandle<typeof offboardTenant>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The input of an offboarding of tenant `id` in `region` (default `eu`). */
export function offboarding(id: string, overrides: Partial<OffboardingInput> = {}): OffboardingInput {
  const region = overrides.region ?? 'eu';
  return { tenantId: id, hostname: hostnameOf(id, region), region, ...overrides };
}

export function start(h: Harness, input: OffboardingInput): Promise<Handle> {
  return h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor(input.tenantId, input.dryRun === true),
    args: [input],
  });
}

/** The simulator's log of requests about tenant `id`. */
export function requestsFor(h: Harness, id: string, region = 'eu'): RequestLogEntry[] {
  return h.sim.requests().filter((r) => r.tenantId === id || r.hostname === hostnameOf(id, region));
}

export function count(h: Harness, id: string, route: RequestLogEntry['route']): number {
  return requestsFor(h, id).filter((r) => r.route === route).length;
}

const CLOSED_PHASES: OffboardingStatus['phase'][] = ['completed', 'failed'];

/**
 * Polls the `status` query until `until` holds or the run's record is closed; after `timeoutMs` returns the last
 * status seen. `reached` says whether `until` held.
 */
export async function waitForStatus(
  handle: Handle,
  until: (status: OffboardingStatus) => boolean,
  timeoutMs = 30_000,
): Promise<{ reached: boolean; status: OffboardingStatus }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (until(status)) return { reached: true, status };
    if (CLOSED_PHASES.includes(status.phase) || Date.now() > deadline) return { reached: false, status };
    await sleep(150);
  }
}

/** Waits until the simulator has logged a request matching `match` about tenant `id`; false after `timeoutMs`. */
export async function waitForRequest(
  h: Harness,
  id: string,
  match: (entry: RequestLogEntry) => boolean,
  timeoutMs = 30_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() <= deadline) {
    if (requestsFor(h, id).some(match)) return true;
    await sleep(50);
  }
  return false;
}

/** How a run ended, as far as a test can see it from outside. */
export interface RunEnd {
  /** `still open` when the run had not closed within the budget. */
  end: 'completed' | 'failed' | 'canceled' | 'still open';
  /** Temporal's execution status (`COMPLETED`, `FAILED`, `CANCELED`, `RUNNING`, …). */
  temporalStatus: string;
  outcome?: OffboardingStatus['outcome'];
  /** For a Failed run: the top-level failure's type and message. */
  failureType?: string;
  failureMessage?: string;
  /** The final status (`details[0]` of a failure, the result, or the last status of an open run). */
  status?: OffboardingStatus;
  /** When the run closed (Temporal's close time), or when the budget ran out for a run still open. */
  closedAt: number;
}

/**
 * Awaits the run's end (at most `budgetMs`) and sums it up. A run still open then is terminated once its status is
 * recorded, so that the workers can shut down (a local activity that keeps retrying would hold them).
 */
export async function settle(handle: Handle, budgetMs = 45_000): Promise<RunEnd> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budgetMs)));
  const ended = await Promise.race([
    handle.result().then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    ),
    timeout,
  ]);
  clearTimeout(timer);
  const description = await handle.describe();
  const temporalStatus = description.status.name;
  const closedAt = description.closeTime?.getTime() ?? Date.now();
  if (ended === 'timeout') {
    const status = await handle.query(statusQuery);
    await handle.terminate('test over: the run was still open after its budget');
    return { end: 'still open', temporalStatus, status, closedAt };
  }
  if ('result' in ended) {
    return { end: 'completed', temporalStatus, outcome: ended.result.outcome, status: ended.result, closedAt };
  }
  const cause = ended.error instanceof WorkflowFailedError ? ended.error.cause : ended.error;
  if (cause instanceof CancelledFailure) return { end: 'canceled', temporalStatus, closedAt };
  if (cause instanceof ApplicationFailure) {
    const status = cause.details?.[0] as OffboardingStatus | undefined;
    return {
      end: 'failed',
      temporalStatus,
      failureType: cause.type ?? undefined,
      failureMessage: cause.message,
      status,
      outcome: status?.outcome,
      closedAt,
    };
  }
  throw ended.error;
}

/** A one-line account of a run's end for failure messages. */
export function describeEnd(end: RunEnd): string {
  const parts = [`${end.end} (${end.temporalStatus})`];
  if (end.outcome) parts.push(`outcome ${end.outcome}`);
  if (end.failureType) parts.push(`${end.failureType}: ${end.failureMessage}`);
  if (end.end === 'still open' && end.status) parts.push(`phase ${end.status.phase}`);
  // Where a run is stuck, its last error says why (a completed run may well carry a warning: not part of its end).
  const lastError = end.end === 'still open' ? end.status?.lastError : undefined;
  if (lastError) parts.push(`lastError ${lastError.type}: ${lastError.message}`);
  return parts.join('; ');
}

/**
 * The drivers of a file's cases, started together and awaited one per `it`. A driver's rejection is kept for its
 * own `it` (never an unhandled rejection).
 */
export class Scenarios<T> {
  private readonly runs = new Map<string, Promise<T>>();

  run(name: string, driver: () => Promise<T>): void {
    if (this.runs.has(name)) throw new Error(`two scenarios named ${name}`);
    const promise = driver();
    promise.catch(() => undefined);
    this.runs.set(name, promise);
  }

  get(name: string): Promise<T> {
    const promise = this.runs.get(name);
    if (!promise) throw new Error(`no scenario ${name}`);
    return promise;
  }
}
