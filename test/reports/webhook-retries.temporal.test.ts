/**
 * The webhook failures as Temporal acts on them (real dev server, real worker, real HTTP): a 500 is retried until the
 * receiver takes the report, a 429's retry-after is waited out, a 400 ends the activity at once with `WebhookRejected`.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { LifecycleEvent } from '../../src/activities/types';
import { createReportActivities } from '../../src/reports';
import { createLocalEnv } from '../../harness/temporal';
import { deactivated, finalPurged } from './support/events';
import { startReceiver, type Receiver, type Script } from '../../harness/webhook-receiver';
import type { sendReport } from './support/send-report-workflow';

const SECRET = 'whsec-TEMPORAL-do-not-leak-77d0';
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let receiver: Receiver;
let runs = 0;

beforeAll(async () => {
  // Once per file, before anything uses the runtime: the expected failures would each log a warning.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  env = await createLocalEnv();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./support/send-report-workflow'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});
beforeEach(async () => {
  receiver = await startReceiver(SECRET);
});
afterEach(async () => {
  await receiver.close();
});

/** Runs the report workflow for `event` against a receiver answering per `script`; resolves to its outcome. */
async function deliver(event: LifecycleEvent, script: Script): Promise<unknown> {
  receiver.script(script);
  const taskQueue = `reports-${process.pid}-${++runs}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: createReportActivities({ webhook: { url: receiver.url, secret: SECRET }, requestTimeoutMs: 2_000 }),
  });
  return worker.runUntil(
    env.client.workflow
      .execute<typeof sendReport>('sendReport', { taskQueue, workflowId: `report-${runs}`, args: [event] })
      .then(
        () => 'delivered',
        (error: unknown) => error,
      ),
  );
}

describe('webhook failures under Temporal retries', () => {
  it('retries 500s until the receiver takes the report, which it then processes once', async () => {
    const outcome = await deliver(finalPurged, (n) => ({ status: n < 2 ? 500 : 200 }));
    expect(outcome).toBe('delivered');
    expect(receiver.deliveries).toHaveLength(3);
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    expect(receiver.processed).toHaveLength(1);
    expect(receiver.processed[0]).toMatchObject({ event: 'final-report', outcome: 'purged' });
  });

  it('waits out a 429 retry-after before the next attempt', async () => {
    const at: number[] = [];
    const outcome = await deliver(deactivated, (n) => {
      at.push(Date.now());
      return n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 };
    });
    expect(outcome).toBe('delivered');
    expect(at).toHaveLength(2);
    // The policy alone would retry after 50 ms.
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a 400: the report fails with WebhookRejected after one attempt', async () => {
    const outcome = await deliver(deactivated, () => ({ status: 400 }));
    expect(outcome).toBeInstanceOf(WorkflowFailedError);
    // A local activity's failure reaches the workflow as the activity's own ApplicationFailure (SDK 1.24), a
    // remote one's wrapped in an ActivityFailure: accept either.
    const failure = (outcome as WorkflowFailedError).cause;
    const cause = failure instanceof ActivityFailure ? failure.cause : failure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'WebhookRejected', nonRetryable: true });
    expect((cause as ApplicationFailure).message).toContain('HTTP 400');
    expect((cause as ApplicationFailure).message).not.toContain(SECRET);
    expect(receiver.deliveries).toHaveLength(1);
  });
});
