/**
 * The floor's worker process (`node dist/bench/floor/worker.js`), shaped like the product's: one worker for the
 * workflows and activities on `BENCH_TASK_QUEUE`, one for the activities on `BENCH_TASK_QUEUE-second`, in one process,
 * with the product worker's cache bound (`BENCH_MAX_CACHED_WORKFLOWS`; the benchmark also gives it the same heap cap)
 * and otherwise the SDK's default options. Loads the bundle at `BENCH_WORKFLOW_BUNDLE` (the benchmark builds it once,
 * as `npm run build` does the product's); without it, bundles its small workflow file at start.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { floorActivities } from './activities';
import { secondTaskQueueOf } from './names';

async function main(): Promise<void> {
  const address = process.env.BENCH_TEMPORAL_ADDRESS;
  const taskQueue = process.env.BENCH_TASK_QUEUE;
  if (!address || !taskQueue) throw new Error('BENCH_TEMPORAL_ADDRESS and BENCH_TASK_QUEUE are required');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const workers = await Promise.all([
    Worker.create({
      connection,
      taskQueue,
      maxCachedWorkflows: process.env.BENCH_MAX_CACHED_WORKFLOWS
        ? Number(process.env.BENCH_MAX_CACHED_WORKFLOWS)
        : undefined,
      ...(process.env.BENCH_WORKFLOW_BUNDLE
        ? { workflowBundle: { codePath: process.env.BENCH_WORKFLOW_BUNDLE } }
        : {
            workflowsPath: require.resolve('./workflows'),
            bundlerOptions: { preloadModules: [require.resolve('./workflows')] },
          }),
      activities: floorActivities,
    }),
    Worker.create({ connection, taskQueue: secondTaskQueueOf(taskQueue), activities: floorActivities }),
  ]);
  process.stderr.write(`floor worker ready on ${taskQueue}\n`);
  await Promise.all(workers.map((worker) => worker.run()));
  await connection.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`floor worker: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
