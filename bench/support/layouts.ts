/**
 * Scenarios 5–7 run on each task-queue layout (`--layouts`): every layout gets a dev server of its own, started
 * fresh and deleted afterwards, and shares the rest of the benchmark's context (the simulator, the webhook
 * receiver). The dev server's partition count is global (the `--dynamic-config-value` flags know no per-queue
 * constraint), so one server cannot hold both layouts; a fresh one per layout also keeps each run's leftover
 * workflows (a backlog never drained) out of every other scenario.
 */
import { Client, Connection } from '@temporalio/client';
import type { TaskQueueLayout } from '../../harness/dev-server';
import { startBenchServer, type BenchContext } from './context';
import { processCpuMs } from './processes';

let layoutServersCpuMs = 0;

/** CPU time used by the layout servers stopped so far, ms (for the run's total). */
export function cpuOfLayoutServers(): number {
  return layoutServersCpuMs;
}

/** A layout as the tables name it. */
export function layoutName(layout: TaskQueueLayout, partitions?: number): string {
  if (layout === 'default')
    return partitions === undefined ? 'server default' : `server default (${partitions} partitions)`;
  return layout === 1 ? '1 partition' : `${layout} partitions`;
}

/** Runs `fn` against a fresh dev server with `layout`; the server is stopped and deleted afterwards. */
export async function withLayout<T>(
  ctx: BenchContext,
  layout: TaskQueueLayout,
  fn: (layoutCtx: BenchContext) => Promise<T>,
): Promise<T> {
  const server = await startBenchServer(ctx.log, layout);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default' });
    return await fn({ ...ctx, server, connection, client });
  } finally {
    await connection?.close().catch(() => undefined);
    layoutServersCpuMs += processCpuMs(server.pid) ?? 0;
    await server.stop();
  }
}
