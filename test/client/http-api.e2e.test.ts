/**
 * The README's "Any language: Temporal's HTTP API" section, run as written: each documented curl command (really curl,
 * through bash) against a dev server that temporal-dev.sh started, with the product's workers on the contract's task
 * queue and the Qlik simulator. Only the port, the tenant and its hostname are swapped in, so a command that drifts
 * from what the server 1.32 gateway or the workflow accepts fails here. Proven besides the answers: the workflow's real
 * outcome and the simulator's record of the Qlik calls, including the closed-run rule that the workflow now keeps
 * itself for callers that pass no ID reuse policy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestLogEntry } from '../../src/simulator';
import { DEFAULT_TASK_QUEUE, type Phase } from '../../src/shared/contract';
import { reactivateSignal } from '../../src/workflows/definitions';
import { ROOT } from '../../harness/repo';
import { hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startDevServerHarness, stopDevServerHarness } from '../../harness/workers';
import { waitFor } from '../../harness/wait';
import { type CurlAnswer, documentedCurl, markedBlocks, requireCurl } from '../support/documented-curl';

const README = path.join(ROOT, 'src', 'client', 'README.md');
const blocks = markedBlocks(README, 'http-api');
const DOCUMENTED_PORT = 'http://localhost:7243';
const EXAMPLE_TENANT = 'acme123';
const EXAMPLE_HOSTNAME = 'acme.eu.qlikcloud.com';
/** A few hundred ignored signals make a run continue as new. */
const HISTORY_EVENTS_BOUND = 150;

let started: Awaited<ReturnType<typeof startDevServerHarness>> | undefined;
let h: Harness;
let curl: ReturnType<typeof documentedCurl>;

beforeAll(async () => {
  requireCurl();
  // 1 simulated day = 200 ms: the documented 30 days of grace last 6 s. The purge comes 8 s after its date, which
  // leaves the run of the continue-as-new case in confirming-purge long enough; nothing becomes overdue meanwhile.
  started = await startDevServerHarness({
    sim: {
      dayMs: 200,
      purgeLagMs: 8_000,
      faults: [{ route: 'reactivate', tenantId: 'HttpUpdate1', sequence: [{ kind: 'slow', delayMs: 3_000 }] }],
    },
    env: { TEMPORAL_TASK_QUEUE: DEFAULT_TASK_QUEUE, OFFBOARD_PURGE_OVERDUE_AFTER: '1m' },
  });
  h = started.h;
  h.config.historyBounds = { events: HISTORY_EVENTS_BOUND, bytes: 1024 * 1024 };
  await h.startWorkers();
  curl = documentedCurl(blocks, [[DOCUMENTED_PORT, `http://127.0.0.1:${started.server.httpPort}`]]);
}, 120_000);

afterAll(async () => {
  curl?.close();
  await stopDevServerHarness(started);
});

/** The documented command `name` for tenant `id` (the README's example tenant and hostname swapped for its own). */
function run(name: string, id: string, edit?: (command: string) => string): Promise<CurlAnswer> {
  return curl.run(
    name,
    [
      [EXAMPLE_HOSTNAME, hostnameOf(id)],
      [EXAMPLE_TENANT, id],
    ],
    edit,
  );
}

/** A tenant of the simulator's, with the hostname the commands are given. */
function seed(id: string): string {
  h.sim.addTenant(tenant(id));
  return id;
}

function requestsFor(id: string): RequestLogEntry[] {
  return h.sim.requests().filter((r) => r.tenantId === id || r.hostname === hostnameOf(id));
}

const applied = (id: string, route: 'deactivate' | 'reactivate') =>
  requestsFor(id).filter((r) => r.route === route && r.applied === true).length;

/** The status through the documented query, once it is in `phase`. */
async function untilPhase(id: string, phase: Phase, timeoutMs = 20_000) {
  let status: { phase?: string } | undefined;
  await waitFor(
    `${id} in ${phase} (documented status query)`,
    async () => {
      const answer = await run('status', id);
      status = answer.status === 200 ? answer.body.queryResult?.[0] : undefined;
      return status?.phase === phase;
    },
    timeoutMs,
    250,
  );
  return status!;
}

/**
 * The documented way to the result: the close-event command, run again while it answers no event (20 s passed) or a
 * continue-as-new. Returns every close event it saw, the last one the run's end.
 */
