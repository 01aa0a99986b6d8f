/**
 * The demo's tenants: one per path the offboarding can take, each with what it must end in. Tenant IDs carry a
 * per-run suffix so that running the demo again never meets the previous run's workflows (a Completed run would
 * refuse a plain restart under the same workflow ID).
 */
import type { FailureType, OffboardingInput, Outcome } from '../shared/contract';
import type { SimTenantSeed } from '../simulator';

/** Where every demo tenant lives; the demo worker serves this region only. */
export const DEMO_REGION = 'eu';

/** Long enough to watch, short enough for a one-minute demo: 10 simulated days (10 s at 1 s per day). */
export const DEMO_PURGE_AFTER_DAYS = 10;

/** `requestedBy` of every demo offboarding: the `QlikRequestedBy` search attribute finds them all. */
export const DEMO_REQUESTED_BY = 'demo';

/** Simulated days into the grace period after which the demo sends `reactivate`. */
export const REACTIVATE_AFTER_DAYS = 3;

/** Simulated days into the grace period after which the demo extends it ("[4 of 4]"), and to how many days. */
export const EXTEND_AFTER_DAYS = 3;
export const EXTENDED_PURGE_AFTER_DAYS = 20;

/** How the demo steers a tenant's workflow once started. */
export type DemoAction =
  /** Started and left alone. */
  | 'none'
  /** `reactivate` signal sent {@link REACTIVATE_AFTER_DAYS} into the grace period. */
  | 'reactivate-in-grace'
  /** Started with signal-with-start carrying `cancel`, so the workflow sees it before any activity. */
  | 'cancel-with-start'
  /** `extendGracePeriod` Update sent {@link EXTEND_AFTER_DAYS} into the grace period. */
  | 'extend-in-grace';

/** What a path must end in, and what Qlik must (not) have seen for it. */
export interface DemoExpectation {
  outcome?: Outcome;
  failureType?: FailureType;
  /** Exact number of calls per route on the simulator's request log; routes not named are not checked. */
  calls?: Partial<Record<'deactivate' | 'reactivate', number>>;
  /** No Qlik call at all about this tenant. */
  noCalls?: boolean;
  /** The tenant's state on the simulator at the end. */
  simStatus?: 'active' | 'disabled' | 'deleted';
  /** The grace period was extended: one extension, applied, and the purge confirmed after the date it set. */
  extensionApplied?: boolean;
}

/** One demo tenant: how it is seeded, offboarded, steered, and what it must end in. */
export interface DemoScenario {
  /** Short name of the path, shown in progress lines and the table. */
  path: string;
  /** One line on what the path shows. */
  description: string;
  tenant: SimTenantSeed;
  input: OffboardingInput;
  action: DemoAction;
  expect: DemoExpectation;
}

function hostnameFor(tenantId: string): string {
  return `${tenantId.toLowerCase()}.${DEMO_REGION}.qlikcloud.com`;
}

/** A suffix unique to this run (base-36 milliseconds), short enough to keep tenant IDs readable. */
export function runSuffix(nowMs: number = Date.now()): string {
  return nowMs.toString(36);
}

/** The five demo tenants of one run. */
export function demoScenarios(suffix: string): DemoScenario[] {
  const make = (
    path: string,
    description: string,
    action: DemoAction,
    expect: DemoExpectation,
    hostname?: string,
  ): DemoScenario => {
    const tenantId = `demo-${path}-${suffix}`;
    return {
      path,
      description,
      tenant: { id: tenantId, name: `Demo ${path}`, hostnames: [hostnameFor(tenantId)], region: DEMO_REGION },
      input: {
        tenantId,
        hostname: hostname ?? hostnameFor(tenantId),
        region: DEMO_REGION,
        purgeAfterDays: DEMO_PURGE_AFTER_DAYS,
        requestedBy: DEMO_REQUESTED_BY,
        reason: `demo: ${description}`,
      },
      action,
      expect,
    };
  };
  return [
    make('purge', 'deactivated, grace period passes, purge confirmed', 'none', {
      outcome: 'purged',
      calls: { deactivate: 1, reactivate: 0 },
      simStatus: 'deleted',
    }),
    make('reactivate', `reactivate signal ${REACTIVATE_AFTER_DAYS} days into the grace period`, 'reactivate-in-grace', {
      outcome: 'reactivated',
      calls: { deactivate: 1, reactivate: 1 },
      simStatus: 'active',
    }),
    make(
      'extend',
      `grace period extended to ${EXTENDED_PURGE_AFTER_DAYS} days, ${EXTEND_AFTER_DAYS} days in; purged at the new date`,
      'extend-in-grace',
      { outcome: 'purged', calls: { deactivate: 2, reactivate: 0 }, simStatus: 'deleted', extensionApplied: true },
    ),
    make('cancel', 'cancel sent with signal-with-start, before any call', 'cancel-with-start', {
      outcome: 'cancelled',
      noCalls: true,
      simStatus: 'active',
    }),
    make(
      'wrong-host',
      'hostname that is not the tenant’s: Qlik refuses with 412',
      'none',
      { failureType: 'HostnameMismatch', calls: { deactivate: 1, reactivate: 0 }, simStatus: 'active' },
      `not-the-tenant-${suffix}.${DEMO_REGION}.qlikcloud.com`,
    ),
  ];
}
