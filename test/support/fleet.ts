/**
 * A fleet of tenants offboarded at once through the real worker, each with a plan: purge, reactivate or cancel
 * during the grace period, cancel before the deactivation (while scheduled), or cancel with signal-with-start.
 * The fleet records every run's end (outcome, or failure type and message, or "still running at the deadline").
 */
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Simulator } from '../../src/simulator';
import {
  workflowIdFor,
  type MessageArgs,
  type OffboardingInput,
  type OffboardingStatus,
  type Outcome,
} from '../../src/shared/contract';
import { cancelSignal, reactivateSignal, statusQuery } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { hostnameOf, tenant } from '../../harness/simulator';

/** What the test does to a tenant after starting its offboarding. */
export type Plan = 'purge' | 'reactivate' | 'cancel' | 'cancel-scheduled' | 'cancel-with-start';

export const ALL_PLANS: readonly Plan[] = ['purge', 'reactivate', 'cancel', 'cancel-scheduled', 'cancel-with-start'];

/** The outcome each plan ends with when nothing special happens to the tenant. */
export const USUAL_OUTCOMES: Record<Plan, Outcome> = {
  purge: 'purged',
  reactivate: 'reactivated',
  cancel: 'cancelled',
  'cancel-scheduled': 'cancelled',
  'cancel-with-start': 'cancelled',
};

export interface FleetTenant {
  id: string;
  hostname: string;
  region: string;
  plan: Plan;
  workflowId: string;
}

/** How one run ended. */
export interface RunEnd {
  tenant: FleetTenant;
  outcome?: Outcome;
  /** The final status: the result, or `details[0]` of the failure. */
  status?: OffboardingStatus;
  failureType?: string;
  failureMessage?: string;
  /** Still running at the deadline (the last status is in `status`). */
  timedOut?: boolean;
  /** Epoch ms when the test sent the plan's signal. */
  signalledAt?: number;
}

export interface FleetOptions {
  client: Client;
  sim: Simulator;
  taskQueue: string;
  /** Prefix of the tenant IDs (letters, digits, `-`), unique within the simulator. */
  prefix: string;
  count: number;
  /** Assigned round-robin. */
  plans?: readonly Plan[];
  /** Grace period of purge-plan tenants, and of the others (long, so that their signal lands in time). */
  purgeAfterDays?: { purge: number; hold: number };
  regions?: readonly string[];
  /** Called once for each purge-plan tenant when its workflow reports the grace period. */
  duringGrace?: (tenant: FleetTenant) => void;
  /** Every run must end within this many ms of the start. */
  timeoutMs: number;
  /** Spread the starts evenly over this many ms (default 0: all at once). */
  staggerMs?: number;
}

