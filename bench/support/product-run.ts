/**
 * Runs of N offboardings through the product: a set of worker processes on a task queue of their own with an OAuth
 * client of their own, the batch, and everything the tables need from it: visibility's records, the simulator's
 * request log, the webhook's reports, and each worker process's metrics, memory and CPU.
 */
import { temporal } from '@temporalio/proto';
import { WORKFLOW_TYPE } from '../../src/shared/contract';
import type { RequestLogEntry } from '../../src/simulator';
import { runBatch, type BatchEnd, type BatchResult } from './batch';
import {
  addSimClient,
  offboardingJobs,
  startProductWorker,
  tenantIds,
  type BenchContext,
  type BenchWorker,
  type ProductWorkerSettings,
} from './context';
import { scrapeMetrics, total, type Sample } from './metrics';

/** What one worker process had done by the end of a run. */
export interface WorkerReport {
  name: string;
  pid: number;
  /** From the product's `qlik_token_requests` counter (since the process started). */
  tokenRequests?: number;
  /** From the product's `qlik_rate_limited` counter (since the process started). */
  rateLimited?: number;
  /** Deactivate activities this process executed in the run (the SDK's activity latency histogram count). */
  deactivates?: number;
  peakRss?: number;
  /** CPU time the process used during the batch, ms. */
  cpuMs?: number;
}

export interface ProductRun {
  tenants: string[];
  clientId: string;
  batch: BatchResult;
  /** The simulator's log of this run only. */
  requests: RequestLogEntry[];
  /** Webhook reports per workflow ID and event kind. */
  reports: Map<string, Record<string, number>>;
  workers: WorkerReport[];
  /** When the simulator applied each tenant's deactivate (ms), to tell the verification probes from the purge probes. */
  deactivatedAt: Map<string, number>;
  /** CPU the dev server used during the batch, ms. */
  serverCpuMs?: number;
  /** The largest event in the history of the batch's first workflow (read when the batch ran to the end). */
  largestEvent?: { type: string; bytes: number };
}

/** Worker processes serving one task queue with one OAuth client. */
export interface ProductWorkers {
  taskQueue: string;
  clientId: string;
  processes: BenchWorker[];
  stop(): Promise<void>;
}

/** Starts `count` product worker processes (at once) on a task queue and OAuth client named after `label`. */
export async function startProductWorkers(
  ctx: BenchContext,
  label: string,
  count: number,
  settings: Omit<ProductWorkerSettings, 'taskQueue' | 'clientId'>,
): Promise<ProductWorkers> {
  const taskQueue = `bench-${ctx.runTag}-${label}`;
  const clientId = `bench-${label}`;
  addSimClient(ctx, clientId);
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      startProductWorker(ctx, count === 1 ? 'worker' : `worker ${i + 1}`, { ...settings, taskQueue, clientId }),
    ),
  );
  const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { taskQueue, clientId, processes, stop };
}

async function workerReport(worker: BenchWorker, cpuBefore: number | undefined, deactivatesBefore: number | undefined) {
  const samples: Sample[] | undefined = await scrapeMetrics(worker.metricsAddress);
  const cpuAfter = worker.cpuMs();
  const deactivates = total(samples, 'temporal_activity_execution_latency_count', {
    activity_type: 'deactivateTenant',
  });
  const report: WorkerReport = {
    name: worker.name,
    pid: worker.pid,
    tokenRequests: total(samples, 'qlik_token_requests'),
    rateLimited: total(samples, 'qlik_rate_limited'),
    deactivates: deactivates === undefined ? undefined : deactivates - (deactivatesBefore ?? 0),
    peakRss: worker.memory()?.peakRss,
    cpuMs: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
  };
  return report;
}

/** The largest event of a workflow's history, by encoded size: where payload bloat would show. */
async function largestEventOf(ctx: BenchContext, workflowId: string): Promise<ProductRun['largestEvent']> {
  try {
    const history = await ctx.client.workflow.getHandle(workflowId).fetchHistory();
    let largest: ProductRun['largestEvent'];
    for (const event of history.events ?? []) {
      const bytes = temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
      if (!largest || bytes > largest.bytes) {
        const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'unknown';
        largest = { type: String(type).replace(/^EVENT_TYPE_/, ''), bytes };
      }
    }
    return largest;
  } catch {
    return undefined;
  }
}

/** One batch of `tenants` offboardings through `workers`, labelled `label` (tenant IDs). */
export async function runProductBatch(
  ctx: BenchContext,
  workers: ProductWorkers,
  options: {
    label: string;
    tenants: number;
    timeoutMs: number;
    /** Default: until every run has closed. */
    until?: BatchEnd;
    /** Reads the dev server's CPU time (the caller knows its pid). */
    serverCpuMs?: () => number | undefined;
  },
): Promise<ProductRun> {
  try {
    const tenants = tenantIds(ctx, options.label, options.tenants);
    const jobs = offboardingJobs(ctx, tenants);
    ctx.sim.clearRequests();
    ctx.webhook.received().clear();
    const before = await Promise.all(
      workers.processes.map(async (p) => ({
        cpu: p.cpuMs(),
        deactivates: total(await scrapeMetrics(p.metricsAddress), 'temporal_activity_execution_latency_count', {
          activity_type: 'deactivateTenant',
        }),
      })),
    );
    const serverCpuBefore = options.serverCpuMs?.();
    const batch = await runBatch(ctx.client, {
      taskQueue: workers.taskQueue,
      workflowType: WORKFLOW_TYPE,
      jobs,
      timeoutMs: options.timeoutMs,
      until: options.until,
      log: ctx.log,
    });
    const serverCpuAfter = options.serverCpuMs?.();
    const requests = ctx.sim.requests();
    const deactivatedAt = new Map<string, number>();
    for (const id of tenants) {
      const date = ctx.sim.tenant(id)?.deactivatedAt;
      if (date) deactivatedAt.set(id, Date.parse(date));
    }
    const reports = new Map(ctx.webhook.received());
    const reportsOfWorkers = await Promise.all(
      workers.processes.map((p, i) => workerReport(p, before[i]!.cpu, before[i]!.deactivates)),
    );
    for (const problem of batch.problems) ctx.log(`  problem: ${problem}`);
    const largestEvent = options.until ? undefined : await largestEventOf(ctx, jobs[0]!.workflowId);
    return {
      tenants,
      clientId: workers.clientId,
      batch,
      requests,
      reports,
      workers: reportsOfWorkers,
      deactivatedAt,
      serverCpuMs:
        serverCpuBefore !== undefined && serverCpuAfter !== undefined ? serverCpuAfter - serverCpuBefore : undefined,
      largestEvent,
    };
  } catch (error) {
    for (const p of workers.processes) ctx.log(`--- last output of ${p.name}:\n${p.tail()}`);
    throw error;
  }
}
