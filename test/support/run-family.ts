/**
 * Runs one fault family end to end: the simulator with the family's faults, the product's workers (in-process, the
 * same `createWorkers` as `npm run worker`), and a fleet of tenants with mixed plans. The harness stays open
 * afterwards so that the checks can read the simulator's state; close it with `close()`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RequestLogEntry } from '../../src/simulator';
import { type Harness, startHarness } from '../../harness/workers';
import { FAMILY_DAY_MS, FAMILY_ENV, type FamilyContext, type FaultFamily } from './fault-families';
import { runFleet, unexpectedEnds, type FleetRun } from './fleet';
import {
  noStateChangeViolations,
  requestsAbout,
  stateChangeViolations,
  unfiredFaults,
  untouchedViolations,
} from './request-log';

export interface FamilyRun extends FamilyContext {
  family: FaultFamily;
  harness: Harness;
  close(): Promise<void>;
}

/** How long a family may take: the slowest tenant waits out retries, a 22.5 s grace period and confirmation. */
export const FAMILY_TIMEOUT_MS = 120_000;

export async function runFamily(
  env: TestWorkflowEnvironment,
  family: FaultFamily,
  count: number,
  timeoutMs = FAMILY_TIMEOUT_MS,
): Promise<FamilyRun> {
  const harness = await startHarness(env, {
    // The families inject their own 429s; Qlik's real rate limits would only slow the run down.
    sim: { dayMs: FAMILY_DAY_MS, tier1PerMinute: 0, tier2PerMinute: 0, ...family.sim },
    env: { ...FAMILY_ENV, ...family.env },
  });
  let run: FleetRun;
  let during: { stop(): void } | undefined;
  try {
    await harness.startWorkers();
    during = family.during?.(harness.sim);
    run = await runFleet({
      client: harness.client,
      sim: harness.sim,
      taskQueue: harness.taskQueue,
      prefix: family.name,
      count,
      staggerMs: family.staggerMs,
      duringGrace: family.duringGrace && ((t) => family.duringGrace!(harness.sim, t)),
      timeoutMs,
    });
  } catch (error) {
    await harness.close();
    throw error;
  } finally {
    during?.stop();
  }
  return { family, harness, run, log: harness.sim.requests(), sim: harness.sim, close: () => harness.close() };
}

/** Every run reached the outcome its plan and the family call for; the first few misses come with their requests. */
export function outcomeViolations(result: FamilyRun): string[] {
  const problems = unexpectedEnds(result.run, result.family.expected);
  const t0 = result.run.startedAt;
  return problems.map((problem, index) => {
    if (index >= 3) return problem;
    const end = result.run.ends.find((e) => problem.startsWith(`${e.tenant.id} `))!;
    const timeline = requestsAbout(result.log, end.tenant.id, end.tenant.hostname)
      .map(
        (r) => `+${r.at - t0}ms ${r.route} ${r.status}${r.fault ? ` (${r.fault})` : ''}${r.applied ? ' applied' : ''}`,
      )
      .join('; ');
    return `${problem}\n    status: ${JSON.stringify(end.status)}\n    requests: ${timeline}`;
  });
}

/**
 * The request log's verdict per tenant: purge/reactivate/cancel plans deactivated once in effect (a repeat only
 * after an unknown outcome) and reactivated exactly as often as the plan says; a tenant cancelled while scheduled
 * got no deactivate or reactivate; one cancelled with signal-with-start got no request at all.
 */
export function callViolations(run: FleetRun, log: RequestLogEntry[], answerLossMoments: number[] = []): string[] {
  return run.ends.flatMap((end) => {
    const { id, hostname, plan } = end.tenant;
    const requests = requestsAbout(log, id, hostname);
    switch (plan) {
      case 'cancel-with-start':
        return untouchedViolations(requests, id);
      case 'cancel-scheduled':
        return noStateChangeViolations(requests, id);
      default: {
        const deactivated = requests.some((r) => r.route === 'deactivate' && r.applied);
        const reactivations = plan === 'purge' ? 0 : 1;
        return [
          ...(deactivated ? [] : [`${id}: never deactivated`]),
          ...stateChangeViolations(requests, id, { reactivations, answerLossMoments }),
        ];
      }
    }
  });
}

/** The faults the family injects that the request log does not show. */
export function unfired(result: FamilyRun): string[] {
  return unfiredFaults(result.log, result.family.mustFire);
}
