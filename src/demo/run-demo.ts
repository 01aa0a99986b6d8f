/**
 * The demo driver: seeds the demo tenants into the simulator, starts one offboarding per path, steers them as
 * each path needs, follows them through the `status` query, and reports how each ended against what it must end
 * in. Works the same with an in-process simulator (tests) and one in another process (`npm run demo`).
 */
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { workflowIdFor, WORKFLOW_TYPE, type OffboardingResult, type OffboardingStatus } from '../shared/contract';
import type { RequestLogEntry, SimTenantSeed, SimTenantView } from '../simulator';
import { cancelSignal, extendUpdate, reactivateSignal } from '../workflows/definitions';
import { checkExpectation, countCalls, requestsAbout, type DemoResult } from './checks';
import {
  DEMO_REQUESTED_BY,
  demoScenarios,
  EXTEND_AFTER_DAYS,
  EXTENDED_PURGE_AFTER_DAYS,
  REACTIVATE_AFTER_DAYS,
  runSuffix,
  type DemoScenario,
} from './scenarios';
import { describeStatus, shortDate, watchStatus } from './watch';

/**
 * What the driver needs from the simulator: met by the in-process `Simulator` (synchronous) and by
 * `SimulatorControl` (over HTTP, asynchronous).
 */
export interface DemoSimulator {
  addTenant(tenant: SimTenantSeed): unknown;
  requests(): RequestLogEntry[] | Promise<RequestLogEntry[]>;
  tenant(id: string): SimTenantView | undefined | Promise<SimTenantView | undefined>;
}

