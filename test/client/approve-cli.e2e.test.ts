/**
 * `qlik-offboard approve` ("[4 of 4]", four-eyes approval) end to end, in-process through `runCli`, against a dev
 * server, the product's workers under `OFFBOARD_APPROVAL=required` and the simulator: one tenant with its exit codes
 * and `--json`; `--all`, which lists exactly what it will approve, asks on a terminal (or takes `--yes`, and without
 * either refuses), and approves exactly the runs it listed; `list --phase awaiting-approval`; and `bulk`, which names
 * the rows that lack the requester such workers need.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OffboardingRun } from '../../src/client';
import type { Input } from '../../src/client/cli/io';
import { workflowIdFor, type OffboardingStatus } from '../../src/shared/contract';
import { hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { cli, cliEnv, eventually } from '../support/cli';

let env: TestWorkflowEnvironment;
let h: Harness;
let vars: Record<string, string>;
const dir = mkdtempSync(path.join(tmpdir(), 'qlik-offboard-approve-'));

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({ env: { OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: '10m' } }));
  await h.startWorkers();
  vars = cliEnv(env, h);
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

/** Starts tenant `id`'s offboarding through the CLI (exit 0 expected). */
async function startTenant(id: string, extra: string[]): Promise<void> {
  h.sim.addTenant(tenant(id));
  const args = ['start', '--tenant-id', id, '--hostname', hostnameOf(id), '--region', 'eu', ...extra];
  const run = await cli(args, vars);
  if (run.code !== 0) throw new Error(`start ${id}: ${run.stderr}`);
}

async function statusOf(id: string, dryRun = false): Promise<OffboardingStatus> {
  const run = await cli(['status', id, '--json', ...(dryRun ? ['--dry-run'] : [])], vars);
  return JSON.parse(run.stdout) as OffboardingStatus;
}

async function untilPhase(id: string, phase: string): Promise<void> {
  await eventually(async () => ((await statusOf(id)).phase === phase ? true : undefined), `${id} in ${phase}`);
}

/** `list --requested-by who --json [args]` until it shows exactly `expected` (visibility lags a little). */
async function listed(who: string, args: string[], expected: string[]): Promise<OffboardingRun[]> {
  return eventually(
    async () => {
      const run = await cli(['list', '--requested-by', who, ...args, '--json'], vars);
      const runs = JSON.parse(run.stdout) as OffboardingRun[];
      const ids = runs.map((r) => r.tenantId).sort();
      return JSON.stringify(ids) === JSON.stringify([...expected].sort()) ? runs : undefined;
    },
    `list ${args.join(' ')} → ${expected.join(',')}`,
  );
}

function deactivates(id: string): number {
  return h.sim.requests().filter((r) => r.tenantId === id && r.route === 'deactivate').length;
}

/** A terminal that answers `answer`, after running `meanwhile` (what happens while the operator reads the list). */
function terminal(answer: string, meanwhile: () => Promise<void> = async () => {}): Input & { asked: number } {
  const input = {
    isTTY: true,
    asked: 0,
    async readLine() {
      input.asked++;
      await meanwhile();
      return answer;
    },
  };
  return input;
}

describe('qlik-offboard approve <tenant-id>', () => {
  it('records the approval (exit 0, --json prints the status) and the run then offboards', async () => {
    await startTenant('ApCli1', ['--purge-after-days', '10', '--requested-by', 'alice']);
    await untilPhase('ApCli1', 'awaiting-approval');
    expect(deactivates('ApCli1')).toBe(0);
    const human = await cli(['status', 'ApCli1'], vars);
    expect(human.stdout).toMatch(/next:\s+waits for an approval by someone other than the requester/);

    const run = await cli(['approve', 'ApCli1', '--approved-by', 'bob', '--reason', 'ticket 42', '--json'], vars);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).approval).toEqual({ approvedBy: 'bob', at: expect.any(String), reason: 'ticket 42' });
    const result = await cli(['result', 'ApCli1', '--json'], vars);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'purged', approval: { approvedBy: 'bob' } });
    expect(deactivates('ApCli1')).toBe(1);
    expect((await cli(['status', 'ApCli1'], vars)).stdout).toMatch(/approved by:\s+bob at \S+ \(ticket 42\)/);
  });

  it('exits 1 with the reason on self-approval; 2 on a blank or missing --approved-by (nothing sent); 3 without a run', async () => {
    await startTenant('ApCli2', ['--purge-after-days', '90', '--requested-by', 'alice']);
    await untilPhase('ApCli2', 'awaiting-approval');
    const self = await cli(['approve', 'ApCli2', '--approved-by', ' ALICE'], vars);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(
      /approval of tenant ApCli2 rejected: approvedBy: must be someone other than the run's requestedBy "alice"/,
    );
    const blank = await cli(['approve', 'ApCli2', '--approved-by', '   '], vars);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(
      /invalid input; nothing was sent:\n {2}approvedBy: must not be empty or only whitespace/,
    );
    const missing = await cli(['approve', 'ApCli2'], vars);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--approved-by: is required/);
    expect((await statusOf('ApCli2')).approval).toBeUndefined();
    const none = await cli(['approve', 'NoSuchApCli', '--approved-by', 'bob'], vars);
    expect(none.code).toBe(3);
    expect((await cli(['cancel', 'ApCli2'], vars)).code).toBe(0);
  });

  it('--help documents the verb; start --help says an approval-expired run needs --restart', async () => {
    const help = await cli(['approve', '--help'], vars);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: qlik-offboard approve <tenant-id> --approved-by WHO/);
    expect(help.stdout).toMatch(/Temporal's access control \(namespace\s+permissions, API keys, mTLS identities\)/);
    const start = await cli(['start', '--help'], vars);
    expect(start.stdout).toMatch(
      /approval-expired, a completed run: to offboard the tenant\s+after all, start it again with --restart/,
    );
    expect((await cli(['--help'], vars)).stdout).toMatch(/ {2}approve {2,}approve an offboarding/);
  });
});

