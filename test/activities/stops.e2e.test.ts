/**
 * The emergency stop's registry and the check a deactivate makes before it is sent (`findStop`,
 * src/activities/stops.ts), against a real dev server with the product's workers: the registry is started on demand
 * by the library's Update-with-Start, a stop is visible to the check as soon as the Update answered, a resume lifts
 * it, the memo is read without a worker, the registry keeps its list across continue-as-new, a cancellation request
 * and a termination, and every malformed argument is rejected by the validators without failing a workflow task.
 *
 * The check is called with a client over the worker's NativeConnection, as `Context.current().client` is in an
 * activity (SDK 1.24 builds that one the same way, `new Client({ connection, namespace })`).
 */
import { Client, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findStop } from '../../src/activities/stops';
import { listStops, resumeDeactivations, stopDeactivations, StopRequestRejectedError } from '../../src/client';
import {
  CONTROLS_MESSAGE_NAMES,
  CONTROLS_WORKFLOW_TYPE,
  controlsWorkflowIdFor,
  type Stop,
} from '../../src/shared/stops';
import { stopsQuery } from '../../src/workflows/controls-definitions';
import { waitFor } from '../../harness/wait';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';

let env: TestWorkflowEnvironment;
let h: Harness;
/** What an activity gets as `Context.current().client`: a Client over the worker's NativeConnection. */
let activityClient: Client;
const { EventType } = temporal.api.enums.v1;
const UPDATES_PER_RUN = 3;