export interface DemoOptions {
  client: Client;
  /** The task queue the demo's worker polls. */
  taskQueue: string;
  sim: DemoSimulator;
  /** Real ms per simulated day, as the simulator and the worker (`OFFBOARD_DAY_LENGTH`) were told. */
  dayMs: number;
  /** Makes the tenant IDs unique to this run (default: from the clock). */
  suffix?: string;
  /** How often the status is polled (default 500 ms). */
  pollMs?: number;
  /** A path that has not ended by then is reported as a problem (default 40 simulated days, at least 60 s). */
  timeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

const PATH_WIDTH = 10;

/** Runs every demo path at once and returns how each ended, in the order of {@link demoScenarios}. */
export async function runDemo(options: DemoOptions): Promise<DemoResult[]> {
  const { client, sim, dayMs } = options;
  const pollMs = options.pollMs ?? 500;
  const timeoutMs = options.timeoutMs ?? Math.max(60_000, 40 * dayMs);
  const log = options.log ?? (() => {});
  const began = Date.now();
  const say = (scenario: DemoScenario, text: string) =>
    log(`+${((Date.now() - began) / 1000).toFixed(1).padStart(5)}s  ${scenario.path.padEnd(PATH_WIDTH)} ${text}`);

  const scenarios = demoScenarios(options.suffix ?? runSuffix());
  for (const scenario of scenarios) await sim.addTenant(scenario.tenant);

  const ended = await Promise.all(
    scenarios.map(async (scenario) => {
      const handle = await startScenario(client, options.taskQueue, scenario);
      say(scenario, `started ${handle.workflowId}${scenario.action === 'cancel-with-start' ? ' with cancel' : ''}`);
      return followScenario(handle, scenario, { pollMs, timeoutMs, dayMs, say });
    }),
  );

  // Read once every path has ended, so that each count is final.
  const requestLog = await sim.requests();
  const results: DemoResult[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const requests = requestsAbout(requestLog, scenario);
    const simTenant = await sim.tenant(scenario.tenant.id);
    results.push({
      scenario,
      workflowId: workflowIdFor(scenario.input.tenantId),
      ...ended[i],
      calls: countCalls(requests),
      simStatus: simTenant?.status,
      problems: [...ended[i].problems, ...checkExpectation(scenario, ended[i], requests, simTenant)],
    });
  }
  return results;
}

function startScenario(client: Client, taskQueue: string, scenario: DemoScenario): Promise<WorkflowHandle> {
  const common = {
    taskQueue,
    workflowId: workflowIdFor(scenario.input.tenantId),
    args: [scenario.input],
    staticSummary: `Demo (${scenario.path}): ${scenario.description}`,
  };
  if (scenario.action === 'cancel-with-start') {
    // Signal-with-start puts the cancel in the run's first workflow task, before any activity: no race, no call.
    return client.workflow.signalWithStart(WORKFLOW_TYPE, {
      ...common,
      signal: cancelSignal,
      signalArgs: [{ reason: 'demo: the customer stayed', requestedBy: DEMO_REQUESTED_BY }],
    });
  }
  return client.workflow.start(WORKFLOW_TYPE, common);
}

type Ended = Pick<DemoResult, 'outcome' | 'failureType' | 'failureMessage' | 'status' | 'problems'>;

async function followScenario(
  handle: WorkflowHandle,
  scenario: DemoScenario,
  options: { pollMs: number; timeoutMs: number; dayMs: number; say: (s: DemoScenario, text: string) => void },
): Promise<Ended> {
  const { say } = options;
  const result = handle.result() as Promise<OffboardingResult>;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)),
  );
  const settled = Promise.race([result, timedOut]);

  let lastPhase: string | undefined;
  let lastPurgeDate: string | undefined;
  let steering: NodeJS.Timeout | undefined;
  const steer = steerInGrace(handle, scenario, (text) => say(scenario, text));
  const watching = watchStatus(handle, settled, {
    pollMs: options.pollMs,
    onStatus: (status) => {
      if (status.phase !== lastPhase && status.phase !== 'completed' && status.phase !== 'failed') {
        say(scenario, describeStatus(status));
      } else if (status.phase === 'grace-period' && status.estimatedPurgeDate !== lastPurgeDate) {
        say(scenario, `extension applied: Qlik now purges it at ${shortDate(status.estimatedPurgeDate)}`);
      }
      lastPhase = status.phase;
      lastPurgeDate = status.estimatedPurgeDate;
      if (steer && status.phase === 'grace-period' && !steering) {
        // Measured from when the grace period began (the status says), not from when this poll noticed it.
        const due = Date.parse(status.phaseSince) + steer.afterDays * options.dayMs;
        steering = setTimeout(steer.send, Math.max(0, due - Date.now()));
      }
    },
  });

  try {
    const value = await settled;
    if (value === 'timeout') {
      // The pending result() long-poll ends when the connection closes; nothing should hear its rejection.
      result.catch(() => {});
      say(scenario, `not finished after ${Math.round(options.timeoutMs / 1000)} s`);
      return { problems: [`did not finish within ${Math.round(options.timeoutMs / 1000)} s`] };
    }
    say(scenario, `done: outcome ${value.outcome}`);
    return { outcome: value.outcome, status: value, problems: [] };
  } catch (error) {
    const failure = error instanceof WorkflowFailedError ? error.cause : undefined;
    if (failure instanceof ApplicationFailure) {
      const status = failure.details?.[0] as OffboardingStatus | undefined;
      const last = status?.lastError;
      const facts = [last?.httpStatus && `HTTP ${last.httpStatus}`, last?.traceId && `traceId ${last.traceId}`];
      say(scenario, `refused: ${failure.type}${facts.some(Boolean) ? ` (${facts.filter(Boolean).join(', ')})` : ''}`);
      return { failureType: failure.type ?? undefined, failureMessage: failure.message, status, problems: [] };
    }
    const message = error instanceof Error ? error.message : String(error);
    say(scenario, `ended unexpectedly: ${message}`);
    return { failureType: error instanceof Error ? error.name : 'Error', failureMessage: message, problems: [] };
  } finally {
    clearTimeout(timer);
    clearTimeout(steering);
    await watching;
  }
}

/** What the demo sends a path during its grace period, and how many days in; none for paths left alone. */
function steerInGrace(
  handle: WorkflowHandle,
  scenario: DemoScenario,
  say: (text: string) => void,
): { afterDays: number; send: () => void } | undefined {
  if (scenario.action === 'reactivate-in-grace') {
    return {
      afterDays: REACTIVATE_AFTER_DAYS,
      send: () => {
        say(`sending reactivate (${REACTIVATE_AFTER_DAYS} days into the grace period)`);
        handle
          .signal(reactivateSignal, { reason: 'demo: the customer renewed', requestedBy: DEMO_REQUESTED_BY })
          .catch((error: unknown) => say(`reactivate signal failed: ${String(error)}`));
      },
    };
  }
  if (scenario.action === 'extend-in-grace') {
    return {
      afterDays: EXTEND_AFTER_DAYS,
      send: () => {
        say(`extending the grace period to ${EXTENDED_PURGE_AFTER_DAYS} days (${EXTEND_AFTER_DAYS} days in)`);
        const args = {
          purgeAfterDays: EXTENDED_PURGE_AFTER_DAYS,
          reason: 'demo: the customer asked for more time',
          requestedBy: DEMO_REQUESTED_BY,
        };
        handle
          .executeUpdate(extendUpdate, { args: [args] })
          .then(() => say("extension recorded; the repeat deactivate goes through the region's queue"))
          .catch((error: unknown) => say(`extendGracePeriod failed: ${String(error)}`));
      },
    };
  }
  return undefined;
}