describe('qlik-offboard approve --all --requested-by', () => {
  const who = `wave-${process.pid}`;
  const WAITING = ['ApAll1', 'ApAll2'];
  /** Listed, then cancelled while the operator reads the list: reported as not approved. */
  const GONE = 'ApAllGone';
  const SCHEDULED = 'ApAllSched';
  const OTHER = 'ApAllOther';

  beforeAll(async () => {
    for (const id of [...WAITING, GONE]) await startTenant(id, ['--purge-after-days', '10', '--requested-by', who]);
    const notBefore = new Date(Date.now() + 5 * 60_000).toISOString();
    await startTenant(SCHEDULED, ['--purge-after-days', '10', '--requested-by', who, '--not-before', notBefore]);
    // Someone else's request, and a dry run of the same requester: neither is listed.
    await startTenant(OTHER, ['--purge-after-days', '10', '--requested-by', `${who}-other`]);
    await startTenant('ApAllDry', ['--dry-run', '--requested-by', who]);
    for (const id of [...WAITING, GONE, OTHER]) await untilPhase(id, 'awaiting-approval');
    await untilPhase(SCHEDULED, 'scheduled');
    await listed(who, ['--phase', 'awaiting-approval'], [...WAITING, GONE]);
    await listed(who, ['--phase', 'scheduled'], [SCHEDULED]);
  }, 60_000);

  afterAll(async () => {
    for (const id of [SCHEDULED, OTHER]) await cli(['cancel', id], vars);
  });

  it('list --phase awaiting-approval shows the runs that wait, with their phase', async () => {
    const table = await cli(['list', '--requested-by', who, '--phase', 'awaiting-approval'], vars);
    expect(table.code).toBe(0);
    for (const id of WAITING) expect(table.stdout).toMatch(new RegExp(`${id}\\s+eu\\s+running\\s+awaiting-approval`));
  });

  it('refuses without a terminal and without --yes (exit 2), and bad combinations of flags; nothing approved', async () => {
    const noTerminal = await cli(['approve', '--all', '--requested-by', who, '--approved-by', 'bob'], vars);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toMatch(/--all asks for confirmation on a terminal, and there is none: pass --yes/);
    const self = await cli(
      ['approve', '--all', '--requested-by', who, '--approved-by', who.toUpperCase(), '--yes'],
      vars,
    );
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/--approved-by: must be someone other than --requested-by/);
    expect((await cli(['approve', 'ApAll1', '--all', '--approved-by', 'bob'], vars)).code).toBe(2);
    expect((await cli(['approve', '--all', '--approved-by', 'bob', '--yes'], vars)).stderr).toMatch(
      /--requested-by: is required with --all/,
    );
    for (const id of [...WAITING, GONE, SCHEDULED]) expect((await statusOf(id)).approval).toBeUndefined();
  });

  it('lists what it would approve and approves nothing when the answer is not yes (exit 1)', async () => {
    const stdin = terminal('n');
    const run = await cli(['approve', '--all', '--requested-by', who, '--approved-by', 'bob'], vars, { stdin });
    expect(stdin.asked).toBe(1);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/These 4 offboarding\(s\) requested by .* will be approved by bob:/);
    expect(run.stderr).toMatch(/Approve exactly these 4 run\(s\)\? Type yes to approve: Nothing was approved\./);
    for (const id of [...WAITING, GONE, SCHEDULED]) expect((await statusOf(id)).approval).toBeUndefined();
  });

  it('after yes approves exactly the runs it listed (workflow and run IDs), not one that came up meanwhile', async () => {
    const runIds = Object.fromEntries(
      await Promise.all(
        [...WAITING, GONE, SCHEDULED].map(async (id) => {
          const { stdout } = await cli(['list', '--requested-by', who, '--running', '--json'], vars);
          const run = (JSON.parse(stdout) as OffboardingRun[]).find((r) => r.tenantId === id)!;
          return [id, run.runId] as const;
        }),
      ),
    );
    const LATE = 'ApAllLate';
    // While the operator reads the list, another run of the same requester comes to await approval, and one of the
    // listed runs is cancelled.
    const stdin = terminal('yes', async () => {
      expect((await cli(['cancel', GONE], vars)).code).toBe(0);
      await untilPhase(GONE, 'completed');
      await startTenant(LATE, ['--purge-after-days', '10', '--requested-by', who]);
      await untilPhase(LATE, 'awaiting-approval');
      await listed(who, ['--phase', 'awaiting-approval'], [...WAITING, LATE]);
    });
    const run = await cli(['approve', '--all', '--requested-by', who, '--approved-by', 'bob', '--json'], vars, {
      stdin,
    });
    // One listed run could not be approved: exit 1.
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as {
      listed: Array<{ tenantId: string; workflowId: string; runId: string; phase: string }>;
      approved: Array<{ tenantId: string; workflowId: string; runId: string }>;
      rejected: Array<{ tenantId: string; workflowId: string; runId: string; reason: string }>;
    };
    const expected = [...WAITING, SCHEDULED].map((id) => ({
      tenantId: id,
      workflowId: workflowIdFor(id),
      runId: runIds[id],
    }));
    const byTenant = <T extends { tenantId: string }>(rows: T[]) =>
      [...rows].sort((a, b) => a.tenantId.localeCompare(b.tenantId));
    const gone = { tenantId: GONE, workflowId: workflowIdFor(GONE), runId: runIds[GONE] };
    expect(byTenant(summary.listed)).toEqual(
      byTenant(
        [...expected, gone].map((r) => ({
          ...r,
          phase: r.tenantId === SCHEDULED ? 'scheduled' : 'awaiting-approval',
        })),
      ),
    );
    expect(byTenant(summary.approved)).toEqual(byTenant(expected));
    expect(summary.rejected).toEqual([
      {
        ...gone,
        reason: `run ${runIds[GONE]} is no longer open (it ended or continued as new since it was listed)`,
      },
    ]);
    // The list went to stderr (stdout is only the JSON), with the workflow and run IDs.
    for (const row of expected) expect(run.stderr).toContain(row.runId);

    for (const id of [...WAITING, SCHEDULED]) expect((await statusOf(id)).approval?.approvedBy).toBe('bob');
    expect((await statusOf(LATE)).approval).toBeUndefined();
    expect((await statusOf(OTHER)).approval).toBeUndefined();
    for (const id of WAITING) {
      const result = await cli(['result', id, '--json'], vars);
      expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'purged', approval: { approvedBy: 'bob' } });
    }
    expect((await cli(['cancel', LATE], vars)).code).toBe(0);
  });

  it('with nothing to approve says so and exits 0', async () => {
    const run = await cli(['approve', '--all', '--requested-by', `${who}-none`, '--approved-by', 'bob', '--yes'], vars);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/No open offboarding requested by .*-none is scheduled or awaiting approval/);
  });
});

