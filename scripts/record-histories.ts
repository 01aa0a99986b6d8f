/**
 * Records one workflow history per path of harness/replay/paths.ts into test/histories/, for the replay test that
 * guards sleeping workflows against incompatible changes. Each path is driven for real: a dev server, the Qlik
 * simulator and the product's own workers (harness/workers.ts).
 *
 *   npm run build && node dist/scripts/record-histories.js               # paths without a history yet
 *   node dist/scripts/record-histories.js --version v2                    # a new version of every path: <path>.v2.json
 *   node dist/scripts/record-histories.js --only purged,reactivated [--version v3]
 *
 * Append-only: an existing history file is never rewritten (rewriting one would make the replay test prove nothing
 * about the runs already sleeping in production); the script says so and moves on. Each new file is listed in
 * test/histories/manifest.json with its SHA-256, which the replay test checks.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { FaultRule, SimulatorOptions } from '../src/simulator';
import { workflowIdFor, type MessageArgs, type OffboardingInput } from '../src/shared/contract';
import {
  approveUpdate,
  cancelSignal,
  cancelUpdate,
  extendUpdate,
  reactivateSignal,
  reactivateUpdate,
  searchAttributes,
  statusQuery,
} from '../src/workflows/definitions';
import type { offboardTenant } from '../src/workflows';
import { registerTaskQueueFor } from '../src/registration-budget';
import { resumeDeactivations, stopDeactivations } from '../src/client/stops';
import { setQueueRate } from '../harness/queue-rate';
import { ROOT, temporalBinary } from '../harness/repo';
import { CLIENT_SECRETS, hostnameOf, tenant } from '../harness/simulator';
import { type Harness, startHarness } from '../harness/workers';
import { historyToJson } from '../harness/replay/history-json';
import { REPLAY_PATHS, type Manifest, type ReplayPath } from '../harness/replay/paths';
import { startRedirectingRegistration } from '../harness/redirect-server';
import { startReceiver } from '../harness/webhook-receiver';
import { statusOf, waitFor, waitForPhase } from '../harness/wait';

type Handle = WorkflowHandle<typeof offboardTenant>;

/** Simulator and worker settings that some paths need; each group gets a harness of its own. */
type Group =
  | 'default'
  | 'lag'
  | 'overdue'
  | 'reject'
  | 'omit'
  | 'redirect'
  | 'reports'
  | 'token-down'
  | 'storm'
  | 'storm-reactivating'
  | 'backlog'
  | 'extension'
  | 'extension-held'
  | 'approval'
  | 'approval-expiring'
  | 'approval-storm'
  | 'grace-probes'
  | 'grace-probes-continue-as-new';

interface Driver {
  /** How the run must end for its history to cover the path: an outcome, `failed <type>` or `canceled`. */
  ends: string;
  group?: Group;
  /** Fault rules for this path's tenant. */
  faults?: (tenantId: string) => FaultRule[];
  /** Starts the run and steers it along the path; returns its handle. */
  drive: (h: Harness, id: string) => Promise<Handle>;
}

const HISTORIES = path.join(ROOT, 'test', 'histories');
/** The `reports` group's webhook secret (a test value: histories never hold it, only the worker does). */
const WEBHOOK_SECRET = 'record-histories-webhook-secret';
const MANIFEST = path.join(HISTORIES, 'manifest.json');

function input(id: string, overrides: Partial<OffboardingInput> = {}): OffboardingInput {
  return {
    tenantId: id,
    hostname: hostnameOf(id),
    region: 'eu',
    purgeAfterDays: 10,
    requestedBy: 'record-histories',
    reason: 'recorded for the replay test',
    ...overrides,
  };
}

function start(
  h: Harness,
  raw: OffboardingInput,
  options: { workflowId?: string; addTenant?: boolean } = {},
): Promise<Handle> {
  if (options.addTenant !== false) h.sim.addTenant(tenant(raw.tenantId, raw.region));
  return h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: options.workflowId ?? workflowIdFor(raw.tenantId, raw.dryRun === true),
    args: [raw],
  });
}

async function inPhase(h: Harness, handle: Handle, phase: Parameters<typeof waitForPhase>[2]): Promise<Handle> {
  await waitForPhase(h.client, handle.workflowId, phase, 30_000);
  return handle;
}

const message: MessageArgs = { reason: 'recorded for the replay test', requestedBy: 'record-histories' };

