/**
 * What the grace probes cost a 90-day run's history ("[4 of 4]", target: at most 1,000 events beyond the happy
 * path with daily probes), on Temporal's time-skipping server with real days: the same run with the probes off and
 * with one probe a day, scripted activities answering "deactivated". docs/performance.md has the same measurement on
 * the dev server against the simulator (`npm run bench -- --only 5`).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { workflowIdFor, type OffboardingInput } from '../../src/shared/contract';
import type { offboardTenant } from '../../src/workflows';
import { createTimeSkippingEnv, workflowBundle } from '../../harness/temporal';
import { qlikAnswer, stubActivities, stubSettings } from '../support/stub-activities';

const DAY_MS = 86_400_000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  await workflowBundle();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

/** One 90-day offboarding to its end; its history's length and the probes it sent. */
async function ninetyDayRun(tenantId: string, graceProbeIntervalMs: number | undefined) {
  const taskQueue = `ts-grace-${tenantId}`;
  const timings = graceProbeIntervalMs === undefined ? {} : { graceProbeIntervalMs };
  const { activities, calls } = stubActivities({
    settings: stubSettings(taskQueue, timings),
    deactivate: async () => qlikAnswer(90),
  });
  const bundle = await workflowBundle();
  const workers = await Promise.all(
    [taskQueue, `${taskQueue}-register-eu`].map((queue) =>
      Worker.create({ connection: env.nativeConnection, taskQueue: queue, activities, workflowBundle: bundle }),
    ),
  );
  const input: OffboardingInput = { tenantId, hostname: 'acme.eu.qlikcloud.com', region: 'eu', purgeAfterDays: 90 };
  const handle = await env.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue,
    workflowId: workflowIdFor(tenantId),
    args: [input],
  });
  const result = await workers[0]!.runUntil(workers[1]!.runUntil(handle.result()));
  const events = (await handle.fetchHistory()).events?.length ?? 0;
  return { result, events, probes: calls.probeTenant ?? 0 };
}

describe('grace probes on the time-skipping server', () => {
  it('a 90-day grace period with daily probes costs at most 1,000 history events more than without', async () => {
    const off = await ninetyDayRun('GraceOff', undefined);
    const daily = await ninetyDayRun('GraceDaily', DAY_MS);
    expect(off).toMatchObject({ result: { outcome: 'purged' }, probes: 0 });
    expect(off.result.graceProbes).toBeUndefined();
    expect(daily.result.outcome).toBe('purged');
    // One probe a day: the first jittered into the first day, then daily up to the purge date.
    expect(daily.probes).toBeGreaterThanOrEqual(89);
    expect(daily.probes).toBeLessThanOrEqual(90);
    expect(daily.result.graceProbes).toMatchObject({ intervalMs: DAY_MS, probes: daily.probes });
    const extra = daily.events - off.events;
    expect({ extra, perProbe: extra / daily.probes }).toEqual({
      extra: expect.any(Number) as number,
      perProbe: 6,
    });
    expect(extra).toBeLessThanOrEqual(1_000);
  }, 120_000);
});