beforeAll(async () => {
  ({ env, h } = await startLocalHarness());
  await h.startWorkers();
  activityClient = new Client({ connection: env.nativeConnection, namespace: env.namespace ?? 'default' });
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

const registryId = () => controlsWorkflowIdFor(h.taskQueue);
const registry = () => h.client.workflow.getHandle(registryId());

/** Every run of the registry so far, oldest first, with its status. */
async function registryRuns(): Promise<Array<{ runId: string; status: string }>> {
  const runs: Array<{ runId: string; status: string; start: number }> = [];
  for await (const info of h.client.workflow.list({ query: `WorkflowId = '${registryId()}'` })) {
    runs.push({ runId: info.runId, status: info.status.name, start: info.startTime.getTime() });
  }
  return runs.sort((a, b) => a.start - b.start).map(({ runId, status }) => ({ runId, status }));
}

/** No workflow task of the registry's runs failed (a validator that threw into the task would show here). */
async function failedWorkflowTasks(): Promise<number> {
  let failed = 0;
  for (const { runId } of await registryRuns()) {
    const history = await h.client.workflow.getHandle(registryId(), runId).fetchHistory();
    failed += (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length;
  }
  return failed;
}

describe('findStop and the stop registry', () => {
  it('finds no stop while the registry was never started (NotFound is "no stops")', async () => {
    await expect(registry().describe()).rejects.toThrow(/not found/i);
    await expect(findStop(activityClient, h.taskQueue, { region: 'eu', requestedBy: 'crm' })).resolves.toBeUndefined();
    await expect(listStops(h.client, { taskQueue: h.taskQueue })).resolves.toEqual([]);
  });

  it('sees a region stop as soon as stopDeactivations answered, and none once it is resumed', async () => {
    // Started by hand with a short run, so that the rest of the file crosses several continue-as-new.
    await h.client.workflow.start(CONTROLS_WORKFLOW_TYPE, {
      workflowId: registryId(),
      taskQueue: h.taskQueue,
      args: [{ updatesPerRun: UPDATES_PER_RUN }],
    });
    const stop = await stopDeactivations(
      h.client,
      { region: 'eu', reason: 'the file was wrong', by: 'alice' },
      { taskQueue: h.taskQueue },
    );
    expect(stop).toEqual({
      id: expect.any(String),
      region: 'eu',
      reason: 'the file was wrong',
      by: 'alice',
      at: expect.any(String),
    });
    // No waiting: the Update's answer and the memo are written by the same workflow task.
    expect(await findStop(activityClient, h.taskQueue, { region: 'eu', requestedBy: 'crm' })).toEqual(stop);
    expect(await findStop(activityClient, h.taskQueue, { region: 'eu' })).toEqual(stop);
    expect(await findStop(activityClient, h.taskQueue, { region: 'us', requestedBy: 'crm' })).toBeUndefined();
    expect(await registry().query(stopsQuery)).toEqual([stop]);

    const removed = await resumeDeactivations(
      h.client,
      { region: 'eu', by: 'alice', reason: 'fixed' },
      { taskQueue: h.taskQueue },
    );
    expect(removed).toEqual(stop);
    expect(await findStop(activityClient, h.taskQueue, { region: 'eu', requestedBy: 'crm' })).toBeUndefined();
  });

  it('holds by requester, and by requester in a region; a repeated stop is the same stop', async () => {
    const options = { taskQueue: h.taskQueue };
    const byRequester = await stopDeactivations(
      h.client,
      { requestedBy: 'crm', reason: 'bad batch', by: 'bob' },
      options,
    );
    const again = await stopDeactivations(h.client, { requestedBy: 'crm', reason: 'said twice', by: 'carol' }, options);
    expect(again).toEqual(byRequester);
    const both = await stopDeactivations(
      h.client,
      { region: 'us', requestedBy: 'billing', reason: 'us batch', by: 'bob' },
      options,
    );
    expect(await listStops(h.client, options)).toEqual([byRequester, both]);

    expect(await findStop(activityClient, h.taskQueue, { region: 'eu', requestedBy: 'crm' })).toEqual(byRequester);
    expect(await findStop(activityClient, h.taskQueue, { region: 'us', requestedBy: 'billing' })).toEqual(both);
    expect(await findStop(activityClient, h.taskQueue, { region: 'eu', requestedBy: 'billing' })).toBeUndefined();
    expect(await findStop(activityClient, h.taskQueue, { region: 'us' })).toBeUndefined();

    await resumeDeactivations(h.client, { requestedBy: 'crm', by: 'bob' }, options);
    await resumeDeactivations(h.client, { region: 'us', requestedBy: 'billing', by: 'bob' }, options);
    expect(await listStops(h.client, options)).toEqual([]);
  });

  it('rejects a resume of a stop that is not in force, naming the selector and the stops that are', async () => {
    const options = { taskQueue: h.taskQueue };
    const stop = await stopDeactivations(h.client, { region: 'eu', reason: 'hold', by: 'alice' }, options);
    const error = await resumeDeactivations(h.client, { region: 'eu', requestedBy: 'crm', by: 'alice' }, options).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StopRequestRejectedError);
    expect((error as StopRequestRejectedError).reason).toBe(
      'no stop of region eu, requested by "crm" is in force ' +
        '(a resume names a stop exactly as it was given; in force: region eu)',
    );
    expect(await listStops(h.client, options)).toEqual([stop]);
    await resumeDeactivations(h.client, { region: 'eu', by: 'alice' }, options);
  });

  it('rejects malformed arguments of any JSON shape in its validators; no workflow task fails', async () => {
    const malformed: Array<[unknown, RegExp]> = [
      [null, /\(argument\): must be an object .*\(got null\)/],
      [42, /\(argument\): must be an object .*\(got number\)/],
      ['eu', /\(argument\): must be an object .*\(got string\)/],
      [['eu'], /\(argument\): must be an object .*\(got array\)/],
      [{ reason: 'r', by: 'a' }, /region, requestedBy: at least one is required/],
      [{ region: 'EU', reason: 'r', by: 'a' }, /region: must be a Qlik region code/],
      [{ region: 'eu' }, /reason: is required; by: is required/],
      [{ region: 'eu', reason: { nested: true }, by: 'a' }, /reason: must be a string \(got object\)/],
      [JSON.parse('{"region":"eu","reason":"r","by":"a","constructor":1}'), /constructor: is not a known field/],
    ];
    for (const [argument, rule] of malformed) {
      for (const name of [CONTROLS_MESSAGE_NAMES.stopUpdate, CONTROLS_MESSAGE_NAMES.resumeUpdate]) {
        const error = await registry()
          .executeUpdate(name, { args: [argument] })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
        const message = (error as WorkflowUpdateFailedError).cause?.message ?? '';
        // A resume has no `reason` rule; everything else is the same rule.
        if (name === CONTROLS_MESSAGE_NAMES.stopUpdate || !/reason/.test(rule.source)) {
          expect(message).toMatch(/^invalid argument: /);
          expect(message).toMatch(rule);
        }
      }
    }
    // The library refuses the same before sending anything.
    await expect(
      stopDeactivations(h.client, { region: 'EU', reason: 'r', by: 'a' }, { taskQueue: h.taskQueue }),
    ).rejects.toMatchObject({ code: 'InvalidInput', problems: [{ field: 'region' }] });
    expect((await registry().describe()).status.name).toBe('RUNNING');
    expect(await failedWorkflowTasks()).toBe(0);
  });

  it('keeps the list across continue-as-new: each run hands it, and its memo, to the next', async () => {
    const options = { taskQueue: h.taskQueue };
    const kept = await stopDeactivations(h.client, { requestedBy: 'crm', reason: 'kept', by: 'alice' }, options);
    for (let i = 0; i < 2 * UPDATES_PER_RUN; i++) {
      await stopDeactivations(h.client, { region: 'us', reason: `churn ${i}`, by: 'alice' }, options);
      expect(await findStop(activityClient, h.taskQueue, { region: 'eu', requestedBy: 'crm' })).toEqual(kept);
      await resumeDeactivations(h.client, { region: 'us', by: 'alice' }, options);
      expect(await findStop(activityClient, h.taskQueue, { region: 'eu', requestedBy: 'crm' })).toEqual(kept);
    }
    const runs = await registryRuns();
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs.slice(0, -1).every((run) => run.status === 'CONTINUED_AS_NEW')).toBe(true);
    expect(await registry().query(stopsQuery)).toEqual([kept]);
    expect(await failedWorkflowTasks()).toBe(0);
    await resumeDeactivations(h.client, { requestedBy: 'crm', by: 'alice' }, options);
  });

  it('ignores a cancellation request: the stops stay in force', async () => {
    const options = { taskQueue: h.taskQueue };
    const stop = await stopDeactivations(h.client, { region: 'eu', reason: 'hold', by: 'alice' }, options);
    await registry().cancel();
    // The request is an event in the history; once a workflow task has seen it, the run must still be running.
    await waitFor(
      'the cancellation request to be handled',
      async () => {
        const history = await registry().fetchHistory();
        const events = history.events ?? [];
        const requested = events.findIndex(
          (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
        );
        return (
          requested >= 0 &&
          events.slice(requested).some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
        );
      },
      10_000,
    );
    expect((await registry().describe()).status.name).toBe('RUNNING');
    expect(await findStop(activityClient, h.taskQueue, { region: 'eu' })).toEqual(stop);
    await resumeDeactivations(h.client, { region: 'eu', by: 'alice' }, options);
  });

  it("refuses to run under any other workflow ID than its task queue's", async () => {
    const handle = await h.client.workflow.start(CONTROLS_WORKFLOW_TYPE, {
      workflowId: controlsWorkflowIdFor('some-other-queue'),
      taskQueue: h.taskQueue,
      args: [{}],
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'InvalidInput' });
    expect(cause?.message).toBe(
      `workflow ID: must be ${registryId()} on task queue ${h.taskQueue} (got ${controlsWorkflowIdFor('some-other-queue')})`,
    );
  });

  it('fails closed on a memo it cannot read: a retryable StopRegistryUnreadable, never "no stop"', async () => {
    // A registry on a queue no worker polls keeps the memo it was started with.
    const queue = `${h.taskQueue}-no-worker`;
    await h.client.workflow.start(CONTROLS_WORKFLOW_TYPE, {
      workflowId: controlsWorkflowIdFor(queue),
      taskQueue: queue,
      args: [{}],
      memo: { stops: [{ region: 'eu', reason: 'half a stop' }] },
    });
    const error = await findStop(activityClient, queue, { region: 'eu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'StopRegistryUnreadable', nonRetryable: false });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^the stop registry of task queue ${queue} could not be read, so the deactivate was not sent: .*stops\\[0\\]\\.id: is required`,
      ),
    );
    await h.client.workflow.getHandle(controlsWorkflowIdFor(queue)).terminate('test over');
  });

  it('still holds after the registry is terminated, and the next stop carries the list into a new run', async () => {
    const options = { taskQueue: h.taskQueue };
    const stop = await stopDeactivations(h.client, { region: 'eu', reason: 'hold', by: 'alice' }, options);
    await registry().terminate('by mistake');
    expect(await findStop(activityClient, h.taskQueue, { region: 'eu' })).toEqual(stop);

    const next = await stopDeactivations(h.client, { region: 'us', reason: 'hold us', by: 'alice' }, options);
    expect((await registry().describe()).status.name).toBe('RUNNING');
    expect(await listStops(h.client, options)).toEqual([stop, next]);
    await resumeDeactivations(h.client, { region: 'eu', by: 'alice' }, options);
    await resumeDeactivations(h.client, { region: 'us', by: 'alice' }, options);
  });

  it('is read without a worker: describe() is answered by the server alone', async () => {
    const options = { taskQueue: h.taskQueue };
    const stop: Stop = await stopDeactivations(h.client, { requestedBy: 'crm', reason: 'hold', by: 'alice' }, options);
    await h.stopWorkers();
    expect(await findStop(activityClient, h.taskQueue, { region: 'jp', requestedBy: 'crm' })).toEqual(stop);
    expect(await listStops(h.client, options)).toEqual([stop]);
  });
});
