/**
 * The worker process: configuration → Qlik client → activities → Temporal workers. Every setting comes from the
 * environment and is validated before anything polls; a wrong one stops the worker with a clear message.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from './config/worker-config';
import { createQlikMetrics, createWebhookMetrics } from './metrics';
import { createQlikClient } from './qlik/create-qlik-client';
import { createReportActivities } from './reports';
import { temporalConnectionConfig } from './temporal-connection';
import { createWorkers, runWorkers } from './worker/create-workers';
import { describeVersioning } from './worker/versioning';
import { workflowBundleOptions } from './worker/workflow-bundle';
import { createLogger } from './worker/logger';
import { missingSearchAttributes } from './worker/search-attributes-check';
import { reportRegisterQueueLayouts } from './worker/register-queue-layout';
import { warnOfStrandedRegisterQueues } from './worker/stranded-register-queues';

/** Built by `npm run build`; the worker falls back to bundling at start-up when it is missing. */
const WORKFLOW_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger(config.logFormat);
  Runtime.install({
    logger,
    telemetryOptions: config.metricsAddress
      ? { metrics: { prometheus: { bindAddress: config.metricsAddress } } }
      : undefined,
  });

  const { connectionOptions, namespace } = temporalConnectionConfig();
  const client = await Connection.connect(connectionOptions);
  const missing = await missingSearchAttributes(client, namespace);
  await client.close();
  if (missing.length > 0) {
    throw new ConfigError([
      `namespace ${namespace} lacks the contract's search attributes; register them with:\n    ${missing.join('\n    ')}`,
    ]);
  }

  const meter = Runtime.instance().metricMeter;
  const qlik = createQlikClient({
    registerUrlTemplate: config.registerUrlTemplate,
    tenantUrlTemplate: config.tenantUrlTemplate,
    credentials: (region) => config.credentials[region],
    requestTimeoutMs: 20_000,
    onResponse: createQlikMetrics(meter).onResponse,
  });
  const reports = createReportActivities({
    webhook: config.webhook,
    onDelivery: createWebhookMetrics(meter).onDelivery,
  });
  const connection = await NativeConnection.connect(connectionOptions);
  const workers = await createWorkers({
    connection,
    namespace,
    config,
    qlik,
    reports,
    workflows: existsSync(WORKFLOW_BUNDLE)
      ? { workflowBundle: { codePath: WORKFLOW_BUNDLE } }
      : {
          workflowsPath: workflowBundleOptions.workflowsPath,
          bundlerOptions: { preloadModules: workflowBundleOptions.preloadModules },
        },
  });
  // Open runs whose registration queue no worker polls any more (a region dropped, the task queue renamed): warned
  // about in the background, never a reason not to start.
  const strandedQueues = warnOfStrandedRegisterQueues({ connection, namespace, config, logger });
  // How the server lays out each registration queue (its partitions split the budget): logged, with a warning when a
  // decided reactivation could wait longer than its target; never a reason not to start (it never rejects).
  void reportRegisterQueueLayouts({ connection, namespace, config, logger });
  logger.info(
    `worker polling ${config.taskQueue} on ${connectionOptions.address} (namespace ${namespace}); regions ${config.regions.join(', ')}; ` +
      `registration calls limited to ${config.registerCallsPerMinute}/min per region; ` +
      `approval ${config.approval.mode === 'required' ? `required (expires after ${config.approval.timeoutMs} ms)` : 'off'}; ` +
      `up to ${config.maxCachedWorkflows} workflows cached, heap limit ${heapLimitMb()} MB; ` +
      describeVersioning(config.deploymentVersion),
  );
  try {
    await runWorkers(workers);
  } finally {
    strandedQueues.stop();
    await connection.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`qlik-offboard worker: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`qlik-offboard worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/** V8's heap limit: bin/qlik-offboard-worker caps it; uncapped it follows the machine's memory. */
function heapLimitMb(): number {
  return Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
}
