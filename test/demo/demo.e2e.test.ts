/**
 * The demo's driver on the real dev server, the product's own workers and the simulator over HTTP (1 simulated
 * day = 100 ms). The demo doubles as a smoke test, so each path must end as the demo claims: asserted on the
 * workflow results and on the simulator's record of the calls Qlik received.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { checkExpectation, type DemoResult } from '../../src/demo/checks';
import { formatReport, workflowUrl } from '../../src/demo/report';
import { runDemo } from '../../src/demo/run-demo';
import { demoScenarios } from '../../src/demo/scenarios';
import type { RequestLogEntry } from '../../src/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';

let env: TestWorkflowEnvironment;
let h: Harness;
let results: DemoResult[];
const progress: string[] = [];

beforeAll(async () => {
  // Grace probes every two simulated days, as `npm run demo` runs them.
  ({ env, h } = await startLocalHarness({ env: { OFFBOARD_GRACE_PROBE_INTERVAL: '200ms' } }));
  await h.startWorkers();
  results = await runDemo({
    client: h.client,
    taskQueue: h.taskQueue,
    sim: h.sim,
    dayMs: 100,
    pollMs: 50,
    timeoutMs: 20_000,
    log: (line) => progress.push(line),
  });
}, 60_000);

afterAll(() => stopLocalHarness(h, env));

function byPath(path: string): DemoResult {
  const result = results.find((r) => r.scenario.path === path);
  if (!result) throw new Error(`no demo path ${path}`);
  return result;
}

/** Straight from the simulator's log, independently of the driver's own counting. */
function qlikCalls(result: DemoResult, route?: RequestLogEntry['route']): RequestLogEntry[] {
  const { tenant, input } = result.scenario;
  return h.sim
    .requests()
    .filter((r) => r.tenantId === tenant.id || r.hostname === tenant.hostnames[0] || r.hostname === input.hostname)
    .filter((r) => route === undefined || r.route === route);
}

