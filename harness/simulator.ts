/**
 * Worker processes against an in-test simulator: the contract's environment variables for `node dist/src/worker.js`
 * (the same settings as the in-process harness), and a simulator whose OAuth clients match them.
 */
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator';
import { CLIENT_SECRETS } from '../../helpers/harness';
import { spawnWorker, type WorkerProcess } from '../../helpers/processes';

const clientId = (region: string) => `proc-${region}-client`;

/** A simulator with one OAuth client per region of {@link CLIENT_SECRETS}, rate limits off. */
export function startProcessSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({
    dayMs: 250,
    tier1PerMinute: 0,
    tier2PerMinute: 0,
    clients: Object.entries(CLIENT_SECRETS).map(([region, clientSecret]) => ({
      region,
      clientId: clientId(region),
      clientSecret,
    })),
    ...options,
  });
}

let queueCounter = 0;

/** A task queue of its own for one scenario. */
export function freshTaskQueue(name: string): string {
  return `rel-${name}-${process.pid}-${++queueCounter}`;
}

/** The worker's environment: Temporal at `address`, Qlik at `sim`, fast probes, JSON logs. */
export function workerEnv(options: {
  address: string;
  sim: Simulator;
  taskQueue: string;
  env?: Record<string, string>;
}): Record<string, string> {
  const { sim } = options;
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    QLIK_REGISTER_URL_TEMPLATE: sim.registerUrlTemplate,
    QLIK_TENANT_URL_TEMPLATE: sim.tenantUrlTemplate,
    QLIK_REGISTER_CALLS_PER_MINUTE: '6000',
    OFFBOARD_PROTECTED_TENANTS: 'protected-tenant',
    OFFBOARD_PROBE_INITIAL_INTERVAL: '100ms',
    OFFBOARD_PROBE_MAX_INTERVAL: '500ms',
    OFFBOARD_VERIFY_TIMEOUT: '3s',
    // Generous: a worker that drains for its 30 s shutdown grace must not turn a purge into "overdue" (see BUG-3).
    OFFBOARD_PURGE_OVERDUE_AFTER: '120s',
    OFFBOARD_DAY_LENGTH: `${sim.settings().dayMs}ms`,
    LOG_FORMAT: 'json',
  };
  for (const [region, secret] of Object.entries(CLIENT_SECRETS)) {
    env[`QLIK_${region.toUpperCase()}_CLIENT_ID`] = clientId(region);
    env[`QLIK_${region.toUpperCase()}_CLIENT_SECRET`] = secret;
  }
  return { ...env, ...options.env };
}

/** Spawns the built worker and waits until it polls. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const worker = spawnWorker(env);
  try {
    await worker.waitForLog(/worker polling/, 60_000);
  } catch (error) {
    worker.kill('SIGKILL');
    throw error;
  }
  return worker;
}
