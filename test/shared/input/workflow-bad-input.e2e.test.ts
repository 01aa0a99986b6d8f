/**
 * Bad input refused clearly, with nothing called: starts that bypass the client library and the CLI's checks (a raw
 * `client.workflow.start`, and `temporal workflow start --input` with bad JSON) reach the workflow itself, which
 * must refuse each one as a non-retryable `InvalidInput` failure whose message names the field and the rule, before
 * any request to Qlik. The client library and the qlik-offboard CLI refuse the same inputs earlier (test/client).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OffboardingStatus } from '../../../src/shared/contract';
import { temporalBinary } from '../../../harness/repo';
import { CLIENT_SECRETS, hostnameOf, tenant } from '../../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../../harness/workers';
import { captureWorkerLogs } from '../../support/captured-logs';
import { defineLeakScan } from '../../support/secrets';

const logs = captureWorkerLogs();
const execFileAsync = promisify(execFile);

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  ({ env, h } = await startLocalHarness());
  // A real tenant for the inputs that are valid but for one field: had anything been called, the log would show it.
  h.sim.addTenant(tenant('acme'));
  await h.startWorkers();
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

const valid = { tenantId: 'acme', hostname: hostnameOf('acme'), region: 'eu', purgeAfterDays: 30 };
const without = (field: keyof typeof valid) => {
  const copy: Record<string, unknown> = { ...valid };
  delete copy[field];
  return copy;
};
const daysAhead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** [what, raw input, field named in the message, the rule it states] */
const CASES: Array<[string, unknown, string, RegExp]> = [
  ['empty tenant ID', { ...valid, tenantId: '' }, 'tenantId', /1-64 characters/],
  ['65-character tenant ID', { ...valid, tenantId: 'a'.repeat(65) }, 'tenantId', /1-64 characters/],
  ['tenant ID with a space', { ...valid, tenantId: 'acme corp' }, 'tenantId', /A-Z a-z 0-9 _ -/],
  ['tenant ID with a path', { ...valid, tenantId: 'acme/../admin' }, 'tenantId', /A-Z a-z 0-9 _ -/],
  ['tenant ID with non-ASCII letters', { ...valid, tenantId: 'tenañt' }, 'tenantId', /A-Z a-z 0-9 _ -/],
  ['tenant ID with a NUL', { ...valid, tenantId: 'ac\u0000me' }, 'tenantId', /A-Z a-z 0-9 _ -/],
  ['hostname with a scheme', { ...valid, hostname: 'https://acme.eu.qlikcloud.com' }, 'hostname', /DNS name/],
  ['hostname with a port', { ...valid, hostname: 'acme.eu.qlikcloud.com:443' }, 'hostname', /DNS name/],
  ['hostname with a trailing dot', { ...valid, hostname: 'acme.eu.qlikcloud.com.' }, 'hostname', /trailing dot/],
  ['hostname with an underscore', { ...valid, hostname: 'ac_me.eu.qlikcloud.com' }, 'hostname', /DNS name/],
  ['hostname with a path', { ...valid, hostname: 'acme.eu.qlikcloud.com/api' }, 'hostname', /DNS name/],
  ['hostname that is an IP address', { ...valid, hostname: '10.0.0.1' }, 'hostname', /DNS name/],
  ['single-label hostname', { ...valid, hostname: 'localhost' }, 'hostname', /DNS name/],
  ['hostname outside the allowed suffixes', { ...valid, hostname: 'acme.example.com' }, 'hostname', /allowed suffix/],
  ['region in upper case', { ...valid, region: 'EU' }, 'region', /lower-case letters only/],
  ['region with a digit', { ...valid, region: 'eu1' }, 'region', /lower-case letters only/],
  ['empty region', { ...valid, region: '' }, 'region', /lower-case letters only/],
  ['purgeAfterDays 9', { ...valid, purgeAfterDays: 9 }, 'purgeAfterDays', /whole number from 10 to 90 \(got 9\)/],
  ['purgeAfterDays 91', { ...valid, purgeAfterDays: 91 }, 'purgeAfterDays', /from 10 to 90 \(got 91\)/],
  ['purgeAfterDays 30.5', { ...valid, purgeAfterDays: 30.5 }, 'purgeAfterDays', /whole number .*got 30\.5/],
  ['purgeAfterDays "30"', { ...valid, purgeAfterDays: '30' }, 'purgeAfterDays', /got string/],
  ['negative purgeAfterDays', { ...valid, purgeAfterDays: -30 }, 'purgeAfterDays', /got -30/],
  ['missing tenantId', without('tenantId'), 'tenantId', /is required/],
  ['missing hostname', without('hostname'), 'hostname', /is required/],
  ['missing region', without('region'), 'region', /is required/],
  ['unknown field', { ...valid, purgeAfter: 30 }, 'purgeAfter', /not a known field/],
  ['dryRun as a string', { ...valid, dryRun: 'yes' }, 'dryRun', /true or false \(got string\)/],
  ['tenantId as a number', { ...valid, tenantId: 42 }, 'tenantId', /must be a string \(got number\)/],
  ['null requestedBy', { ...valid, requestedBy: null }, 'requestedBy', /must not be null/],
  ['null purgeAfterDays', { ...valid, purgeAfterDays: null }, 'purgeAfterDays', /must not be null/],
  ['1 MB reason', { ...valid, reason: 'x'.repeat(1024 * 1024) }, 'reason', /at most 1000 characters/],
  ['201-character requestedBy', { ...valid, requestedBy: 'r'.repeat(201) }, 'requestedBy', /at most 200/],
  ['requestedBy with a newline', { ...valid, requestedBy: 'ops\nrm -rf' }, 'requestedBy', /control characters/],
  ['notBefore that is not a date', { ...valid, notBefore: 'tomorrow' }, 'notBefore', /ISO-8601/],
  ['notBefore 400 days ahead', { ...valid, notBefore: daysAhead(400) }, 'notBefore', /at most 366 days/],
  ['input that is a string', 'acme', '(input)', /JSON object \(got string\)/],
  ['input that is an array', [valid], '(input)', /JSON object \(got array\)/],
  ['input that is null', null, '(input)', /JSON object \(got null\)/],
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface Refusal {
  failure: ApplicationFailure;
  elapsedMs: number;
}

async function refusal(workflowId: string, args: unknown[]): Promise<Refusal> {
  const started = Date.now();
  const handle = await h.client.workflow.start('offboardTenant', { taskQueue: h.taskQueue, workflowId, args });
  const error = await handle.result().then(
    () => new Error('the run completed'),
    (e: unknown) => e,
  );
  if (!(error instanceof WorkflowFailedError) || !(error.cause instanceof ApplicationFailure)) throw error;
  return { failure: error.cause, elapsedMs: Date.now() - started };
}

function expectRefused({ failure, elapsedMs }: Refusal, field: string, rule: RegExp): void {
  expect(failure.type).toBe('InvalidInput');
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain(`${field}: `);
  expect(failure.message).toMatch(rule);
  expect((failure.details?.[0] as OffboardingStatus).phase).toBe('failed');
  expect(failure.message.length).toBeLessThan(2_000); // the 1 MB reason is not echoed back
  expect(elapsedMs).toBeLessThan(10_000);
  for (const secret of Object.values(CLIENT_SECRETS)) expect(failure.message).not.toContain(secret);
}

describe('raw starts with bad input (client.workflow.start, no library checks)', () => {
  it.each(CASES.map((c, i) => [i, ...c] as const))(
    '#%i %s: InvalidInput naming the field and the rule',
    async (i, _what, raw, field, rule) => {
      // Each case under its own tenant ID and the matching workflow ID, so that only the field under test is wrong.
      const tenantId = `bad-input-${i}`;
      const input = isRecord(raw) && raw.tenantId === valid.tenantId ? { ...raw, tenantId } : raw;
      expectRefused(await refusal(`offboard-tenant-${tenantId}`, [input]), field, rule);
    },
  );

  it('a valid input under another workflow ID is refused too (the ID is part of the contract)', async () => {
    expectRefused(await refusal('some-other-id', [valid]), 'workflow ID', /must be offboard-tenant-acme/);
  });

  it('no argument at all is refused', async () => {
    expectRefused(await refusal('offboard-tenant-no-args', []), '(input)', /JSON object \(got undefined\)/);
  });
});

describe('`temporal workflow start --input` with bad JSON', () => {
  const cli = (workflowId: string, input: string) =>
    execFileAsync(temporalBinary('cli'), [
      'workflow',
      'start',
      '--address',
      env.address,
      '--task-queue',
      h.taskQueue,
      '--type',
      'offboardTenant',
      '--workflow-id',
      workflowId,
      '--input',
      input,
    ]);

  const CLI_CASES: Array<[string, string, string, RegExp]> = [
    ['purgeAfterDays as a string', JSON.stringify({ ...valid, purgeAfterDays: '30' }), 'purgeAfterDays', /got string/],
    ['tenantId null', JSON.stringify({ ...valid, tenantId: null }), 'tenantId', /must not be null/],
    ['an extra field', JSON.stringify({ ...valid, force: true }), 'force', /not a known field/],
    ['a bare number', '42', '(input)', /JSON object \(got number\)/],
  ];

  it.each(CLI_CASES.map((c, i) => [i, ...c] as const))(
    '#%i %s: InvalidInput naming the field and the rule',
    async (i, _what, json, field, rule) => {
      const workflowId = `offboard-tenant-cli-bad-${i}`;
      const started = Date.now();
      await cli(workflowId, json);
      const error = await h.client.workflow
        .getHandle(workflowId)
        .result()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expectRefused(
        { failure: (error as WorkflowFailedError).cause as ApplicationFailure, elapsedMs: Date.now() - started },
        field,
        rule,
      );
    },
  );

  it('JSON that does not parse is refused by the CLI itself: no workflow starts', async () => {
    const workflowId = 'offboard-tenant-cli-unparsable';
    await expect(cli(workflowId, '{"tenantId": "acme",')).rejects.toThrow();
    await expect(h.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('nothing was called', () => {
  it('the simulator received no request at all for any refused input', () => {
    expect(h.sim.requests()).toEqual([]);
    expect(h.sim.tenant('acme')!.status).toBe('active');
  });
});

defineLeakScan(() => ({
  client: h.client,
  logLines: logs.lines(),
  requestLog: h.sim.requests(),
  secrets: Object.values(CLIENT_SECRETS),
}));
