/**
 * Issue "[4 of 4] Grace-period controls", item 1: `extendGracePeriod` (CONTRACT "Rules added (v3)"). A repeat
 * deactivate during the grace period resets Qlik's countdown (QLIK-API §2); the simulator does the same, or refuses
 * it when told to. Days last a second here, so a 10-day grace period is 10 s.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { GraceExtension, OffboardingStatus } from '../../src/shared/contract';
import { cancelSignal, extendUpdate, statusQuery } from '../../src/workflows/definitions';
import { registerTaskQueueFor } from '../../src/registration-budget';
import { setQueueRate } from '../../harness/queue-rate';
import { tenant } from '../../harness/simulator';
import { waitFor, waitForPhase } from '../../harness/wait';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { count, describeEnd, offboarding, settle, start, type Handle } from '../support/edges';

const DAY_MS = 1_000;
const BACKLOG = Array.from({ length: 12 }, (_, i) => `Ext-Backlog-${i + 1}`);

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({ sim: { dayMs: DAY_MS }, env: { QLIK_REGISTER_CALLS_PER_MINUTE: '120' } }));
  for (const id of ['Ext-Applied', 'Ext-Refused', 'Ext-Rules', 'Ext-Withdrawn', 'Ext-TooLate', ...BACKLOG])
    h.sim.addTenant(tenant(id));
  h.sim.setFaults([{ route: 'deactivate', tenantId: 'Ext-Refused', kind: '403', after: 'deactivate' }]);
  await h.startWorkers();
}, 60_000);

afterAll(() => stopLocalHarness(h, env), 60_000);

async function inGracePeriod(id: string, purgeAfterDays: number): Promise<Handle> {
  const handle = await start(h, offboarding(id, { purgeAfterDays }));
  await waitForPhase(h.client, handle.workflowId, 'grace-period', 30_000);
  return handle;
}

async function settled(handle: Handle): Promise<{ extension: GraceExtension; status: OffboardingStatus }> {
  let status = await handle.query(statusQuery);
  await waitFor(
    'the extension settled',
    async () => {
      status = await handle.query(statusQuery);
      return status.extensions?.at(-1)?.state !== 'requested';
    },
    30_000,
  );
  return { extension: status.extensions!.at(-1)!, status };
}

const rejection = (handle: Handle, args: unknown) =>
  handle.executeUpdate(extendUpdate, { args: [args as never] }).then(
    () => 'accepted',
    (error: unknown) => (error instanceof WorkflowUpdateFailedError ? (error.cause?.message ?? '') : String(error)),
  );

it('an extension resets the countdown: the run adopts the new date and sleeps until it', async () => {
  const handle = await inGracePeriod('Ext-Applied', 10);
  const before = await handle.query(statusQuery);
  const answer = await handle.executeUpdate(extendUpdate, {
    args: [{ purgeAfterDays: 20, reason: 'customer asked for time', requestedBy: 'alice' }],
  });
  // The Update answers once recorded, before Qlik answers.
  expect(answer.extensions).toEqual([
    expect.objectContaining({
      state: 'requested',
      purgeAfterDays: 20,
      requestedBy: 'alice',
      previousPurgeDate: before.estimatedPurgeDate,
    }),
  ]);

  const { extension, status } = await settled(handle);
  expect(extension.state).toBe('applied');
  expect(extension.estimatedPurgeDate).toBe(status.estimatedPurgeDate);
  expect(Date.parse(status.estimatedPurgeDate!)).toBeGreaterThan(Date.parse(before.estimatedPurgeDate!) + 8 * DAY_MS);
  expect(h.sim.tenant('Ext-Applied')?.estimatedPurgeDate).toBe(status.estimatedPurgeDate);
  const attributes = (await handle.describe()).searchAttributes as Record<string, unknown[]>;
  expect((attributes.EstimatedPurgeDate?.[0] as Date).toISOString()).toBe(status.estimatedPurgeDate);
  expect(count(h, 'Ext-Applied', 'deactivate')).toBe(2);

  const end = await settle(handle, 60_000);
  expect(describeEnd(end)).toBe('completed (COMPLETED); outcome purged');
  // Confirmed after the new date, not the old one.
  expect(Date.parse(end.status!.purgeConfirmedAt!)).toBeGreaterThanOrEqual(Date.parse(status.estimatedPurgeDate!));
}, 120_000);

it('a refused extension is recorded with a warning, and the current date stands', async () => {
  const handle = await inGracePeriod('Ext-Refused', 30);
  const before = await handle.query(statusQuery);
  await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 60 }] });
  const { extension, status } = await settled(handle);
  expect(extension).toEqual(expect.objectContaining({ state: 'refused', note: expect.stringMatching(/Forbidden/) }));
  expect(status.estimatedPurgeDate).toBe(before.estimatedPurgeDate);
  expect(status.lastError?.type).toBe('GraceExtensionNotApplied');
  expect(status.phase).toBe('grace-period');
  await handle.signal(cancelSignal, { reason: 'test over' });
  expect((await settle(handle, 60_000)).outcome).toBe('cancelled');
}, 120_000);

it('extensions that break a rule are rejected with the rule, and nothing is sent', async () => {
  const handle = await inGracePeriod('Ext-Rules', 30);
  const deactivates = count(h, 'Ext-Rules', 'deactivate');
  expect(await rejection(handle, { purgeAfterDays: 5 })).toMatch(
    /purgeAfterDays: must be a whole number from 10 to 90/,
  );
  expect(await rejection(handle, { purgeAfterDays: '60' })).toMatch(/purgeAfterDays: .*got string/);
  expect(await rejection(handle, {})).toMatch(/purgeAfterDays: is required/);
  expect(await rejection(handle, { purgeAfterDays: 60, force: true })).toMatch(/force: is not a known field/);
  expect(await rejection(handle, null)).toMatch(/must be an object/);
  expect(await rejection(handle, { purgeAfterDays: 10 })).toMatch(/earlier than the current purge date/);
  expect(count(h, 'Ext-Rules', 'deactivate')).toBe(deactivates);
  expect((await handle.query(statusQuery)).extensions).toBeUndefined();

  await handle.signal(cancelSignal, { reason: 'decided' });
  expect(await rejection(handle, { purgeAfterDays: 60 })).toMatch(/phase grace-period|decision was already made/);
  expect((await settle(handle, 60_000)).outcome).toBe('cancelled');
}, 120_000);

it('a decision while the repeat deactivate waits on the queue withdraws it: no call, and the tenant is reactivated', async () => {
  const handle = await inGracePeriod('Ext-Withdrawn', 60);
  // A backlog on the region's queue, so that the repeat deactivate waits its turn.
  const backlog = await Promise.all(BACKLOG.map((id) => start(h, offboarding(id, { purgeAfterDays: 10 }))));
  await waitFor(
    'the backlog queued',
    async () => {
      const phases = await Promise.all(backlog.map(async (run) => (await run.query(statusQuery)).phase));
      return phases.every((phase) => phase !== 'validating');
    },
    30_000,
  );
  await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 90 }] });
  expect(await rejection(handle, { purgeAfterDays: 90 })).toMatch(/already in flight/);
  await handle.signal(cancelSignal, { reason: 'changed our mind' });
  const end = await settle(handle, 60_000);
  expect(describeEnd(end)).toBe('completed (COMPLETED); outcome cancelled');
  expect(end.status?.extensions?.[0]).toEqual(
    expect.objectContaining({ state: 'refused', note: expect.stringMatching(/^withdrawn/) }),
  );
  expect(count(h, 'Ext-Withdrawn', 'deactivate')).toBe(1);
  expect(h.sim.tenant('Ext-Withdrawn')?.status).toBe('active');
}, 120_000);

it('an extension held back on the queue until the purge date gives up there: nothing sent, purged at the first date', async () => {
  const handle = await inGracePeriod('Ext-TooLate', 10);
  const before = await handle.query(statusQuery);
  // The region's queue dispatches nothing (API rate 0): the repeat deactivate waits as behind an endless backlog.
  const queue = registerTaskQueueFor(h.taskQueue, 'eu');
  await setQueueRate(h.client, queue, 0);
  try {
    await handle.executeUpdate(extendUpdate, { args: [{ purgeAfterDays: 30, requestedBy: 'alice' }] });
    const end = await settle(handle, 60_000);
    expect(describeEnd(end)).toBe('completed (COMPLETED); outcome purged');
    const status = end.status!;
    expect(status.extensions).toEqual([
      expect.objectContaining({
        state: 'refused',
        note: 'withdrawn: the purge date came before the repeat deactivate was sent',
      }),
    ]);
    expect(status.estimatedPurgeDate).toBe(before.estimatedPurgeDate);
    expect(Date.parse(status.purgeConfirmedAt!)).toBeGreaterThanOrEqual(Date.parse(before.estimatedPurgeDate!));
    // Confirmed within a few probes of the date, not whenever the queue moves again.
    expect(Date.parse(status.purgeConfirmedAt!) - Date.parse(before.estimatedPurgeDate!)).toBeLessThan(10_000);
    expect(count(h, 'Ext-TooLate', 'deactivate')).toBe(1);
    expect(status.redeactivationUnseenSince).toBeUndefined();
  } finally {
    await setQueueRate(h.client, queue, undefined);
  }
}, 90_000);
