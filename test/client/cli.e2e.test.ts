/**
 * The `qlik-offboard` CLI end to end, run in-process through `runCli` against a real dev server, the product's
 * workers and the simulator: the contract's verbs with their exit codes and `--json` shapes, and the ops verbs
 * (bulk, list, report, watch). One test spawns the built program.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OffboardingRun, ReportRow } from '../../src/client';
import { workflowIdFor, type OffboardingStatus } from '../../src/shared/contract';
import { ROOT } from '../../harness/repo';
import { hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { waitFor } from '../../harness/wait';
import { cli, cliEnv, eventually } from '../support/cli';

let env: TestWorkflowEnvironment;
let h: Harness;
let vars: Record<string, string>;
const testStart = new Date(Date.now() - 60_000).toISOString();
const dir = mkdtempSync(path.join(tmpdir(), 'qlik-offboard-cli-'));

beforeAll(async () => {
  ({ env, h } = await startLocalHarness());
  await h.startWorkers();
  vars = cliEnv(env, h);
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

/** `start` flags for simulator tenant `id`. */
function startArgs(id: string, region = 'eu', extra: string[] = []): string[] {
  return ['start', '--tenant-id', id, '--hostname', hostnameOf(id, region), '--region', region, ...extra];
}

function requestsFor(id: string, region = 'eu') {
  return h.sim.requests().filter((r) => r.tenantId === id || r.hostname === hostnameOf(id, region));
}

async function phaseOf(id: string): Promise<string> {
  const { stdout } = await cli(['status', id, '--json'], vars);
  return (JSON.parse(stdout) as OffboardingStatus).phase;
}

async function untilPhase(id: string, phase: string): Promise<void> {
  await eventually(async () => ((await phaseOf(id)) === phase ? true : undefined), `${id} in ${phase}`);
}

