/**
 * The emergency stop's verbs (`stop`, `resume`, `stops`) and `cancel` on a selection (`--file`, `--requested-by`
 * with `--region`), run in-process through `runCli` against a real dev server and the product's workers: the
 * listing, the confirmation (a terminal, `--yes`, or nothing is sent), bad files refused by line, the per-run results
 * and exit codes; and, through the library, that a selection acts on the runs it listed only — a run started later
 * is not touched, one that continued as new is followed to the run it handed over to.
 *
 * The offboardings wait for a `notBefore` an hour ahead (phase `scheduled`), so that nothing is deactivated and a
 * cancel makes no call at all.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  cancelOffboarding,
  getOffboardingResult,
  getOffboardingStatus,
  listStops,
  listOffboardings,
  startOffboarding,
} from '../../src/client';
import { selectTenants } from '../../src/client/selection';
import { steerRuns } from '../../src/client/steer-runs';
import type { OffboardingStatus } from '../../src/shared/contract';
import { controlsWorkflowIdFor } from '../../src/shared/stops';
import { tenant } from '../../harness/simulator';
import { waitFor, waitForPhase } from '../../harness/wait';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { cli, cliEnv, eventually, inputFor } from '../support/cli';

let env: TestWorkflowEnvironment;
let h: Harness;
let vars: Record<string, string>;
const { EventType } = temporal.api.enums.v1;
const dir = mkdtempSync(path.join(tmpdir(), 'qlik-offboard-stop-'));
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  ({ env, h } = await startLocalHarness());
  await h.startWorkers();
  vars = cliEnv(env, h);
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

function writeFile(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Starts scheduled offboardings of `ids` (region and requester as given) and waits until visibility lists them. */
async function startScheduled(ids: string[], region: string, requestedBy: string): Promise<void> {
  for (const id of ids) {
    h.sim.addTenant(tenant(id, region));
    await startOffboarding(h.client, inputFor(id, { region, requestedBy, notBefore: inAnHour() }), {
      taskQueue: h.taskQueue,
    });
  }
  await eventually(
    async () => {
      const runs = await listOffboardings(h.client, { requestedBy, region, phase: 'scheduled', running: true });
      return ids.every((id) => runs.some((r) => r.tenantId === id)) ? true : undefined;
    },
    `${ids.join(', ')} listed in phase scheduled`,
  );
}

/** No cancel or reactivate reached the run: still scheduled, no decision, no call to Qlik. */
async function untouched(id: string): Promise<void> {
  const status = await getOffboardingStatus(h.client, id);
  expect({ id, phase: status.phase, decidedBy: status.decidedBy }).toEqual({
    id,
    phase: 'scheduled',
    decidedBy: undefined,
  });
  expect(h.sim.requests().filter((r) => r.tenantId === id && r.route !== 'token')).toEqual([]);
}

async function cancelledWithoutCall(id: string, by: string): Promise<void> {
  const result = await getOffboardingResult(h.client, id);
  expect({ id, outcome: result.outcome, by: result.decidedBy?.requestedBy }).toEqual({ id, outcome: 'cancelled', by });
  expect(
    h.sim.requests().filter((r) => r.tenantId === id && (r.route === 'deactivate' || r.route === 'reactivate')),
  ).toEqual([]);
}