/** Starts a run with 90 days of grace and signals reactivate once it sleeps in its grace period. */
async function reactivateInGracePeriod(h: Harness, id: string): Promise<Handle> {
  const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 90 })), 'grace-period');
  await handle.signal(reactivateSignal, message);
  return handle;
}

/** Runs into confirming-purge, then sends more ignored signals than a run's (lowered) history bound holds. */
async function stormAfterPurgeDate(h: Harness, id: string): Promise<{ firstRunId: string }> {
  return signalStorm(h, await inPhase(h, await start(h, input(id)), 'confirming-purge'));
}

/** Sends more ignored signals than a run's (lowered) history bound holds, and waits for the continue-as-new. */
async function signalStorm(h: Harness, handle: Handle): Promise<{ firstRunId: string }> {
  const firstRunId = (await handle.describe()).runId;
  for (let sent = 0; sent < 2 * STORM_HISTORY_BOUND; sent += 50) {
    // Sent to the workflow ID, not to the first run: the run that takes them may be a later one.
    const latest = h.client.workflow.getHandle(handle.workflowId);
    await Promise.all(
      Array.from({ length: 50 }, () => latest.signal(cancelSignal, message)).map((p) => p.catch(() => undefined)),
    );
  }
  await waitFor(
    'the continue-as-new',
    async () => (await h.client.workflow.getHandle(handle.workflowId).describe()).runId !== firstRunId,
    30_000,
    100,
  );
  return { firstRunId };
}

/**
 * Queues `n` deactivates on the region's queue (the `backlog` group allows one call a second) ahead of what the
 * caller starts next; returns a function that cancels them (those not sent yet are withdrawn with no call).
 */
async function backlog(h: Harness, id: string, n = 8): Promise<() => Promise<void>> {
  const handles = await Promise.all(
    Array.from({ length: n }, (_, i) => start(h, input(`${id}-backlog-${i + 1}`, { purgeAfterDays: 90 }))),
  );
  await waitFor(
    'the backlog queued',
    async () =>
      (await Promise.all(handles.map((run) => run.query(statusQuery)))).every((s) => s.phase !== 'validating'),
    30_000,
  );
  return async () => {
    await Promise.all(handles.map((run) => run.signal(cancelSignal, message).catch(() => undefined)));
  };
}

/** Starts `id` behind a backlog and waits until its deactivate is queued (its run in `deactivating`, nothing sent). */
async function queuedBehindBacklog(h: Harness, id: string): Promise<{ handle: Handle; drain: () => Promise<void> }> {
  const drain = await backlog(h, id);
  const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 90 })), 'deactivating');
  if (h.sim.requests().some((r) => r.tenantId === id && r.route === 'deactivate')) {
    throw new Error(`${id}: its deactivate was sent before the decision: the backlog was too short`);
  }
  return { handle, drain };
}

/** The `storm` group's history bound: low, so that a few hundred signals make a run continue as new. */
const STORM_HISTORY_BOUND = 200;

/** Someone other than `input()`'s requester. */
const approval = { approvedBy: 'record-histories-approver', reason: 'recorded for the replay test' };

/** Starts a run under OFFBOARD_APPROVAL=required and approves it once it awaits approval. */
async function approveWhenAwaiting(h: Harness, id: string): Promise<Handle> {
  const handle = await inPhase(h, await start(h, input(id)), 'awaiting-approval');
  await handle.executeUpdate(approveUpdate, { args: [approval] });
  return handle;
}

/**
 * Grows the history of a run awaiting approval (signals of a name it does not handle) until it continues as new,
 * then approves the run that took over.
 */
async function continueAsNewAwaitingApproval(h: Harness, id: string): Promise<{ firstRunId: string }> {
  const handle = await inPhase(h, await start(h, input(id)), 'awaiting-approval');
  const firstRunId = (await handle.describe()).runId;
  const latest = () => h.client.workflow.getHandle(handle.workflowId);
  for (let sent = 0; sent < 2 * APPROVAL_STORM_HISTORY_BOUND; sent += 20) {
    await Promise.all(
      Array.from({ length: 20 }, () =>
        latest()
          .signal('noise', {})
          .catch(() => undefined),
      ),
    );
  }
  await waitFor('the continue-as-new', async () => (await latest().describe()).runId !== firstRunId, 30_000, 100);
  await inPhase(h, latest(), 'awaiting-approval');
  await latest().executeUpdate(approveUpdate, { args: [approval] });
  return { firstRunId };
}

