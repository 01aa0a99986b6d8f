/**
 * Issue "[3 of 4] Operations at scale", item 2: the workflow retries a deactivate itself (one activity per attempt),
 * so a deactivate refused for hours — 429s, or a stop that holds it back — grows the history by every attempt. The
 * run continues as new in `deactivating` and goes on where it was, counting the attempts that may have reached Qlik.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { count, describeEnd, offboarding, settle, start } from '../support/edges';

const REFUSALS = 5;

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  ({ env, h } = await startLocalHarness());
  // About ten events an attempt: the run continues as new every two or three attempts.
  h.config.historyBounds = { events: 40, bytes: 1024 * 1024 };
  h.sim.addTenant(tenant('Dcan-Refused'));
  h.sim.setFaults([
    { route: 'deactivate', tenantId: 'Dcan-Refused', sequence: Array.from({ length: REFUSALS }, () => '429' as const) },
  ]);
  await h.startWorkers();
}, 60_000);

afterAll(() => stopLocalHarness(h, env), 60_000);

it('continues as new between deactivate attempts and resumes them, then offboards', async () => {
  const handle = await start(h, offboarding('Dcan-Refused'));
  const end = await settle(handle, 120_000);
  expect(describeEnd(end)).toBe('completed (COMPLETED); outcome purged');
  expect(count(h, 'Dcan-Refused', 'deactivate')).toBe(REFUSALS + 1);
  expect(end.status?.deactivateAttemptsStarted).toBe(REFUSALS);

  const runs: string[] = [];
  for await (const run of h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
    runs.push(run.runId);
  }
  expect(runs.length).toBeGreaterThan(1);
}, 150_000);