describe('qlik-offboard stop, resume, stops', () => {
  it('refuses bad input naming the field, the rule and the flag, and sends nothing', async () => {
    const run = await cli(['stop', '--region', 'EU', '--by', 'alice'], vars);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nothing was sent/);
    expect(run.stderr).toMatch(
      /region: must be a Qlik region code of lower-case letters only, such as eu or us \[--region\]/,
    );
    expect(run.stderr).toMatch(/reason: is required \[--reason\]/);
    const none = await cli(['stop', '--reason', 'x', '--by', 'alice', '--json'], vars);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stderr).error).toMatchObject({
      code: 'InvalidInput',
      problems: [{ field: 'region, requestedBy', rule: expect.stringMatching(/^at least one is required/) }],
    });
    expect((await cli(['resume', '--region', 'eu'], vars)).stderr).toMatch(/by: is required \[--by\]/);
    // Not even the registry was started.
    await expect(h.client.workflow.getHandle(controlsWorkflowIdFor(h.taskQueue)).describe()).rejects.toThrow(
      /not found/i,
    );
  });

  it('stop prints what is stopped and how many deactivations it holds; stops lists it; resume lifts it', async () => {
    const who = `stop-cli-${process.pid}`;
    await startScheduled(['StopEu1', 'StopEu2'], 'eu', who);
    await startScheduled(['StopUs1'], 'us', who);

    const stopped = await cli(
      ['stop', '--region', 'eu', '--reason', 'the file was wrong', '--by', 'alice', '--json'],
      vars,
    );
    expect(stopped.code).toBe(0);
    const { stop, notYetSent } = JSON.parse(stopped.stdout);
    expect(stop).toEqual({
      id: expect.any(String),
      region: 'eu',
      reason: 'the file was wrong',
      by: 'alice',
      at: expect.any(String),
    });
    // At least the two of this test; other tests' eu runs may still be open.
    expect(notYetSent).toBeGreaterThanOrEqual(2);

    const again = await cli(['stop', '--region', 'eu', '--reason', 'again', '--by', 'bob'], vars);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Stopped: region eu — since ${stop.at}, by alice: the file was wrong`);
    expect(again.stdout).toMatch(/It holds the deactivations not sent yet of \d+ open offboardings/);
    expect(again.stdout).toContain('Lift it with: qlik-offboard resume --region eu --by WHO');

    const byRequester = await cli(
      ['stop', '--requested-by', who, '--region', 'us', '--reason', 'us too', '--by', 'alice', '--json'],
      vars,
    );
    expect(JSON.parse(byRequester.stdout).notYetSent).toBe(1);

    const listed = await cli(['stops', '--json'], vars);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { ...stop, notYetSent },
      expect.objectContaining({ region: 'us', requestedBy: who, by: 'alice', notYetSent: 1 }),
    ]);
    const table = (await cli(['stops'], vars)).stdout;
    expect(table).toMatch(/^REGION +REQUESTED BY +HOLDS +SINCE +BY +REASON$/m);
    expect(table).toMatch(new RegExp(`^us +${who} +1 +\\S+ +alice +us too$`, 'm'));

    const unknown = await cli(['resume', '--requested-by', who, '--by', 'alice'], vars);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no stop of requested by "${who}" is in force`);
    expect(unknown.stderr).toContain(`in force: region eu; region us, requested by "${who}"`);

    const resumed = await cli(['resume', '--region', 'eu', '--by', 'alice', '--reason', 'fixed', '--json'], vars);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({ resumed: stop, notYetSent: expect.any(Number) });
    const human = await cli(['resume', '--region', 'us', '--requested-by', who, '--by', 'alice'], vars);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`^Resumed: region us, requested by "${who}" \\(stopped since .* by alice: us too\\)$`, 'm'),
    );
    expect((await cli(['stops'], vars)).stdout).toBe('No stops in force: deactivations are sent as they come.\n');
    expect(await listStops(h.client, { taskQueue: h.taskQueue })).toEqual([]);
  });
});