/** The `approval-storm` group's history bound: a few dozen signals make a waiting run continue as new. */
const APPROVAL_STORM_HISTORY_BOUND = 60;

/** The `grace-probes` groups' day: a 90-day grace period lasts 45 s. */
const GRACE_PROBE_DAY_MS = 500;

/** Waits until the run's last grace probe saw `state` (the run sleeps in its grace period meanwhile). */
async function untilGraceProbeSaw(h: Harness, handle: Handle, state: 'active' | 'deactivated'): Promise<Handle> {
  await waitFor(
    `a grace probe answered "${state}"`,
    async () => (await statusOf(h.client, handle.workflowId))?.graceProbes?.last?.state === state,
    30_000,
    100,
  );
  return handle;
}

const DRIVERS: Record<ReplayPath, Driver> = {
  purged: { ends: 'purged', drive: (h, id) => start(h, input(id)) },
  'purged-computed-date': { ends: 'purged', group: 'omit', drive: (h, id) => start(h, input(id)) },
  'purged-after-lost-deactivate': {
    ends: 'purged',
    faults: (tenantId) => [{ route: 'deactivate', tenantId, sequence: ['lost'] }],
    // 9 s of grace: the retry (1 s later) must come before the purge date of the lost attempt.
    drive: (h, id) => start(h, input(id, { purgeAfterDays: 90 })),
  },
  'purged-deactivation-not-observed': {
    ends: 'purged',
    // The host asks for 1 s between probes (its 503's retry-after): five cover the 3 s verify timeout, and leave
    // the purge confirmation well within its overdue window.
    faults: (tenantId) => [{ route: 'probe', tenantId, kind: '503', times: 5 }],
    drive: (h, id) => start(h, input(id)),
  },
  'purged-after-not-before': {
    ends: 'purged',
    drive: (h, id) => start(h, input(id, { notBefore: new Date(Date.now() + 1_500).toISOString() })),
  },
  'cancelled-signal-with-start': {
    ends: 'cancelled',
    drive: (h, id) => {
      h.sim.addTenant(tenant(id));
      return h.client.workflow.signalWithStart<typeof offboardTenant, [MessageArgs?]>('offboardTenant', {
        taskQueue: h.taskQueue,
        workflowId: workflowIdFor(id),
        args: [input(id)],
        signal: cancelSignal,
        signalArgs: [message],
      });
    },
  },
  'cancelled-scheduled': {
    ends: 'cancelled',
    drive: async (h, id) => {
      const handle = await inPhase(
        h,
        await start(h, input(id, { notBefore: new Date(Date.now() + 60_000).toISOString() })),
        'scheduled',
      );
      await handle.signal(cancelSignal, message);
      return handle;
    },
  },
  'cancelled-deactivating': {
    ends: 'cancelled',
    faults: (tenantId) => [{ route: 'deactivate', tenantId, sequence: [{ kind: 'slow', delayMs: 1_500 }] }],
    drive: async (h, id) => {
      const handle = await start(h, input(id));
      await waitFor(
        'the deactivate in flight',
        () => h.sim.requests().some((r) => r.tenantId === id && r.pending),
        10_000,
        20,
      );
      await handle.signal(cancelSignal, message);
      return handle;
    },
  },
  'cancelled-verifying': {
    ends: 'cancelled',
    faults: (tenantId) => [{ route: 'probe', tenantId, kind: '503', times: 8 }],
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 90 })), 'verifying');
      await handle.signal(cancelSignal, message);
      return handle;
    },
  },
  'cancelled-grace-period': {
    ends: 'cancelled',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 90 })), 'grace-period');
      await handle.signal(cancelSignal, message);
      return handle;
    },
  },
  'cancelled-grace-period-update': {
    ends: 'cancelled',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 90 })), 'grace-period');
      await handle.executeUpdate(cancelUpdate, { args: [message] });
      return handle;
    },
  },
  'cancellation-request-grace-period': {
    ends: 'canceled',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 90 })), 'grace-period');
      await handle.cancel();
      return handle;
    },
  },
  'cancellation-request-confirming-purge': {
    ends: 'canceled',
    group: 'lag',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id)), 'confirming-purge');
      await handle.cancel();
      return handle;
    },
  },
  'signal-ignored-after-purge-date': {
    ends: 'purged',
    group: 'lag',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id)), 'confirming-purge');
      await handle.signal(cancelSignal, message);
      return handle;
    },
  },
  reactivated: {
    ends: 'reactivated',
    drive: reactivateInGracePeriod,
  },
  'reactivated-update': {
    ends: 'reactivated',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 90 })), 'grace-period');
      await handle.executeUpdate(reactivateUpdate, { args: [message] });
      return handle;
    },
  },
  'reactivated-lost-answer-probe': {
    ends: 'reactivated',
    group: 'reject',
    faults: (tenantId) => [{ route: 'reactivate', tenantId, sequence: ['lost'] }],
    drive: reactivateInGracePeriod,
  },
  'reactivated-externally': {
    ends: 'reactivated-externally',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 30 })), 'grace-period');
      h.sim.setExternalStatus(id, 'active');
      return handle;
    },
  },
  'purge-overdue': { ends: 'purge-overdue', group: 'overdue', drive: (h, id) => start(h, input(id)) },
  'dry-run-ok': { ends: 'dry-run-ok', drive: (h, id) => start(h, input(id, { dryRun: true })) },
  'failed-dry-run-tenant-not-found': {
    ends: 'failed TenantNotFound',
    drive: (h, id) => start(h, input(id, { dryRun: true }), { addTenant: false }),
  },
  'failed-invalid-input': { ends: 'failed InvalidInput', drive: (h, id) => start(h, input(id, { purgeAfterDays: 9 })) },
  'failed-invalid-workflow-id': {
    ends: 'failed InvalidInput',
    drive: (h, id) => start(h, input(id), { workflowId: `offboard-tenant-${id}-elsewhere` }),
  },
  'failed-protected-tenant': { ends: 'failed ProtectedTenant', drive: (h, id) => start(h, input(id)) },
  'failed-region-not-configured': {
    ends: 'failed RegionNotConfigured',
    drive: (h, id) => start(h, input(id, { region: 'jp', hostname: hostnameOf(id, 'jp') })),
  },
  'failed-invalid-credentials': {
    ends: 'failed InvalidCredentials',
    drive: (h, id) => start(h, input(id, { region: 'de', hostname: hostnameOf(id, 'de') })),
  },
  'failed-forbidden': {
    ends: 'failed Forbidden',
    drive: (h, id) => start(h, input(id, { region: 'us', hostname: hostnameOf(id, 'us') })),
  },
  'failed-tenant-not-found': {
    ends: 'failed TenantNotFound',
    drive: (h, id) => start(h, input(id), { addTenant: false }),
  },
  'failed-hostname-mismatch': {
    ends: 'failed HostnameMismatch',
    drive: (h, id) => {
      h.sim.addTenant(tenant(id));
      return start(h, input(id, { hostname: 'someone-else.eu.qlikcloud.com' }), { addTenant: false });
    },
  },
  'failed-request-rejected': {
    ends: 'failed RequestRejected',
    group: 'redirect',
    drive: (h, id) => start(h, input(id, { region: 'us', hostname: hostnameOf(id, 'us') })),
  },
  'failed-reactivation-failed': {
    ends: 'failed ReactivationFailed',
    faults: (tenantId) => [{ route: 'reactivate', tenantId, kind: '503' }],
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 30 })), 'grace-period');
      await handle.signal(reactivateSignal, message);
      return handle;
    },
  },
  'purged-with-reports': { ends: 'purged', group: 'reports', drive: (h, id) => start(h, input(id)) },
  'reactivated-with-reports': {
    ends: 'reactivated',
    group: 'reports',
    drive: reactivateInGracePeriod,
  },
  'failed-tenant-not-found-with-reports': {
    ends: 'failed TenantNotFound',
    group: 'reports',
    drive: (h, id) => start(h, input(id), { addTenant: false }),
  },
  'purged-after-lost-deactivate-refused-repeat': {
    ends: 'purged',
    faults: (tenantId) => [{ route: 'deactivate', tenantId, sequence: ['lost', { kind: '409' }] }],
    drive: (h, id) => {
      h.sim.addTenant({ ...tenant(id), propagationDelayMs: 1_500 });
      return start(h, input(id, { purgeAfterDays: 90 }), { addTenant: false });
    },
  },
  'reactivated-after-refusal-during-propagation': {
    ends: 'reactivated',
    faults: (tenantId) => [
      { route: 'deactivate', tenantId, sequence: [{ kind: 'slow', delayMs: 1_000 }] },
      { route: 'reactivate', tenantId, sequence: [{ kind: '400' }] },
    ],
    drive: async (h, id) => {
      h.sim.addTenant({ ...tenant(id), propagationDelayMs: 2_000 });
      const handle = await start(h, input(id, { purgeAfterDays: 90 }), { addTenant: false });
      await waitFor(
        'the deactivate in flight',
        () => h.sim.requests().some((r) => r.tenantId === id && r.pending),
        10_000,
        20,
      );
      await handle.signal(reactivateSignal, message);
      return handle;
    },
  },
  'reactivated-despite-cancellation-request': {
    ends: 'reactivated',
    faults: (tenantId) => [{ route: 'reactivate', tenantId, sequence: [{ kind: 'slow', delayMs: 1_000 }] }],
    drive: async (h, id) => {
      const handle = await reactivateInGracePeriod(h, id);
      await waitFor(
        'the reactivate in flight',
        () => h.sim.requests().some((r) => r.tenantId === id && r.route === 'reactivate' && r.pending),
        10_000,
        20,
      );
      await handle.cancel();
      return handle;
    },
  },
  'purged-implausible-purge-date': {
    ends: 'purged',
    drive: (h, id) => {
      h.sim.addTenant({ ...tenant(id), purgeDateAnswer: '1970-01-01T00:00:00Z' });
      return start(h, input(id), { addTenant: false });
    },
  },
  'failed-dry-run-credentials-not-verified': {
    ends: 'failed CredentialsNotVerified',
    group: 'token-down',
    faults: () => [{ route: 'token', region: 'eu', kind: '503' }],
    drive: (h, id) => start(h, input(id, { dryRun: true })),
  },
  'continued-as-new': {
    ends: 'purged',
    group: 'storm',
    drive: async (h, id) => {
      const { firstRunId } = await stormAfterPurgeDate(h, id);
      return h.client.workflow.getHandle(workflowIdFor(id), firstRunId);
    },
  },
  'resumed-after-continue-as-new': {
    ends: 'purged',
    group: 'storm',
    drive: async (h, id) => {
      await stormAfterPurgeDate(h, id);
      return h.client.workflow.getHandle(workflowIdFor(id));
    },
  },
  'withdrawn-deactivating': {
    ends: 'cancelled',
    group: 'backlog',
    drive: async (h, id) => {
      const { handle, drain } = await queuedBehindBacklog(h, id);
      await handle.signal(cancelSignal, message);
      await drain();
      return handle;
    },
  },
  'withdrawn-deactivating-cancellation-request': {
    ends: 'canceled',
    group: 'backlog',
    drive: async (h, id) => {
      const { handle, drain } = await queuedBehindBacklog(h, id);
      await handle.cancel();
      await drain();
      return handle;
    },
  },
  'cancelled-between-deactivate-attempts': {
    ends: 'cancelled',
    faults: (tenantId) => [{ route: 'deactivate', tenantId, sequence: [{ kind: '503' }] }],
    drive: async (h, id) => {
      const handle = await start(h, input(id, { purgeAfterDays: 90 }));
      await waitFor(
        'the first attempt answered 503',
        () => h.sim.requests().some((r) => r.tenantId === id && r.route === 'deactivate' && !r.pending),
        10_000,
        20,
      );
      await handle.signal(cancelSignal, message);
      return handle;
    },
  },
  'held-deactivating': {
    ends: 'purged',
    drive: async (h, id) => {
      // A stop of this path's requester only, so that the other paths of the group go on.
      const requestedBy = `record-${id}`;
      const stop = { requestedBy, reason: 'recorded for the replay test', by: 'record-histories' };
      await stopDeactivations(h.client, stop, { taskQueue: h.taskQueue });
      const handle = await start(h, input(id, { requestedBy }));
      await waitFor(
        'the deactivate held',
        async () => (await handle.query(statusQuery)).lastError?.type === 'DeactivationHeld',
        30_000,
      );
      await resumeDeactivations(h.client, { requestedBy, by: 'record-histories' }, { taskQueue: h.taskQueue });
      return handle;
    },
  },
  'grace-extended': {
    ends: 'purged',
    group: 'extension',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id)), 'grace-period');
      await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 15, ...message }] });
      return handle;
    },
  },
  'grace-extension-gave-up-at-purge-date': {
    ends: 'purged',
    group: 'extension-held',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id)), 'grace-period');
      // The region's queue dispatches nothing from now on: the repeat deactivate is still unsent at the purge date.
      await setQueueRate(h.client, registerTaskQueueFor(h.taskQueue, 'eu'), 0);
      await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 30, ...message }] });
      return handle;
    },
  },
  'grace-extension-refused': {
    ends: 'purged',
    group: 'extension',
    faults: (tenantId) => [{ route: 'deactivate', tenantId, kind: '403', after: 'deactivate' }],
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id)), 'grace-period');
      await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 15, ...message }] });
      return handle;
    },
  },
  'grace-extension-withdrawn': {
    ends: 'cancelled',
    group: 'backlog',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 90 })), 'grace-period');
      const drain = await backlog(h, id);
      await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 90, ...message }] });
      await handle.signal(cancelSignal, message);
      await drain();
      return handle;
    },
  },
  'resumed-while-reactivating': {
    ends: 'cancelled',
    group: 'storm-reactivating',
    // Refused for longer than the first 10 s round, so that the storm's continue-as-new comes between two rounds.
    faults: (tenantId) => [{ route: 'reactivate', tenantId, kind: '403', times: 7 }],
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id, { purgeAfterDays: 60 })), 'grace-period');
      await handle.signal(cancelSignal, message);
      await inPhase(h, handle, 'reactivating');
      await signalStorm(h, handle);
      return h.client.workflow.getHandle(workflowIdFor(id));
    },
  },
  approved: { ends: 'purged', group: 'approval', drive: approveWhenAwaiting },
  'approved-while-scheduled': {
    ends: 'purged',
    group: 'approval',
    drive: async (h, id) => {
      const notBefore = new Date(Date.now() + 3_000).toISOString();
      const handle = await inPhase(h, await start(h, input(id, { notBefore })), 'scheduled');
      await handle.executeUpdate(approveUpdate, { args: [approval] });
      return handle;
    },
  },
  'approval-expired': { ends: 'approval-expired', group: 'approval-expiring', drive: (h, id) => start(h, input(id)) },
  'cancelled-awaiting-approval': {
    ends: 'cancelled',
    group: 'approval',
    drive: async (h, id) => {
      const handle = await inPhase(h, await start(h, input(id)), 'awaiting-approval');
      await handle.signal(cancelSignal, message);
      return handle;
    },
  },
  'failed-approval-without-requester': {
    ends: 'failed InvalidInput',
    group: 'approval',
    drive: (h, id) => start(h, input(id, { requestedBy: undefined })),
  },
  'continued-as-new-awaiting-approval': {
    ends: 'purged',
    group: 'approval-storm',
    drive: async (h, id) => {
      const { firstRunId } = await continueAsNewAwaitingApproval(h, id);
      return h.client.workflow.getHandle(workflowIdFor(id), firstRunId);
    },
  },
  'resumed-awaiting-approval': {
    ends: 'purged',
    group: 'approval-storm',
    drive: async (h, id) => {
      await continueAsNewAwaitingApproval(h, id);
      return h.client.workflow.getHandle(workflowIdFor(id));
    },
  },
  'reactivated-externally-grace-probe': {
    ends: 'reactivated-externally',
    group: 'grace-probes',
    drive: async (h, id) => {
      const handle = await untilGraceProbeSaw(h, await start(h, input(id, { purgeAfterDays: 90 })), 'deactivated');
      h.sim.setExternalStatus(id, 'active');
      return handle;
    },
  },
  'grace-probe-unconfirmed-active': {
    ends: 'purged',
    group: 'grace-probes',
    drive: (h, id) => {
      // The host shows the deactivation only long after the purge: verify times out, the grace probes see "active".
      h.sim.addTenant({ ...tenant(id), propagationDelayMs: 10 * 60_000 });
      return start(h, input(id, { purgeAfterDays: 30 }), { addTenant: false });
    },
  },
  'grace-extended-grace-probe': {
    ends: 'purged',
    group: 'grace-probes',
    drive: async (h, id) => {
      const handle = await untilGraceProbeSaw(h, await start(h, input(id, { purgeAfterDays: 30 })), 'deactivated');
      await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 60, ...message }] });
      return handle;
    },
  },
  'purged-early-grace-probe': {
    ends: 'purged',
    group: 'grace-probes',
    drive: async (h, id) => {
      const handle = await untilGraceProbeSaw(h, await start(h, input(id, { purgeAfterDays: 90 })), 'deactivated');
      h.sim.setExternalStatus(id, 'deleted');
      return handle;
    },
  },
  'grace-probe-resumed-after-continue-as-new': {
    ends: 'purged',
    group: 'grace-probes-continue-as-new',
    drive: async (h, id) => {
      const handle = await start(h, input(id, { purgeAfterDays: 30 }));
      const firstRunId = (await handle.describe()).runId;
      await waitFor(
        'the continue-as-new in the grace period',
        async () => (await h.client.workflow.getHandle(handle.workflowId).describe()).runId !== firstRunId,
        30_000,
        100,
      );
      return h.client.workflow.getHandle(workflowIdFor(id));
    },
  },
};

