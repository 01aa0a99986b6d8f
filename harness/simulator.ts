/**
 * The Qlik simulator as tests and scripts start it: OAuth clients with recognisable secrets, tenants under the allowed
 * hostname suffix, and for worker processes the contract's environment variables that point them at it (the same
 * settings as the in-process harness of ./workers.ts).
 */
import { startSimulator, type Simulator, type SimulatorOptions, type SimTenantSeed } from '../src/simulator';

/** Recognisable secrets, so that scans for leaks can look for them. */
export const CLIENT_SECRETS = { eu: 'e2e-SECRET-eu-do-not-leak-7f3a', us: 'e2e-SECRET-us-do-not-leak-91c2' };

/**
 * The OAuth clients of {@link CLIENT_SECRETS}, one per region, named `<prefix>-<region>-client` (tests name the
 * in-process harness's `e2e-…` clients when they rotate or add one).
 */
export function simulatorClients(prefix: string): Array<{ region: string; clientId: string; clientSecret: string }> {
  return Object.entries(CLIENT_SECRETS).map(([region, clientSecret]) => ({
    region,
    clientId: `${prefix}-${region}-client`,
    clientSecret,
  }));
}

/** A tenant seed with a hostname under the allowed suffix. */
export function tenant(id: string, region = 'eu'): SimTenantSeed {
  return { id, name: id, hostnames: [hostnameOf(id, region)], region };
}

export function hostnameOf(id: string, region = 'eu'): string {
  return `${id.toLowerCase()}.${region}.qlikcloud.com`;
}

/** A simulator with one OAuth client per region of {@link CLIENT_SECRETS}, rate limits off. */
export function startProcessSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({
    dayMs: 250,
    tier1PerMinute: 0,
    tier2PerMinute: 0,
    clients: simulatorClients('proc'),
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
  for (const { region, clientId, clientSecret } of simulatorClients('proc')) {
    env[`QLIK_${region.toUpperCase()}_CLIENT_ID`] = clientId;
    env[`QLIK_${region.toUpperCase()}_CLIENT_SECRET`] = clientSecret;
  }
  return { ...env, ...options.env };
}