async function documentedResult(id: string) {
  const seen: Array<{ eventType: string; [attributes: string]: unknown }> = [];
  for (let calls = 0; calls < 20; calls++) {
    const answer = await run('result', id);
    expect(answer.status).toBe(200);
    const event = answer.body.history?.events?.[0];
    if (!event) continue;
    seen.push(event);
    if (event.eventType !== 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW') return seen;
  }
  throw new Error(`${id}: no end after 20 result calls (${JSON.stringify(seen.map((e) => e.eventType))})`);
}

async function completedResult(id: string) {
  const end = (await documentedResult(id)).at(-1)!;
  expect(end.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
  return (end.workflowExecutionCompletedEventAttributes as { result: Array<Record<string, unknown>> }).result[0]!;
}

async function failedResult(id: string) {
  const end = (await documentedResult(id)).at(-1)!;
  expect(end.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
  return (end.workflowExecutionFailedEventAttributes as { failure: Record<string, any> }).failure; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The start command without its reuse policy: the server then applies its default, ALLOW_DUPLICATE. */
function withoutReusePolicy(command: string): string {
  const edited = command.replace(/^\s*"workflowIdReusePolicy": .*\n/m, '');
  if (edited === command) throw new Error('the start command has no workflowIdReusePolicy line any more');
  return edited;
}

describe('the documented HTTP API commands (curl against a temporal-dev.sh dev server)', () => {
  it('the setup names the dev server port that temporal-dev.sh fixes', () => {
    expect(blocks.get('setup')).toContain(DOCUMENTED_PORT);
    expect(readFileSync(path.join(ROOT, 'temporal-dev.sh'), 'utf8')).toContain(
      'HTTP_PORT="${TEMPORAL_DEV_HTTP_PORT:-7243}"',
    );
  });

  it('start starts the offboarding; a second start while it runs gets 409 naming the run, whose input the history command returns', async () => {
    const id = seed('HttpJoin1');
    const first = await run('start', id);
    expect(first).toMatchObject({ status: 200, body: { started: true, runId: expect.any(String) } });

    const again = await run('start', id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 6, details: [{ runId: first.body.runId }] });
    expect(again.body.message).toMatch(/already running/);

    const history = await run('input', id);
    expect(history.status).toBe(200);
    expect(history.body.history.events[0].workflowExecutionStartedEventAttributes.input[0]).toEqual({
      tenantId: id,
      hostname: hostnameOf(id),
      region: 'eu',
      purgeAfterDays: 30,
      requestedBy: 'crm',
      reason: 'contract ended',
    });
    await untilPhase(id, 'grace-period');
    expect(applied(id, 'deactivate')).toBe(1);
    await run('update-cancel', id);
    expect((await completedResult(id)).outcome).toBe('cancelled');
  });

  it('the reactivate signal during the grace period ends the run reactivated, with one reactivate call', async () => {
    const id = seed('HttpSignalR1');
    const { body } = await run('start', id);
    await untilPhase(id, 'grace-period');
    expect(await run('signal-reactivate', id)).toMatchObject({
      status: 200,
      body: { link: { workflowEvent: { runId: body.runId } } },
    });
    const result = await completedResult(id);
    expect(result).toMatchObject({
      phase: 'completed',
      outcome: 'reactivated',
      decidedBy: { message: 'reactivate', reason: 'contract renewed', requestedBy: 'crm' },
    });
    expect([applied(id, 'deactivate'), applied(id, 'reactivate')]).toEqual([1, 1]);
    // Signals to an ended run: 404, as documented.
    expect((await run('signal-cancel', id)).status).toBe(404);
  });

  it('the cancel signal during the grace period ends the run cancelled, the tenant reactivated', async () => {
    const id = seed('HttpSignalC1');
    const { body } = await run('start', id);
    await untilPhase(id, 'grace-period');
    expect(await run('signal-cancel', id)).toMatchObject({
      status: 200,
      body: { link: { workflowEvent: { runId: body.runId } } },
    });
    const result = await completedResult(id);
    expect(result).toMatchObject({ outcome: 'cancelled', decidedBy: { message: 'cancel', reason: 'customer stayed' } });
    expect(result.reactivatedAt).toEqual(expect.any(String));
    expect([applied(id, 'deactivate'), applied(id, 'reactivate')]).toEqual([1, 1]);
  });

  it('cancelOffboarding answers the status with the decision; reactivateTenant is then rejected with the reason', async () => {
    // The reactivate call is slow for this tenant: the second Update meets the run while it carries out the first.
    const id = seed('HttpUpdate1');
    expect((await run('start', id)).status).toBe(200);
    await untilPhase(id, 'grace-period');
    const cancelled = await run('update-cancel', id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.stage).toBe('UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED');
    expect(cancelled.body.outcome.success[0]).toMatchObject({
      tenantId: id,
      decidedBy: { message: 'cancel', reason: 'customer stayed', requestedBy: 'crm' },
      // The plain payload form turns the empty list into null (the stored value is []), as the README says.
      ignoredSignals: null,
    });
    // The same updateId again: the same answer, not a second decision.
    const repeated = await run('update-cancel', id);
    expect(repeated.body.outcome.success[0].decidedBy).toEqual(cancelled.body.outcome.success[0].decidedBy);

    const rejected = await run('update-reactivate', id);
    expect(rejected.status).toBe(200);
    expect(rejected.body.outcome.failure.message).toMatch(/a decision was already made: cancel/);

    expect((await completedResult(id)).outcome).toBe('cancelled');
    expect([applied(id, 'deactivate'), applied(id, 'reactivate')]).toEqual([1, 1]);
  });

  it('reactivateTenant during the grace period answers the decision and ends the run reactivated', async () => {
    const id = seed('HttpUpdate2');
    expect((await run('start', id)).status).toBe(200);
    await untilPhase(id, 'grace-period');
    const answer = await run('update-reactivate', id);
    expect(answer.body.outcome.success[0]).toMatchObject({ decidedBy: { message: 'reactivate' } });
    expect((await completedResult(id)).outcome).toBe('reactivated');
  });

  it('result follows continue-as-new: the close event of the first run names the next, the same command again gives the end', async () => {
    const id = seed('HttpChain1');
    const first = await run('start', id);
    expect(first.status).toBe(200);
    await untilPhase(id, 'confirming-purge', 30_000);
    // Asked while the first run is still open.
    const pending = run('result', id);
    const handle = h.client.workflow.getHandle(`offboard-tenant-${id}`);
    // Ignored signals (past the purge date) grow the history until the run hands over to a new one.
    for (let sent = 0; sent < 4 * HISTORY_EVENTS_BOUND; sent += 25) {
      const description = await h.client.workflow.getHandle(`offboard-tenant-${id}`, first.body.runId).describe();
      if (description.status.name !== 'RUNNING') break;
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          handle.signal(reactivateSignal, { requestedBy: `storm-${sent + i}` }).catch(() => undefined),
        ),
      );
    }
    const firstEnd = (await pending).body.history.events[0];
    expect(firstEnd.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    const next = firstEnd.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId;
    expect(next).toEqual(expect.any(String));
    expect(next).not.toBe(first.body.runId);

    const events = await documentedResult(id);
    expect(events.at(-1)!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    const result = (events.at(-1)!.workflowExecutionCompletedEventAttributes as { result: Array<{ outcome: string }> })
      .result[0]!;
    expect(result.outcome).toBe('purged');
    expect(applied(id, 'deactivate')).toBe(1);

    // A start without the reuse policy after the chain completed is refused by the workflow, naming the chain's end.
    const lastRun = [firstEnd, ...events]
      .map((e) => e.workflowExecutionContinuedAsNewEventAttributes as { newExecutionRunId?: string } | undefined)
      .filter(Boolean)
      .at(-1)!.newExecutionRunId;
    expect((await run('start', id, withoutReusePolicy)).status).toBe(200);
    expect((await failedResult(id)).message).toContain(`already completed (run ${lastRun}, outcome purged`);
    expect(applied(id, 'deactivate')).toBe(1);
  }, 60_000);

  it('bad input fails the run as InvalidInput naming the field, before any Qlik call', async () => {
    const id = seed('HttpBadInput1');
    const start = await run('start', id, (command) => command.replace('"purgeAfterDays": 30', '"purgeAfterDays": 5'));
    expect(start.status).toBe(200);
    const failure = await failedResult(id);
    expect(failure.applicationFailureInfo.type).toBe('InvalidInput');
    expect(failure.message).toMatch(/purgeAfterDays/);
    expect(failure.applicationFailureInfo.details[0]).toMatchObject({ phase: 'failed', tenantId: id });
    expect(requestsFor(id)).toEqual([]);
  });

  it('after a Completed run: 409 with the policies; without the reuse policy the workflow refuses (also after its own refusal); the restart runs', async () => {
    const id = seed('HttpAgain1');
    const first = await run('start', id);
    await untilPhase(id, 'grace-period');
    await run('update-cancel', id);
    expect((await completedResult(id)).outcome).toBe('cancelled');
    const callsAfterFirst = requestsFor(id).length;

    const refusedByServer = await run('start', id);
    expect(refusedByServer.status).toBe(409);
    expect(refusedByServer.body.message).toMatch(/already finished successfully/);

    // A caller that leaves the reuse policy out: the server starts a run, and the workflow refuses it.
    const unasked = await run('start', id, withoutReusePolicy);
    expect(unasked).toMatchObject({ status: 200, body: { started: true } });
    const refusal = await failedResult(id);
    expect(refusal.applicationFailureInfo.type).toBe('InvalidInput');
    expect(refusal.message).toContain(`already completed (run ${first.body.runId}, outcome cancelled`);
    expect(refusal.message).toMatch(/restart: true/);

    // The refused run is the latest now, and it Failed: the server lets the documented start through, the workflow
    // looks past the refusal to the completed offboarding.
    const afterRefusal = await run('start', id);
    expect(afterRefusal).toMatchObject({ status: 200, body: { started: true } });
    expect((await failedResult(id)).message).toContain(`already completed (run ${first.body.runId}`);
    expect(requestsFor(id)).toHaveLength(callsAfterFirst);

    const restarted = await run('restart', id);
    expect(restarted).toMatchObject({ status: 200, body: { started: true } });
    await untilPhase(id, 'grace-period');
    expect(applied(id, 'deactivate')).toBe(2);
    await run('update-cancel', id);
    expect((await completedResult(id)).outcome).toBe('cancelled');
  }, 60_000);

  it('every marked command of the README section was run by a test above', () => {
    expect([...blocks.keys()].filter((name) => !curl.used().has(name))).toEqual([]);
  });
});