const tenantIdOf = (p: ReplayPath) => `replay-${p}`;

/** The harness settings of each group. */
function groupSettings(
  group: Group,
  faults: FaultRule[],
  paths: ReplayPath[],
  webhookUrl: string,
): { sim: SimulatorOptions; env: Record<string, string> } {
  const sim: SimulatorOptions = { tier1PerMinute: 0, tier2PerMinute: 0, faults };
  const env: Record<string, string> = {
    OFFBOARD_PURGE_OVERDUE_AFTER: '10s',
    OFFBOARD_PROTECTED_TENANTS: `protected-tenant,${tenantIdOf('failed-protected-tenant')}`,
  };
  if (paths.includes('failed-invalid-credentials')) {
    Object.assign(env, { QLIK_DE_CLIENT_ID: 'e2e-de-client', QLIK_DE_CLIENT_SECRET: 'wrong-secret-for-the-record' });
  }
  if (group === 'lag') sim.purgeLagMs = 3_000;
  if (group === 'storm') sim.purgeLagMs = 5_000;
  // Days of 1 s: 60 days of grace outlast the refused reactivation rounds.
  if (group === 'storm-reactivating') sim.dayMs = 1_000;
  // One registration call a second, so that a backlog of eight keeps the next deactivate queued for seconds.
  if (group === 'backlog') env.QLIK_REGISTER_CALLS_PER_MINUTE = '60';
  // Days of 1 s: a 10-day grace period leaves time to extend it.
  if (group === 'extension' || group === 'extension-held') sim.dayMs = 1_000;
  if (group === 'overdue') {
    sim.purgeLagMs = 120_000;
    env.OFFBOARD_PURGE_OVERDUE_AFTER = '1s';
  }
  if (group === 'grace-probes' || group === 'grace-probes-continue-as-new') {
    sim.dayMs = GRACE_PROBE_DAY_MS;
    env.OFFBOARD_GRACE_PROBE_INTERVAL = group === 'grace-probes' ? '2s' : '300ms';
  }
  if (group === 'reject') sim.reactivateWhenActive = 'reject';
  if (group === 'omit') sim.omitPurgeDate = true;
  if (group === 'reports')
    Object.assign(env, { REPORT_WEBHOOK_URL: webhookUrl, REPORT_WEBHOOK_SECRET: WEBHOOK_SECRET });
  // Long enough that the drivers approve or cancel well within it; the expiring group's runs are never approved.
  if (group === 'approval' || group === 'approval-storm')
    Object.assign(env, { OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: '10m' });
  if (group === 'approval-expiring')
    Object.assign(env, { OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: '2s' });
  return { sim, env };
}

