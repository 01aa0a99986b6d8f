/** Lifecycle events as the workflow sends them, one per kind and ending. */
import type { LifecycleEvent } from '../../../src/activities/types';
import type { OffboardingStatus } from '../../../src/shared/contract';

const base: OffboardingStatus = {
  tenantId: 'T-acme_1',
  hostname: 'acme.eu.qlikcloud.com',
  region: 'eu',
  purgeAfterDays: 10,
  dryRun: false,
  requestedBy: 'crm:account-42',
  reason: 'contract ended',
  phase: 'grace-period',
  phaseSince: '2026-03-01T10:00:02.000Z',
  ignoredSignals: [],
};

const ids = { workflowId: 'offboard-tenant-T-acme_1', runId: 'run-0c1d' };

export const deactivated: LifecycleEvent = {
  kind: 'deactivated',
  ...ids,
  status: {
    ...base,
    deactivatedAt: '2026-03-01T10:00:01.000Z',
    estimatedPurgeDate: '2026-03-11T10:00:01.000Z',
    purgeDateSource: 'qlik',
  },
};

export const reactivated: LifecycleEvent = {
  kind: 'reactivated',
  ...ids,
  status: {
    ...deactivated.status,
    phase: 'reactivating',
    phaseSince: '2026-03-03T09:00:00.000Z',
    decidedBy: { message: 'reactivate', at: '2026-03-03T09:00:00.000Z', requestedBy: 'ops:jo', reason: 'renewed' },
    reactivatedAt: '2026-03-03T09:00:01.000Z',
  },
};

export const finalPurged: LifecycleEvent = {
  kind: 'final-report',
  ...ids,
  status: {
    ...deactivated.status,
    phase: 'completed',
    phaseSince: '2026-03-11T12:00:00.000Z',
    outcome: 'purged',
    deactivationConfirmedAt: '2026-03-01T10:00:05.000Z',
    purgeConfirmedAt: '2026-03-11T11:59:59.000Z',
  },
};

export const finalFailed: LifecycleEvent = {
  kind: 'final-report',
  ...ids,
  status: {
    ...base,
    phase: 'failed',
    phaseSince: '2026-03-01T10:00:03.000Z',
    lastError: {
      type: 'HostnameMismatch',
      message: 'Qlik deactivate of tenant T-acme_1: HTTP 412 HOSTNAME_MISMATCH (traceId t-1)',
      httpStatus: 412,
      code: 'HOSTNAME_MISMATCH',
      traceId: 't-1',
      at: '2026-03-01T10:00:03.000Z',
    },
  },
  failure: { type: 'HostnameMismatch', message: 'Qlik deactivate of tenant T-acme_1: HTTP 412 HOSTNAME_MISMATCH' },
};

export const finalCanceled: LifecycleEvent = {
  kind: 'final-report',
  ...ids,
  status: {
    ...reactivated.status,
    phase: 'completed',
    phaseSince: '2026-03-03T09:00:02.000Z',
    outcome: 'cancelled',
    decidedBy: { message: 'cancellation', at: '2026-03-03T09:00:00.000Z' },
  },
  failure: { type: 'Canceled', message: 'offboarding of T-acme_1 cancelled by request' },
};