function writeFile(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('qlik-offboard start, status, cancel, reactivate, result', () => {
  it('start --json prints exactly { workflowId, runId, started }; a repeat joins the open run', async () => {
    h.sim.addTenant(tenant('CliJoin1'));
    const first = await cli(startArgs('CliJoin1', 'eu', ['--purge-after-days', '90', '--json']), vars);
    expect(first.code).toBe(0);
    const started = JSON.parse(first.stdout);
    expect(Object.keys(started).sort()).toEqual(['runId', 'started', 'workflowId']);
    expect(started).toEqual({ workflowId: 'offboard-tenant-CliJoin1', runId: expect.any(String), started: true });

    const again = await cli(startArgs('CliJoin1', 'eu', ['--purge-after-days', '90', '--json']), vars);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ ...started, started: false });
  });

  it('start prints the workflow ID and the Web UI link', async () => {
    h.sim.addTenant(tenant('CliHuman1'));
    const run = await cli(startArgs('CliHuman1', 'eu', ['--purge-after-days', '90']), vars);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('workflow ID: offboard-tenant-CliHuman1');
    expect(run.stdout).toContain('http://ui.test:8233/namespaces/default/workflows/offboard-tenant-CliHuman1');
  });

  it('refuses a different input for an open run (exit 1), naming the fields and what to do next', async () => {
    const run = await cli(startArgs('CliJoin1', 'eu', ['--purge-after-days', '30', '--reason', 'other']), vars);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/differing fields: purgeAfterDays, reason/);
    expect(run.stderr).toContain('qlik-offboard status CliJoin1');
    expect(run.stderr).toContain('qlik-offboard cancel CliJoin1');
  });

  it('status --json prints the status object; status of a tenant without an offboarding exits 3', async () => {
    const run = await cli(['status', 'CliJoin1', '--json'], vars);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout) as OffboardingStatus;
    expect(status).toMatchObject({ tenantId: 'CliJoin1', region: 'eu', purgeAfterDays: 90, dryRun: false });
    expect(status.ignoredSignals).toEqual([]);

    const human = await cli(['status', 'CliJoin1'], vars);
    expect(human.stdout).toMatch(/phase:\s+\S+ since/);

    const none = await cli(['status', 'NoSuchTenant1'], vars);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no offboarding found for tenant NoSuchTenant1/);
  });

  it('cancel records the decision (exit 0); a second cancel is rejected with the reason (exit 1)', async () => {
    await untilPhase('CliJoin1', 'grace-period');
    const cancel = await cli(['cancel', 'CliJoin1', '--reason', 'kept', '--requested-by', 'ops', '--json'], vars);
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout).decidedBy).toMatchObject({
      message: 'cancel',
      reason: 'kept',
      requestedBy: 'ops',
    });

    const again = await cli(['cancel', 'CliJoin1'], vars);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/rejected: (a decision was already made|the offboarding has finished)/);

    const result = await cli(['result', 'CliJoin1', '--json'], vars);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ phase: 'completed', outcome: 'cancelled' });
    expect(requestsFor('CliJoin1').filter((r) => r.route === 'reactivate')).toHaveLength(1);
  });

  it('reactivate --wait waits for the end and prints the result', async () => {
    await untilPhase('CliHuman1', 'grace-period');
    const run = await cli(['reactivate', 'CliHuman1', '--reason', 'renewed', '--wait'], vars);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/completed: outcome reactivated/);
    expect(h.sim.tenant('CliHuman1')!.status).toBe('active');
  });

  it('result of a failed run exits 1 with the failure type and the last status', async () => {
    h.sim.addTenant(tenant('CliFail1'));
    expect((await cli(startArgs('CliFail1', 'eu', ['--hostname', 'other.eu.qlikcloud.com']), vars)).code).toBe(0);
    const json = await cli(['result', 'CliFail1', '--json'], vars);
    expect(json.code).toBe(1);
    const ended = JSON.parse(json.stdout);
    expect(ended).toMatchObject({
      runStatus: 'Failed',
      failure: { type: 'HostnameMismatch' },
      status: { phase: 'failed', lastError: { type: 'HostnameMismatch', httpStatus: 412 } },
    });
    const human = await cli(['result', 'CliFail1'], vars);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/ended Failed with HostnameMismatch/);
    expect(human.stdout).toMatch(/Last status:/);
  });

  it('refuses to start after a Completed run without --restart (exit 1), and restarts with it', async () => {
    h.sim.addTenant(tenant('CliDry1'));
    const args = startArgs('CliDry1', 'eu', ['--dry-run', '--json']);
    expect((await cli(args, vars)).code).toBe(0);
    expect((await cli(['result', 'CliDry1', '--dry-run'], vars)).stdout).toMatch(/outcome dry-run-ok/);
    const refused = await cli(args, vars);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already completed.*--restart/);
    const restarted = await cli([...args, '--restart'], vars);
    expect(restarted.code).toBe(0);
    expect(JSON.parse(restarted.stdout)).toMatchObject({ workflowId: workflowIdFor('CliDry1', true), started: true });
  });

  it('exits 2 on unknown flags, missing arguments and unknown commands', async () => {
    const unknown = await cli(['status', 'CliJoin1', '--colour'], vars);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--colour'/);
    expect((await cli(['status'], vars)).code).toBe(2);
    expect((await cli(['frobnicate'], vars)).code).toBe(2);
    const help = await cli(['cancel', '--help'], vars);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: qlik-offboard cancel <tenant-id>/);
  });
});