describe('qlik-offboard bulk on workers that require approval', () => {
  it('names the started rows without requestedBy; such a run fails InvalidInput naming the field and the policy', async () => {
    for (const id of ['ApBulk1', 'ApBulk2']) h.sim.addTenant(tenant(id));
    const file = path.join(dir, 'wave.csv');
    writeFileSync(
      file,
      [
        'tenantId,hostname,region,purgeAfterDays,requestedBy',
        `ApBulk1,${hostnameOf('ApBulk1')},eu,90,crm`,
        `ApBulk2,${hostnameOf('ApBulk2')},eu,90,`,
      ].join('\n'),
    );
    const run = await cli(['bulk', file], vars);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Summary: 2 started/);
    expect(run.stdout).toMatch(
      /Note: 1 started row\(s\) have no requestedBy: line 3 \(ApBulk2\)\. On workers that require approval \(OFFBOARD_APPROVAL=required\) such a run fails InvalidInput before any call/,
    );
    const result = await cli(['result', 'ApBulk2', '--json'], vars);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      runStatus: 'Failed',
      failure: {
        type: 'InvalidInput',
        message: expect.stringMatching(
          /^requestedBy: is required while the workers require approval \(OFFBOARD_APPROVAL=required\)/,
        ),
      },
    });
    expect(h.sim.requests().filter((r) => r.tenantId === 'ApBulk2')).toEqual([]);
    await untilPhase('ApBulk1', 'awaiting-approval');
    expect((await cli(['cancel', 'ApBulk1'], vars)).code).toBe(0);
  });
});
