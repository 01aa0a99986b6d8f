import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { WorkerConfig } from '../config/worker-config';
import type { QlikClient } from '../qlik/types';
import { registerWorkerOptions } from '../registration-budget';
import { workflowWorkerVersioning } from './versioning';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  config: WorkerConfig;
  qlik: QlikClient;
  reports: ActivityDeps['reports'];
  /** The prebuilt workflow bundle, or the workflows module path (slower: bundles at start). */
  workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'>;
  /** Extra options for the main worker (e.g. a small `maxCachedWorkflows` in tests). */
  options?: Partial<WorkerOptions>;
}

/**
 * The workers of one process: the main one (workflows, probes, local activities) on the contract's task queue, and
 * one per served region for its registration calls, whose rate the server enforces across every worker process
 * (the registration budget: `src/registration-budget.ts`). Only the main one takes the build's Worker Deployment
 * Version (./versioning.ts).
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const { connection, namespace, config, qlik, reports } = setup;
  const activities = createActivities({ qlik, config, reports });
  const main = await Worker.create({
    connection,
    namespace,
    taskQueue: config.taskQueue,
    activities,
    ...setup.workflows,
    maxCachedWorkflows: config.maxCachedWorkflows,
    shutdownGraceTime: '30s',
    ...workflowWorkerVersioning(config.deploymentVersion),
    ...setup.options,
  });
  // Unversioned even in a versioned deployment: these workers run activities only, and the server does not need
  // them versioned. It hands an auto-upgrade run's activity on a queue that no deployment version polls to that
  // queue's unversioned pollers (seen on server 1.32; test/worker/deploy-versioning.e2e.test.ts depends on it). So
  // each region keeps one queue and one server-side rate limit (the registration budget), whichever builds run.
  // During an overlap either build may run a registration call, as in any rolling deploy: activity names and
  // shapes stay compatible (README, "Changing the workflow safely").
  const registerWorkers = await Promise.all(
    config.regions.map((region) =>
      Worker.create({
        connection,
        namespace,
        ...registerWorkerOptions({
          taskQueue: config.taskQueue,
          region,
          callsPerMinute: config.registerCallsPerMinute,
        }),
        activities,
        shutdownGraceTime: '30s',
      }),
    ),
  );
  return [main, ...registerWorkers];
}

/** Runs the workers until they shut down (the runtime handles SIGINT/SIGTERM: in-flight activities finish). */
export async function runWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.run()));
}