describe('qlik-offboard bulk', () => {
  it('lists every bad row with its line number, field and rule, and starts nothing', async () => {
    const file = writeFile(
      'bad.csv',
      [
        'tenantId,hostname,region,purgeAfterDays,reason',
        `BulkOk1,${hostnameOf('BulkOk1')},eu,30,fine`,
        `BulkBad1,${hostnameOf('BulkBad1')},EU,30,upper-case region`,
        `BulkOk2,${hostnameOf('BulkOk2')},eu,,"a reason, with a comma"`,
        `BulkBad2,https://x.eu.qlikcloud.com,eu,9,two problems`,
        `BulkOk1,${hostnameOf('BulkOk1')},eu,30,duplicate`,
      ].join('\n'),
    );
    const run = await cli(['bulk', file], vars);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/line 3 \(BulkBad1\): region: must be a Qlik region code/);
    expect(run.stderr).toMatch(/line 5 \(BulkBad2\): hostname: must be a DNS name/);
    expect(run.stderr).toMatch(/line 5 \(BulkBad2\): purgeAfterDays: must be a whole number from 10 to 90 \(got 9\)/);
    expect(run.stderr).toMatch(/line 6 \(BulkOk1\): tenantId: appears again \(first on line 2\)/);
    expect(run.stderr).toMatch(/nothing was started/);
    for (const id of ['BulkOk1', 'BulkOk2']) {
      expect((await cli(['status', id], vars)).code).toBe(3);
      expect(requestsFor(id)).toEqual([]);
    }
  });

  it('starts every row, and a re-run starts nothing new and reports them as already running', async () => {
    const ids = ['BulkRun1', 'BulkRun2', 'BulkRun3'];
    for (const id of ids) h.sim.addTenant(tenant(id));
    const file = writeFile(
      'run.jsonl',
      ids
        .map((id) => JSON.stringify({ tenantId: id, hostname: hostnameOf(id), region: 'eu', purgeAfterDays: 90 }))
        .join('\n') + '\n',
    );
    const t0 = Date.now();
    const first = await cli(['bulk', file, '--rate', '5'], vars);
    // At 5 per second the third start waits until 400 ms after the first.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/line 1 BulkRun1: started offboard-tenant-BulkRun1/);
    expect(first.stdout).toMatch(/Summary: 3 started, 0 already running, 0 refused/);

    const again = await cli(['bulk', file, '--json'], vars);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary.started).toEqual([]);
    expect(summary.alreadyRunning.map((r: { tenantId: string }) => r.tenantId)).toEqual(ids);
    expect(summary.refused).toEqual([]);
    // Each run deactivates once, when the region's rate-limited register queue lets it: on a loaded machine that
    // can be after the re-run has ended.
    for (const id of ids) {
      const deactivates = () => requestsFor(id).filter((r) => r.route === 'deactivate');
      await waitFor(`${id}'s deactivate`, () => deactivates().length > 0, 10_000);
      expect(deactivates()).toHaveLength(1);
    }
  });

  it('with --skip-invalid starts the valid rows, lists the skipped ones, and shows a progress bar on a TTY', async () => {
    h.sim.addTenant(tenant('BulkSkip1'));
    const file = writeFile(
      'skip.csv',
      [
        'tenantId,hostname,region,dryRun',
        `BulkSkip1,${hostnameOf('BulkSkip1')},eu,true`,
        'bad id!,x.eu.qlikcloud.com,eu,',
      ].join('\r\n'),
    );
    const run = await cli(['bulk', file, '--skip-invalid'], vars, { tty: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipping 1 bad row\(s\)/);
    expect(run.stderr).toMatch(/line 3 \(bad id!\): tenantId: must be 1-64 characters/);
    expect(run.stdout).toMatch(/\r\[#+\] 1\/1 {2}started 1/);
    expect(run.stdout).toMatch(/1 bad row\(s\) skipped/);
    expect((await cli(['result', 'BulkSkip1', '--dry-run', '--json'], vars)).code).toBe(0);
  });
});

describe('qlik-offboard list, report, watch', () => {
  const who = `list-test-${process.pid}`;

  beforeAll(async () => {
    h.sim.addTenant(tenant('ListEu1'));
    h.sim.addTenant(tenant('ListUs1', 'us'));
    h.sim.addTenant(tenant('ListFail1'));
    h.sim.addTenant(tenant('ListDone1'));
    const by = ['--requested-by', who, '--reason', 'list test'];
    expect((await cli(startArgs('ListEu1', 'eu', ['--purge-after-days', '90', ...by]), vars)).code).toBe(0);
    expect((await cli(startArgs('ListUs1', 'us', ['--purge-after-days', '90', ...by]), vars)).code).toBe(0);
    expect((await cli(startArgs('ListFail1', 'eu', ['--hostname', 'nope.eu.qlikcloud.com', ...by]), vars)).code).toBe(
      0,
    );
    expect((await cli(startArgs('ListDone1', 'eu', ['--purge-after-days', '10', ...by]), vars)).code).toBe(0);
    await untilPhase('ListEu1', 'grace-period');
    await untilPhase('ListUs1', 'grace-period');
    expect((await cli(['result', 'ListFail1'], vars)).code).toBe(1);
    expect((await cli(['result', 'ListDone1'], vars)).code).toBe(0);
  }, 30_000);

  /** `list … --json` until it returns `expected` tenants (visibility lags a little). */
  async function listed(args: string[], expected: string[]): Promise<OffboardingRun[]> {
    return eventually(
      async () => {
        const run = await cli(['list', ...args, '--requested-by', who, '--json'], vars);
        expect(run.code).toBe(0);
        const runs = JSON.parse(run.stdout) as OffboardingRun[];
        const ids = runs.map((r) => r.tenantId).sort();
        return JSON.stringify(ids) === JSON.stringify([...expected].sort()) ? runs : undefined;
      },
      `list ${args.join(' ')} → ${expected.join(',')}`,
    );
  }

  it('filters on the search attributes: requested by, region, phase, failed, purge date', async () => {
    await listed([], ['ListDone1', 'ListEu1', 'ListFail1', 'ListUs1']);
    const us = await listed(['--region', 'us'], ['ListUs1']);
    expect(us[0]).toMatchObject({ region: 'us', phase: 'grace-period', runStatus: 'RUNNING', requestedBy: who });
    await listed(['--phase', 'grace-period'], ['ListEu1', 'ListUs1']);
    await listed(['--failed'], ['ListFail1']);
    await listed(['--running'], ['ListEu1', 'ListUs1']);
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    await listed(['--purging-before', inAYear], ['ListDone1', 'ListEu1', 'ListUs1']);
    await listed(['--purging-after', inAYear], []);
    await listed(['--overdue'], []);

    const table = await cli(['list', '--requested-by', who, '--region', 'us'], vars);
    expect(table.stdout).toMatch(/^TENANT\s+REGION\s+RUN\s+PHASE/);
    expect(table.stdout).toMatch(/ListUs1\s+us\s+running\s+grace-period/);
    const bad = await cli(['list', '--phase', 'sleeping'], vars);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--phase: must be one of scheduled, validating/);
  });

  it('report lists the closed runs of the window with their final details', async () => {
    const rows = await eventually(async () => {
      const run = await cli(['report', '--since', testStart, '--format', 'json'], vars);
      expect(run.code).toBe(0);
      const all = JSON.parse(run.stdout) as ReportRow[];
      const mine = all.filter((r) => r.requestedBy === who);
      return mine.length === 2 ? mine : undefined;
    }, 'two closed runs in the report');
    const done = rows.find((r) => r.tenantId === 'ListDone1')!;
    expect(done).toMatchObject({
      region: 'eu',
      runStatus: 'Completed',
      outcome: 'purged',
      deactivated: true,
      reason: 'list test',
    });
    expect(done.purgeConfirmedAt).toEqual(expect.any(String));
    expect(done.estimatedPurgeDate).toEqual(expect.any(String));
    const failed = rows.find((r) => r.tenantId === 'ListFail1')!;
    expect(failed).toMatchObject({ runStatus: 'Failed', failureType: 'HostnameMismatch', deactivated: false });

    const csvRun = await cli(['report', '--since', testStart, '--format', 'csv'], vars);
    expect(csvRun.stdout.split('\r\n')[0]).toBe(
      'tenant,region,run,outcome,deactivated,purge date,purge confirmed,requested by,reason,closed,dry run,workflow id',
    );
    expect(csvRun.stdout).toMatch(/ListDone1,eu,Completed,purged,yes,/);
    expect((await cli(['report', '--since', 'yesterday'], vars)).code).toBe(2);
  });

  it('watch follows a run through its phases to the end', async () => {
    h.sim.addTenant(tenant('Watch1'));
    expect((await cli(startArgs('Watch1', 'eu', ['--purge-after-days', '10']), vars)).code).toBe(0);
    const run = await cli(['watch', 'Watch1', '--interval', '100ms'], vars);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/grace-period {2}next: waits for the purge date .*; purge date \S+ \(in /);
    expect(run.stdout).toMatch(/completed \(purged\)/);
    expect(run.stdout).toMatch(/The offboarding ended Completed: outcome purged/);

    const json = await cli(['watch', 'Watch1', '--json', '--interval', '100ms'], vars);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toEqual({ end: 'Completed', outcome: 'purged' });
    expect((await cli(['watch', 'NoSuchTenant2', '--interval', '100ms'], vars)).code).toBe(3);
    expect((await cli(['watch', 'Watch1', '--interval', '1ms'], vars)).code).toBe(2);
  });
});

describe('the built program', () => {
  const main = path.join(ROOT, 'dist', 'src', 'client', 'cli', 'main.js');
  const built = existsSync(main);
  if (!built) {
    console.warn(
      `skipping the spawn test of bin/qlik-offboard.js: ${main} is missing (npm ci or npm run build makes it)`,
    );
  }
  (built ? it : it.skip)('bin/qlik-offboard.js --help prints the commands and exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      path.join(ROOT, 'bin', 'qlik-offboard.js'),
      '--help',
    ]);
    expect(stdout).toMatch(/Usage: qlik-offboard <command>/);
    for (const verb of ['start', 'status', 'cancel', 'reactivate', 'result', 'bulk', 'list', 'watch', 'report']) {
      expect(stdout).toContain(`  ${verb}`);
    }
  });
});