describe('qlik-offboard cancel on a selection', () => {
  it('--file: a bad line is reported with its number and nothing is sent', async () => {
    await startScheduled(['FileBad1', 'FileBad2'], 'eu', 'file-bad');
    const file = writeFile(
      'bad.txt',
      [
        '# tenants of the wrong batch',
        'FileBad1',
        '',
        'bad id!',
        'FileBad2  # trailing note',
        'FileBad1,acme.eu.qlikcloud.com',
      ].join('\n'),
    );
    const run = await cli(['cancel', '--file', file, '--by', 'alice', '--yes'], vars);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--file ${file}: 2 bad lines; nothing was sent:`);
    expect(run.stderr).toContain(
      'line 4: "bad id!" is not a tenant ID: must be 1-64 characters of A-Z a-z 0-9 _ - (one ID per line, nothing else on it)',
    );
    expect(run.stderr).toMatch(/line 6: "FileBad1,acme\.eu\.qlikcloud\.com" is not a tenant ID/);
    await untouched('FileBad1');
    await untouched('FileBad2');
  });

  it('--file without a terminal and without --yes lists the runs and sends nothing; a terminal asks', async () => {
    await startScheduled(['FileAsk1', 'FileAsk2'], 'eu', 'file-ask');
    const file = writeFile('ask.txt', 'FileAsk1\nFileAsk2\n');

    const noTerminal = await cli(['cancel', '--file', file, '--by', 'alice'], vars);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stdout).toMatch(/^cancel: 2 open runs among the tenants of .*ask\.txt:$/m);
    expect(noTerminal.stdout).toMatch(/^FileAsk1 +eu +scheduled +file-ask +offboard-tenant-FileAsk1 +[0-9a-f-]{36}$/m);
    expect(noTerminal.stderr).toMatch(
      /not on a terminal, so nobody can confirm: add --yes to cancel the 2 runs listed; nothing was sent/,
    );

    const declined = await cli(['cancel', '--file', file, '--by', 'alice'], vars, { answer: 'n\n' });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('Cancel the 2 runs listed above, and only those? [y/N]');
    expect(declined.stdout).toContain('Not confirmed; nothing was sent.');
    await untouched('FileAsk1');
    await untouched('FileAsk2');

    const confirmed = await cli(['cancel', '--file', file, '--by', 'alice', '--reason', 'wrong file'], vars, {
      answer: 'yes\n',
    });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toMatch(/^recorded +FileAsk1 +run [0-9a-f-]{36}, phase scheduled$/m);
    expect(confirmed.stdout).toMatch(/^cancel: 2 recorded \(of 2\)\.$/m);
    await cancelledWithoutCall('FileAsk1', 'alice');
    await cancelledWithoutCall('FileAsk2', 'alice');
  });

  it('--file --json: a JSON array with a result per run, and for the tenants with nothing to act on (exit 1)', async () => {
    await startScheduled(['FileJson1'], 'eu', 'file-json');
    const file = writeFile('json.txt', 'FileJson1\nFileAsk1\nNoSuchTenant1\nFileJson1\n');
    const run = await cli(['cancel', '--file', file, '--by', 'alice', '--yes', '--json'], vars);
    expect(run.code).toBe(1);
    const results = JSON.parse(run.stdout);
    expect(results).toEqual([
      {
        tenantId: 'FileJson1',
        workflowId: 'offboard-tenant-FileJson1',
        runId: expect.any(String),
        actedOnRunId: expect.any(String),
        result: 'recorded',
        phase: 'scheduled',
      },
      expect.objectContaining({ tenantId: 'FileAsk1', result: 'finished', reason: 'the run ended completed' }),
      {
        tenantId: 'NoSuchTenant1',
        workflowId: 'offboard-tenant-NoSuchTenant1',
        result: 'no-offboarding',
        reason: 'no offboarding for this tenant',
      },
    ]);
    expect(results[0].actedOnRunId).toBe(results[0].runId);
    expect(run.stderr).toContain('note: line 4 repeats FileJson1 (line 1); it is acted on once');
    // The listing went to stderr: stdout is the array alone.
    expect(run.stderr).toMatch(/cancel: 1 open run among the tenants of/);
    await cancelledWithoutCall('FileJson1', 'alice');
  });

  it('--requested-by X --region R cancels the open offboardings of X in R, and nothing else', async () => {
    const who = `query-${process.pid}`;
    await startScheduled(['QueryEu1', 'QueryEu2'], 'eu', who);
    await startScheduled(['QueryUs1'], 'us', who);
    await startScheduled(['QueryOther1'], 'eu', `${who}-other`);
    const run = await cli(['cancel', '--requested-by', who, '--region', 'eu', '--by', 'ops', '--yes', '--json'], vars);
    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as Array<{ tenantId: string; result: string }>;
    expect(results.map((r) => [r.tenantId, r.result]).sort()).toEqual([
      ['QueryEu1', 'recorded'],
      ['QueryEu2', 'recorded'],
    ]);
    await cancelledWithoutCall('QueryEu1', 'ops');
    await cancelledWithoutCall('QueryEu2', 'ops');
    await untouched('QueryUs1');
    await untouched('QueryOther1');

    const none = await cli(['cancel', '--requested-by', `${who}-nobody`, '--by', 'ops', '--yes'], vars);
    expect(none.code).toBe(3);
    expect(none.stdout).toMatch(/no open run among the open offboardings requested by/);
  });

  it('refuses mixes that could be misread, before connecting', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['cancel', 'T1', '--file', 'x'], /give one tenant ID or --file FILE, not both/],
      [
        ['cancel', 'T1', '--region', 'eu'],
        /--region and --phase narrow a --requested-by selection; not with a tenant ID/,
      ],
      [['cancel', '--file', 'x', '--requested-by', 'crm', '--by', 'a'], /--file selects by tenant ID/],
      [['cancel', '--region', 'eu', '--by', 'a'], /add --requested-by WHO/],
      [['cancel'], /give a tenant ID, --file FILE, or --requested-by WHO/],
      [['cancel', '--requested-by', 'crm'], /a selection needs --by WHO: who asks for the cancel/],
      [['cancel', '--requested-by', 'crm', '--by', 'a', '--wait'], /--wait works with one tenant ID/],
      [['reactivate', '--requested-by', 'crm', '--by', 'a', '--phase', 'nap'], /--phase: must be one of/],
      [['cancel', '--file', path.join(dir, 'missing.txt'), '--by', 'a'], /--file: cannot read .*ENOENT/],
    ];
    for (const [argv, message] of cases) {
      const run = await cli(argv, { ...vars, TEMPORAL_ADDRESS: '127.0.0.1:1' });
      expect({ argv, code: run.code, stderr: run.stderr }).toEqual({
        argv,
        code: 2,
        stderr: expect.stringMatching(message),
      });
    }
  });
});

describe('a selection acts on the runs it listed', () => {
  it('does not touch a run started after the listing', async () => {
    await startScheduled(['PinNew1'], 'eu', 'pin');
    const selection = await selectTenants(h.client, ['PinNew1']);
    const listed = selection.runs[0]!;
    // Meanwhile the listed run ends, and a new offboarding of the tenant starts.
    await cancelOffboarding(h.client, 'PinNew1', { requestedBy: 'someone else' });
    await getOffboardingResult(h.client, 'PinNew1');
    const restarted = await startOffboarding(h.client, inputFor('PinNew1', { notBefore: inAnHour() }), {
      taskQueue: h.taskQueue,
      restart: true,
    });
    expect(restarted.runId).not.toBe(listed.runId);

    const [result] = await steerRuns(h.client, selection.runs, 'cancel', { requestedBy: 'alice' });
    expect(result).toEqual({
      tenantId: 'PinNew1',
      workflowId: 'offboard-tenant-PinNew1',
      runId: listed.runId,
      result: 'finished',
      reason: 'the run ended completed',
    });
    await waitForPhase(h.client, restarted.workflowId, 'scheduled', 10_000);
    await untouched('PinNew1');
  });

  it('follows a run that continued as new to the run it handed over to', async () => {
    // A run that starts now records a bound of 12 history events: a scheduled run has 7, and each signal adds 4.
    h.config.historyBounds = { events: 12, bytes: 1024 * 1024 };
    try {
      await startScheduled(['PinCan1'], 'eu', 'pin');
      // The settings are read by the run's first workflow task (a local activity: a marker in the history).
      await waitFor(
        'PinCan1 to record its settings',
        async () => {
          const history = await h.client.workflow.getHandle('offboard-tenant-PinCan1').fetchHistory();
          return (history.events ?? []).some((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED);
        },
        10_000,
      );
    } finally {
      h.config.historyBounds = undefined;
    }
    const selection = await selectTenants(h.client, ['PinCan1']);
    const listed = selection.runs[0]!;
    const first = h.client.workflow.getHandle(listed.workflowId, listed.runId, { followRuns: false });
    // Signals no handler takes grow the history without deciding anything, until the run hands over.
    await waitFor(
      'the listed run to continue as new',
      async () => {
        const { status } = await first.describe();
        if (status.name === 'CONTINUED_AS_NEW') return true;
        await first.signal('grow-the-history').catch(() => undefined);
        return false;
      },
      20_000,
      300,
    );
    const current = (await h.client.workflow.getHandle(listed.workflowId).describe()).runId;
    expect(current).not.toBe(listed.runId);

    const [result] = await steerRuns(h.client, selection.runs, 'cancel', { requestedBy: 'alice' });
    expect(result).toMatchObject({
      runId: listed.runId,
      actedOnRunId: current,
      followed: [current],
      result: 'recorded',
      phase: 'scheduled',
    });
    const final: OffboardingStatus = await getOffboardingResult(h.client, 'PinCan1');
    expect(final).toMatchObject({ outcome: 'cancelled', decidedBy: { message: 'cancel', requestedBy: 'alice' } });
  });
});