/** How a run ended, in the manifest's words. */
async function endOf(handle: Handle): Promise<string> {
  try {
    return (await handle.result()).outcome ?? '(no outcome)';
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : error;
    if (cause instanceof CancelledFailure) return 'canceled';
    if (cause instanceof ApplicationFailure) return `failed ${cause.type}`;
    throw error;
  }
}

function parseArgs(argv: string[]): { version?: string; only?: ReplayPath[] } {
  const out: { version?: string; only?: ReplayPath[] } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--version') {
      out.version = argv[++i];
      if (!out.version || !/^v\d+$/.test(out.version)) throw new Error('--version takes a name such as v2');
    } else if (arg === '--only') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      for (const name of names) if (!(name in REPLAY_PATHS)) throw new Error(`unknown path ${name}`);
      out.only = names as ReplayPath[];
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        readFileSync(__filename, 'utf8')
          .split('*/')[0]!
          .replace(/^\/\*\*|^ \* ?/gm, ''),
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${arg} (see --help)`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { version, only } = parseArgs(process.argv.slice(2));
  const fileOf = (p: ReplayPath) => `${p}${version ? `.${version}` : ''}.json`;
  const wanted = (only ?? (Object.keys(REPLAY_PATHS) as ReplayPath[])).filter((p) => {
    if (!existsSync(path.join(HISTORIES, fileOf(p)))) return true;
    console.log(`kept     ${fileOf(p)} (exists; histories are never rewritten)`);
    return false;
  });
  if (wanted.length === 0) {
    console.log('nothing to record');
    return;
  }

  // Failed activities and runs are what many paths are about: only errors are worth printing.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary('cli') },
      searchAttributes: Object.values(searchAttributes),
      ip: '127.0.0.1',
    },
  });
  const redirect = await startRedirectingRegistration();
  const receiver = await startReceiver(WEBHOOK_SECRET);
  mkdirSync(HISTORIES, { recursive: true });
  const manifest: Manifest = existsSync(MANIFEST) ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest) : {};
  let failed = 0;
  try {
    const groups = new Map<Group, ReplayPath[]>();
    for (const p of wanted)
      groups.set(DRIVERS[p].group ?? 'default', [...(groups.get(DRIVERS[p].group ?? 'default') ?? []), p]);
    for (const [group, paths] of groups) {
      const faults = paths.flatMap((p) => DRIVERS[p].faults?.(tenantIdOf(p)) ?? []);
      const settings = groupSettings(group, faults, paths, receiver.url);
      if (group === 'redirect') settings.env.QLIK_REGISTER_URL_TEMPLATE = redirect.registerUrlTemplate;
      const h = await startHarness(env, settings);
      if (paths.includes('failed-invalid-credentials')) {
        h.sim.addClient({ region: 'de', clientId: 'e2e-de-client', clientSecret: 'the-right-de-secret' });
      }
      if (paths.includes('failed-forbidden')) {
        h.sim.addClient({ region: 'us', clientId: 'e2e-us-client', clientSecret: CLIENT_SECRETS.us, oem: false });
      }
      if (group === 'storm' || group === 'storm-reactivating')
        h.config.historyBounds = { events: STORM_HISTORY_BOUND, bytes: 1024 * 1024 };
      if (group === 'approval-storm')
        h.config.historyBounds = { events: APPROVAL_STORM_HISTORY_BOUND, bytes: 1024 * 1024 };
      // Above the events before the grace period: a run continues as new after a few grace probes.
      if (group === 'grace-probes-continue-as-new') h.config.historyBounds = { events: 60, bytes: 1024 * 1024 };
      await h.startWorkers();
      try {
        await Promise.all(
          paths.map(async (p) => {
            try {
              const handle = await DRIVERS[p].drive(h, tenantIdOf(p));
              const ended = await Promise.race([
                endOf(handle),
                new Promise<string>((_, reject) =>
                  setTimeout(() => reject(new Error('still running after 90 s')), 90_000).unref(),
                ),
              ]);
              // A run that strayed from its path would leave the path without a history: record nothing.
              if (ended !== DRIVERS[p].ends)
                throw new Error(`ended ${ended} instead of ${DRIVERS[p].ends}; not recorded`);
              const history = await handle.fetchHistory();
              const json = `${historyToJson(history)}\n`;
              const file = fileOf(p);
              const target = path.join(HISTORIES, file);
              if (existsSync(target)) throw new Error(`${file} appeared meanwhile; not overwriting it`);
              writeFileSync(target, json, { flag: 'wx' });
              manifest[file] = {
                path: p,
                workflowId: handle.workflowId,
                ended,
                events: history.events?.length ?? 0,
                recordedAt: new Date().toISOString(),
                sha256: createHash('sha256').update(json).digest('hex'),
              };
              console.log(`recorded ${file} (${ended}, ${manifest[file]!.events} events)`);
            } catch (error) {
              failed++;
              console.error(`FAILED   ${p}: ${error instanceof Error ? error.message : String(error)}`);
            }
          }),
        );
      } finally {
        await h.close();
      }
    }
  } finally {
    const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(MANIFEST, `${JSON.stringify(sorted, null, 2)}\n`);
    await redirect.close();
    await receiver.close();
    await env.teardown();
  }
  if (failed > 0) {
    console.error(`${failed} path(s) could not be recorded`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
