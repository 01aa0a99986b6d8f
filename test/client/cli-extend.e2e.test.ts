/**
 * `qlik-offboard extend` ("[4 of 4]", item 1) end to end: bad input is refused before anything is sent, the Update
 * answers `requested`, `--wait` waits for Qlik's answer, and a refusal by the workflow exits 1 with its reason.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { GraceExtension, OffboardingStatus } from '../../src/shared/contract';
import { tenant } from '../../harness/simulator';
import { waitForPhase } from '../../harness/wait';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { cli, cliEnv, eventually } from '../support/cli';
import { count, offboarding, start } from '../support/edges';

let env: TestWorkflowEnvironment;
let h: Harness;
let vars: Record<string, string>;

beforeAll(async () => {
  // Days of a second: a 30-day grace period lasts the test.
  ({ env, h } = await startLocalHarness({ sim: { dayMs: 1_000 } }));
  h.sim.addTenant(tenant('CliExt1'));
  await h.startWorkers();
  vars = cliEnv(env, h);
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

it('extend: bad input exits 2 naming the rule; --wait prints the applied extension; a second one too early exits 1', async () => {
  const handle = await start(h, offboarding('CliExt1', { purgeAfterDays: 30 }));
  await waitForPhase(h.client, handle.workflowId, 'grace-period', 30_000);

  const bad = await cli(['extend', 'CliExt1', '--purge-after-days', 'soon'], vars);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/purgeAfterDays: must be a whole number from 10 to 90 \(got string\)/);
  const missing = await cli(['extend', 'CliExt1', '--json'], vars);
  expect(missing.code).toBe(2);
  expect(JSON.parse(missing.stderr).error.code).toBe('InvalidInput');
  expect(count(h, 'CliExt1', 'deactivate')).toBe(1);

  const recorded = await cli(
    ['extend', 'CliExt1', '--purge-after-days', '60', '--reason', 'more time', '--json'],
    vars,
  );
  expect(recorded.code).toBe(0);
  expect((JSON.parse(recorded.stdout) as OffboardingStatus).extensions?.[0]).toEqual(
    expect.objectContaining({ state: 'requested', purgeAfterDays: 60, reason: 'more time' }),
  );
  await eventually(async () => {
    const { stdout } = await cli(['status', 'CliExt1', '--json'], vars);
    return (JSON.parse(stdout) as OffboardingStatus).extensions?.[0]?.state === 'applied' ? true : undefined;
  }, 'the first extension applied');
  const waited = await cli(['extend', 'CliExt1', '--purge-after-days', '90', '--wait', '--json'], vars);
  expect(waited.code).toBe(0);
  expect(JSON.parse(waited.stdout) as GraceExtension).toEqual(
    expect.objectContaining({ state: 'applied', purgeAfterDays: 90, estimatedPurgeDate: expect.any(String) }),
  );

  const tooEarly = await cli(['extend', 'CliExt1', '--purge-after-days', '10'], vars);
  expect(tooEarly.code).toBe(1);
  expect(tooEarly.stderr).toMatch(/extend of tenant CliExt1 rejected: .*earlier than the current purge date/);

  const help = await cli(['extend', '--help'], vars);
  expect(help.stdout).toMatch(/Usage: qlik-offboard extend <tenant-id> --purge-after-days N/);
  await cli(['cancel', 'CliExt1', '--reason', 'test over'], vars);
}, 120_000);
