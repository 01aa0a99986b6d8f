/**
 * Item 5 of "[1 of 4] Hardening": a run hands over to a new run (continue-as-new) before its history grows long,
 * whatever arrives, and every fact survives the hand-over. Real dev server, the product's workers, the simulator.
 * Declared once for two sizes: CI (test/workflows/history-growth.e2e.test.ts: a lowered history bound, so that
 * 1,500 signals make three runs) and test/chaos (the product's bound and the server's full 10,000 signals). The
 * 90-day side of the item is on the time-skipping server (test/workflows/offboard-tenant.temporal.test.ts).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../../src/shared/contract';
import { statusQuery } from '../../src/workflows/definitions';
import { reactivateAcrossContinueAsNew } from './signal-chain';
import type { offboardTenant } from '../../src/workflows';
import { hostnameOf, tenant } from '../../harness/simulator';
import { createLocalEnv } from '../../harness/temporal';
import { type Harness, startHarness } from '../../harness/workers';
import { waitForPhase } from '../../harness/wait';

/** How many signals the server lets one run receive (`history.maximumSignalsPerExecution`, default 10,000). */
export const SERVER_SIGNAL_LIMIT = 10_000;
const { EventType } = temporal.api.enums.v1;
let env: TestWorkflowEnvironment;
let h: Harness;

export interface StormSize {
  signals: number;
  /** The history bound of the workers (default: the product's own). */
  historyBounds?: { events: number; bytes: number };
}

/** Declares the storm test in the calling test file. */
export function defineSignalStormSuite(size: StormSize): void {
  beforeAll(async () => {
    env = await createLocalEnv();
    // 10 simulated days last 5 s; the purge lags an hour, so the run confirms the purge until the test lets it happen.
    h = await startHarness(env, {
      sim: { dayMs: 500, purgeLagMs: 3_600_000 },
      env: { OFFBOARD_PURGE_OVERDUE_AFTER: '1h' },
    });
    if (size.historyBounds) h.config.historyBounds = size.historyBounds;
    await h.startWorkers();
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await env?.teardown();
  });

  /** Every run of a workflow ID, oldest first: status, history length and size. */
  async function runsOf(workflowId: string) {
    const runs: {
      runId: string;
      status: string;
      events: number;
      bytes: number;
      history: temporal.api.history.v1.IHistory;
    }[] = [];
    for await (const execution of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await h.client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
      const bytes = temporal.api.history.v1.History.encode(history).finish().length;
      runs.push({
        runId: execution.runId,
        status: execution.status.name,
        events: history.events?.length ?? 0,
        bytes,
        history,
      });
    }
    return runs.reverse();
  }

  /**
   * Sends `count` `reactivate` signals to `workflowId`, 50 at a time, about 200 a second: what one worker takes in on
   * two shared cores. The SDK spends about 2.5 ms of workflow time on each signal (it captures a stack trace for every
   * promise), so a run flooded faster than that falls behind; see "Noticed and left" in docs/reliability.md.
   */
  async function signalStorm(workflowId: string, count: number): Promise<void> {
    for (let sent = 0; sent < count; sent += 50) {
      const paced = new Promise((resolve) => setTimeout(resolve, 250));
      await Promise.all(
        Array.from({ length: Math.min(50, count - sent) }, (_, i) =>
          reactivateAcrossContinueAsNew(h.client, workflowId, { requestedBy: `ops-${sent + i}` }),
        ),
      );
      await paced;
    }
  }

  describe('a busy offboarding', () => {
    it(`takes ${size.signals} signals, each run under 10,240 events and 10 MB, every fact kept`, async () => {
      const id = `storm-${size.signals}`;
      h.sim.addTenant(tenant(id));
      const workflowId = workflowIdFor(id);
      await h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
        taskQueue: h.taskQueue,
        workflowId,
        args: [{ tenantId: id, hostname: hostnameOf(id), region: 'eu', purgeAfterDays: 10 }],
      });
      await waitForPhase(h.client, workflowId, 'confirming-purge', 30_000);
      const before = await h.client.workflow.getHandle(workflowId).query(statusQuery);

      // After the purge date every decision is ignored (and recorded): each one is still an event in the history.
      await signalStorm(workflowId, size.signals);
      h.sim.setExternalStatus(id, 'deleted');
      const result = await h.client.workflow.getHandle(workflowId).result();

      expect(result.outcome).toBe('purged');
      for (const fact of [
        'estimatedPurgeDate',
        'purgeDateSource',
        'deactivatedAt',
        'deactivationConfirmedAt',
      ] as const) {
        expect(result[fact]).toBe(before[fact]);
      }
      expect(result.decidedBy).toBeUndefined();
      // Bounded: the first and the last ten, and a count of the rest.
      expect(result.ignoredSignals).toHaveLength(20);
      // The first ten come from the first batch of 50 (sent at once, they arrive in any order).
      expect(Number(result.ignoredSignals[0]!.requestedBy!.slice('ops-'.length))).toBeLessThan(50);
      expect(result.ignoredSignals.length + (result.ignoredSignalsOmitted ?? 0)).toBe(size.signals);

      const runs = await runsOf(workflowId);
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(runs.slice(0, -1).map((run) => run.status)).toEqual(runs.slice(0, -1).map(() => 'CONTINUED_AS_NEW'));
      expect(runs.at(-1)!.status).toBe('COMPLETED');
      for (const run of runs) {
        expect(run.events).toBeLessThan(10_240);
        expect(run.bytes).toBeLessThan(10 * 1024 * 1024);
        // The hand-over itself never fails a workflow task for good: each run ends as it should.
        const last = run.history.events!.at(-1)!.eventType;
        expect([
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
        ]).toContain(last);
      }
      // Every later run starts with the original input as argument 0 and the carried state as argument 1.
      for (const run of runs.slice(1)) {
        const started = run.history.events![0]!.workflowExecutionStartedEventAttributes;
        expect(started?.input?.payloads).toHaveLength(2);
      }
      // Deactivated once, never reactivated: the storm changed nothing at Qlik.
      expect(h.sim.requests().filter((r) => r.tenantId === id && r.route === 'deactivate')).toHaveLength(1);
      expect(h.sim.requests().filter((r) => r.tenantId === id && r.route === 'reactivate')).toHaveLength(0);
    }, 240_000);
  });
}
