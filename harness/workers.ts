/**
 * The in-process harness: a Temporal test environment (./temporal.ts), the Qlik simulator over real HTTP, and the
 * product's own workers (the same `createWorkers` as `npm run worker`) configured from contract-style environment
 * variables.
 */
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import { loadWorkerConfig, type WorkerConfig } from '../src/config/worker-config';
import { createQlikClient, type QlikHttpClient } from '../src/qlik';
import { createReportActivities } from '../src/reports';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator';
import { createWorkers, runWorkers } from '../src/worker/create-workers';
import { devServer, type DevServer } from './dev-server';
import { CLIENT_SECRETS, simulatorClients } from './simulator';
import { createLocalEnv, workflowBundle } from './temporal';

const clientId = (region: string) => `e2e-${region}-client`;

export interface Harness {
  sim: Simulator;
  client: Client;
  config: WorkerConfig;
  qlik: QlikHttpClient;
  taskQueue: string;
  /** Starts the product's workers; `stopWorkers` shuts them down gracefully. */
  startWorkers(options?: Partial<WorkerOptions>): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** What a harness is started with: simulator options, and environment variables for the worker configuration. */
export interface HarnessOptions {
  sim?: SimulatorOptions;
  env?: Record<string, string>;
}

let harnessCounter = 0;

/**
 * What most end-to-end test files start once, before their tests: a dev server of the SDK's (with the Web UI on
 * `uiPort`, if given) and a harness on it. The workers are the file's to start, once its tenants are seeded.
 */
export async function startLocalHarness(
  options: HarnessOptions & { uiPort?: number } = {},
): Promise<{ env: TestWorkflowEnvironment; h: Harness }> {
  const env = await createLocalEnv({ uiPort: options.uiPort });
  try {
    return { env, h: await startHarness(env, options) };
  } catch (error) {
    await env.teardown();
    throw error;
  }
}

/** Stops what {@link startLocalHarness} started; either may be missing when a start failed. */
export async function stopLocalHarness(
  h: Harness | undefined,
  env: TestWorkflowEnvironment | undefined,
): Promise<void> {
  await h?.close();
  await env?.teardown();
}

/**
 * Like {@link startLocalHarness}, on a dev server that `temporal-dev.sh` started (./dev-server.ts), the way developers
 * run it: with Temporal's HTTP API on a port of its own (`server.httpPort`), for what callers in other languages do.
 */
export async function startDevServerHarness(
  options: HarnessOptions = {},
): Promise<{ server: DevServer; env: TestWorkflowEnvironment; h: Harness }> {
  const server = await devServer({ name: 'qlik-offboard-http', timeoutMs: 90_000 });
  let env: TestWorkflowEnvironment | undefined;
  try {
    await server.start();
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: 'default' });
    return { server, env, h: await startHarness(env, options) };
  } catch (error) {
    await env?.teardown();
    await server.destroy();
    throw error;
  }
}

/** Stops what {@link startDevServerHarness} started (the server last, with its database). */
export async function stopDevServerHarness(
  started: { server: DevServer; env: TestWorkflowEnvironment; h: Harness } | undefined,
): Promise<void> {
  if (!started) return;
  try {
    await stopLocalHarness(started.h, started.env);
  } finally {
    await started.server.destroy();
  }
}

/**
 * Starts the simulator (1 simulated day = `dayMs`, 100 ms by default: a 10-day grace period lasts 1 s) and
 * prepares workers on a fresh task queue of `env`.
 */
export async function startHarness(env: TestWorkflowEnvironment, options: HarnessOptions = {}): Promise<Harness> {
  const dayMs = options.sim?.dayMs ?? 100;
  const sim = await startSimulator({
    dayMs,
    clients: simulatorClients('e2e'),
    ...options.sim,
  });
  const taskQueue = `e2e-${process.pid}-${++harnessCounter}`;
  const config = loadWorkerConfig({
    QLIK_EU_CLIENT_ID: clientId('eu'),
    QLIK_EU_CLIENT_SECRET: CLIENT_SECRETS.eu,
    QLIK_US_CLIENT_ID: clientId('us'),
    QLIK_US_CLIENT_SECRET: CLIENT_SECRETS.us,
    QLIK_REGISTER_URL_TEMPLATE: sim.registerUrlTemplate,
    QLIK_TENANT_URL_TEMPLATE: sim.tenantUrlTemplate,
    TEMPORAL_TASK_QUEUE: taskQueue,
    OFFBOARD_PROTECTED_TENANTS: 'protected-tenant',
    OFFBOARD_PROBE_INITIAL_INTERVAL: '100ms',
    OFFBOARD_PROBE_MAX_INTERVAL: '500ms',
    OFFBOARD_VERIFY_TIMEOUT: '3s',
    OFFBOARD_PURGE_OVERDUE_AFTER: '3s',
    OFFBOARD_DAY_LENGTH: `${dayMs}ms`,
    QLIK_REGISTER_CALLS_PER_MINUTE: '6000',
    ...options.env,
  });
  const qlik = createQlikClient({
    registerUrlTemplate: config.registerUrlTemplate,
    tenantUrlTemplate: config.tenantUrlTemplate,
    credentials: (region) => config.credentials[region],
    requestTimeoutMs: 2_000,
  });

  let workers: Worker[] = [];
  let running: Promise<void> | undefined;
  const harness: Harness = {
    sim,
    client: env.client,
    config,
    qlik,
    taskQueue,
    async startWorkers(workerOptions) {
      workers = await createWorkers({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        config,
        qlik,
        reports: createReportActivities({ webhook: config.webhook, requestTimeoutMs: 2_000 }),
        workflows: { workflowBundle: await workflowBundle() },
        options: {
          // Cancellation reaches an activity with its next heartbeat: send them often.
          maxHeartbeatThrottleInterval: '200ms',
          defaultHeartbeatThrottleInterval: '200ms',
          shutdownGraceTime: '2s',
          ...workerOptions,
        },
      });
      running = runWorkers(workers);
    },
    async stopWorkers() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      running = undefined;
    },
    async close() {
      await harness.stopWorkers();
      await qlik.close();
      await sim.close();
    },
  };
  return harness;
}