describe('the demo', () => {
  it('runs the five paths and finds each ended as expected', () => {
    expect(results.map((r) => [r.scenario.path, r.problems])).toEqual([
      ['purge', []],
      ['reactivate', []],
      ['extend', []],
      ['cancel', []],
      ['wrong-host', []],
    ]);
  });

  it('purges the first tenant once its grace period has passed', () => {
    const purge = byPath('purge');
    expect(purge.outcome).toBe('purged');
    expect(Date.parse(purge.status!.purgeConfirmedAt!)).toBeGreaterThanOrEqual(
      Date.parse(purge.status!.estimatedPurgeDate!),
    );
    expect(h.sim.tenant(purge.scenario.tenant.id)!.status).toBe('deleted');
    // The grace probes were on, as in `npm run demo` (whether one came in a 1 s grace period depends on the dev
    // server's timer precision, up to a second).
    expect(purge.status!.graceProbes).toMatchObject({ intervalMs: 200 });
    expect(qlikCalls(purge, 'deactivate')).toHaveLength(1);
    expect(qlikCalls(purge, 'reactivate')).toHaveLength(0);
  });

  it('reactivates the second with the reactivate signal during the grace period: one deactivate, one reactivate', () => {
    const reactivated = byPath('reactivate');
    expect(reactivated.outcome).toBe('reactivated');
    expect(reactivated.status!.decidedBy).toMatchObject({ message: 'reactivate', requestedBy: 'demo' });
    expect(h.sim.tenant(reactivated.scenario.tenant.id)!.status).toBe('active');
    expect(qlikCalls(reactivated, 'deactivate')).toHaveLength(1);
    expect(qlikCalls(reactivated, 'reactivate')).toHaveLength(1);
  });

  it('extends the grace period of the third: a second deactivate through the queue, purged at the new date', () => {
    const extended = byPath('extend');
    const status = extended.status!;
    expect(extended.outcome).toBe('purged');
    expect(status.extensions).toMatchObject([{ state: 'applied', purgeAfterDays: 20, requestedBy: 'demo' }]);
    const [extension] = status.extensions!;
    // 20 days from the repeat deactivate, 3 days into a 10-day grace period: 13 days later than the first date.
    const movedMs = Date.parse(extension!.estimatedPurgeDate!) - Date.parse(extension!.previousPurgeDate);
    expect(movedMs).toBeGreaterThanOrEqual(13 * 100 - 50);
    expect(status.estimatedPurgeDate).toBe(extension!.estimatedPurgeDate);
    expect(Date.parse(status.purgeConfirmedAt!)).toBeGreaterThanOrEqual(Date.parse(status.estimatedPurgeDate!));
    expect(qlikCalls(extended, 'deactivate')).toHaveLength(2);
    expect(qlikCalls(extended, 'reactivate')).toHaveLength(0);
    expect(h.sim.tenant(extended.scenario.tenant.id)!.status).toBe('deleted');
    expect(progress.some((line) => /extend\s+extension applied: Qlik now purges it at/.test(line))).toBe(true);
  });

  it('cancels the fourth through signal-with-start without a single Qlik call', () => {
    const cancelled = byPath('cancel');
    expect(cancelled.outcome).toBe('cancelled');
    expect(cancelled.status!.decidedBy).toMatchObject({ message: 'cancel' });
    expect(qlikCalls(cancelled)).toEqual([]);
    expect(cancelled.calls).toEqual({ deactivate: 0, reactivate: 0, probe: 0, getTenant: 0 });
  });

  it("refuses the fifth as HostnameMismatch with Qlik's 412 and traceId, leaving the tenant active", () => {
    const refused = byPath('wrong-host');
    expect(refused.failureType).toBe('HostnameMismatch');
    expect(refused.failureMessage).toMatch(/412/);
    expect(refused.failureMessage).toMatch(/traceId [0-9a-f]{32}/);
    expect(refused.status!.lastError).toMatchObject({ type: 'HostnameMismatch', httpStatus: 412 });
    expect(h.sim.tenant(refused.scenario.tenant.id)!.status).toBe('active');
    expect(qlikCalls(refused, 'deactivate')).toHaveLength(1);
  });

  it('prints progress as phases change and a report with a Web UI link per workflow', () => {
    expect(progress.some((line) => /purge\s+grace period: Qlik purges it at/.test(line))).toBe(true);
    expect(progress.some((line) => /reactivate\s+sending reactivate/.test(line))).toBe(true);
    expect(progress.some((line) => /wrong-host\s+refused: HostnameMismatch \(HTTP 412, traceId/.test(line))).toBe(true);
    const report = formatReport(results, { uiUrl: 'http://localhost:8233', namespace: 'default' });
    for (const r of results) expect(report).toContain(workflowUrl('http://localhost:8233', 'default', r.workflowId));
    expect(report).toContain('All 5 paths ended as expected.');
  });
});

describe('the demo as a smoke test', () => {
  it('reports a path that ends otherwise, so that the demo exits non-zero', () => {
    const [purge, , extend, cancel] = demoScenarios('x');
    expect(checkExpectation(purge, { outcome: 'cancelled' }, [], { status: 'active' } as never)).toEqual([
      'expected outcome purged, got cancelled',
      'expected 1 deactivate call(s), Qlik received 0',
      'expected the tenant to be deleted on Qlik, it is active',
    ]);
    const call = { route: 'deactivate', tenantId: cancel.tenant.id, method: 'POST', path: '/x' } as RequestLogEntry;
    expect(checkExpectation(cancel, { outcome: 'cancelled' }, [call], { status: 'active' } as never)).toEqual([
      'expected no Qlik call, Qlik received POST /x',
    ]);
    // Purged at the first date, the extension refused: the extended path says so.
    const refused = { extensions: [{ state: 'refused' }] } as never;
    expect(checkExpectation(extend, { outcome: 'purged', status: refused }, [], undefined)).toContain(
      'expected one applied extension, got ["refused"]',
    );
  });
});