export interface FleetRun {
  tenants: FleetTenant[];
  ends: RunEnd[];
  startedAt: number;
  endedAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The ID of the fleet's `index`-th tenant. */
export function fleetTenantId(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(3, '0')}`;
}

/** The plan of the fleet's `index`-th tenant. */
export function fleetPlan(index: number, plans: readonly Plan[] = ALL_PLANS): Plan {
  return plans[index % plans.length]!;
}

/** Builds the fleet's tenants and puts them into the simulator. */
export function fleetTenants(sim: Simulator, options: Pick<FleetOptions, 'prefix' | 'count' | 'plans' | 'regions'>) {
  const regions = options.regions ?? ['eu', 'us'];
  const tenants: FleetTenant[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = fleetTenantId(options.prefix, i);
    const region = regions[i % regions.length]!;
    sim.addTenant(tenant(id, region));
    tenants.push({
      id,
      region,
      hostname: hostnameOf(id, region),
      plan: fleetPlan(i, options.plans),
      workflowId: workflowIdFor(id),
    });
  }
  return tenants;
}

/** Waits for the run's end; never throws. */
export async function awaitEnd(handle: WorkflowHandle<typeof offboardTenant>, tenant: FleetTenant, deadline: number) {
  const end: RunEnd = { tenant };
  const result = handle.result().then(
    (status) => {
      end.outcome = status.outcome;
      end.status = status;
    },
    (error: unknown) => {
      const failure = error instanceof WorkflowFailedError ? error.cause : error;
      end.failureType = failure instanceof ApplicationFailure ? (failure.type ?? 'Error') : String(failure);
      end.failureMessage = failure instanceof Error ? failure.message : String(failure);
      if (failure instanceof ApplicationFailure) end.status = failure.details?.[0] as OffboardingStatus;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  const finished = await Promise.race([result.then(() => true), expired]);
  clearTimeout(timer);
  if (!finished) {
    end.timedOut = true;
    end.status = await handle.query(statusQuery).catch(() => undefined);
    // Nothing may outlive the test: a pending result() would long-poll a server that is about to be torn down.
    await handle.terminate('reliability test deadline passed').catch(() => undefined);
    await result;
  }
  return end;
}

/**
 * Offboards the fleet concurrently and waits for every run. Signals go out as soon as the simulator shows the
 * tenant deactivated (so they land in `deactivating`, `verifying` or the grace period, all before the purge date).
 */
export async function runFleet(options: FleetOptions): Promise<FleetRun> {
  const { client, sim, taskQueue } = options;
  const days = options.purgeAfterDays ?? { purge: 10, hold: 90 };
  const tenants = fleetTenants(sim, options);
  const startedAt = Date.now();
  const deadline = startedAt + options.timeoutMs;
  const ends = new Map<string, RunEnd>();
  const signalledAt = new Map<string, number>();

  const handles = await Promise.all(
    tenants.map(async (t, index) => {
      if (options.staggerMs) await sleep((options.staggerMs * index) / tenants.length);
      const input: OffboardingInput = {
        tenantId: t.id,
        hostname: t.hostname,
        region: t.region,
        purgeAfterDays: t.plan === 'purge' ? days.purge : days.hold,
        requestedBy: 'reliability-suite',
        // Scheduled a minute ahead, so that the cancel arrives while the run waits in `scheduled`.
        ...(t.plan === 'cancel-scheduled' ? { notBefore: new Date(Date.now() + 60_000).toISOString() } : {}),
      };
      const base = { taskQueue, workflowId: t.workflowId, args: [input] as [OffboardingInput] };
      if (t.plan === 'cancel-with-start') {
        signalledAt.set(t.id, Date.now());
        return client.workflow.signalWithStart<typeof offboardTenant, [MessageArgs?]>('offboardTenant', {
          ...base,
          signal: cancelSignal,
          signalArgs: [{ reason: 'customer stayed', requestedBy: 'reliability-suite' }],
        });
      }
      if (t.plan === 'cancel-scheduled') {
        const handle = await client.workflow.start<typeof offboardTenant>('offboardTenant', base);
        signalledAt.set(t.id, Date.now());
        await handle.signal(cancelSignal, { reason: 'changed our mind before the date' });
        return handle;
      }
      return client.workflow.start<typeof offboardTenant>('offboardTenant', base);
    }),
  );

  // One loop watches every tenant that still waits for its signal (or its out-of-band change).
  const waiting = new Map(tenants.map((t, i) => [t.id, { t, handle: handles[i]! }]));
  for (const [id, { t }] of waiting) {
    const watched = t.plan === 'reactivate' || t.plan === 'cancel' || (t.plan === 'purge' && options.duringGrace);
    if (!watched) waiting.delete(id);
  }
  const sent: Promise<unknown>[] = [];
  const watcher = (async () => {
    while (waiting.size > 0 && Date.now() < deadline) {
      // Visibility answers "who is in the grace period" for the whole fleet in one call.
      const inGrace = new Set<string>();
      if ([...waiting.values()].some(({ t }) => t.plan === 'purge')) {
        const query = `TaskQueue = '${taskQueue}' AND OffboardingPhase = 'grace-period' AND ExecutionStatus = 'Running'`;
        for await (const info of client.workflow.list({ query })) inGrace.add(info.workflowId);
      }
      for (const [id, { t, handle }] of waiting) {
        if (t.plan === 'purge') {
          if (!inGrace.has(t.workflowId)) continue;
          options.duringGrace!(t);
          waiting.delete(id);
          continue;
        }
        if (sim.tenant(id)?.status !== 'disabled') continue;
        waiting.delete(id);
        signalledAt.set(id, Date.now());
        const signal = t.plan === 'reactivate' ? reactivateSignal : cancelSignal;
        // Not awaited one by one: on a busy machine a sequence of signals would hold up the tenants behind it.
        sent.push(
          handle
            .signal(signal, { reason: `${t.plan} during the grace period`, requestedBy: 'reliability-suite' })
            .catch(() => undefined),
        );
      }
      await sleep(100);
    }
  })();

  await Promise.all(
    tenants.map(async (t, i) => {
      const end = await awaitEnd(handles[i]!, t, deadline);
      ends.set(t.id, end);
    }),
  );
  await watcher;
  await Promise.all(sent);
  for (const [id, at] of signalledAt) ends.get(id)!.signalledAt = at;
  return { tenants, ends: tenants.map((t) => ends.get(t.id)!), startedAt, endedAt: Date.now() };
}

/** The runs whose end differs from the expected outcome, described one per line. */
export function unexpectedEnds(run: FleetRun, expected: Partial<Record<Plan, Outcome>> = {}): string[] {
  const problems: string[] = [];
  for (const end of run.ends) {
    const want = expected[end.tenant.plan] ?? USUAL_OUTCOMES[end.tenant.plan];
    if (end.outcome === want) continue;
    const got = end.timedOut
      ? `still running in phase ${end.status?.phase ?? '?'}`
      : end.failureType
        ? `failed ${end.failureType}: ${end.failureMessage}`
        : `outcome ${end.outcome ?? '(none)'}`;
    problems.push(`${end.tenant.id} (${end.tenant.plan}): expected ${want}, ${got}`);
  }
  return problems;
}
