/**
 * Bad input is refused before anything starts, by the library and by the CLI alike: each case names the field
 * and the rule (exit 2 for the CLI), and the simulator receives zero requests — the product's workers are
 * running, so anything that started would show up there.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { InvalidInputError, startOffboarding } from '../../../src/client';
import { WORKFLOW_TYPE } from '../../../src/shared/contract';
import { tenant } from '../../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../../harness/workers';
import { cli, cliEnv } from '../../support/cli';

let env: TestWorkflowEnvironment;
let h: Harness;
let vars: Record<string, string>;
const dir = mkdtempSync(path.join(tmpdir(), 'qlik-offboard-bad-'));

beforeAll(async () => {
  ({ env, h } = await startLocalHarness());
  h.sim.addTenant(tenant('BadIn'));
  await h.startWorkers();
  vars = cliEnv(env, h);
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

const VALID = { tenantId: 'BadIn', hostname: 'badin.eu.qlikcloud.com', region: 'eu' };
const MEGABYTE = 'x'.repeat(1024 * 1024);

interface BadCase {
  name: string;
  /** Changes to a valid input; `undefined` removes the field. */
  change: Record<string, unknown>;
  field: string;
  rule: RegExp;
  /** How the CLI gets it: as `start` flags, or (nulls, wrong types, unknown fields) as a bulk JSON Lines row. */
  via: 'flags' | 'jsonl';
}

const CASES: BadCase[] = [
  {
    name: 'empty tenant ID',
    change: { tenantId: '' },
    field: 'tenantId',
    rule: /1-64 characters of A-Z a-z 0-9 _ -/,
    via: 'flags',
  },
  {
    name: '65-character tenant ID',
    change: { tenantId: 'a'.repeat(65) },
    field: 'tenantId',
    rule: /1-64 characters/,
    via: 'flags',
  },
  {
    name: 'tenant ID with a slash',
    change: { tenantId: 'acme/../x' },
    field: 'tenantId',
    rule: /1-64 characters/,
    via: 'flags',
  },
  {
    name: 'tenant ID with a space',
    change: { tenantId: 'acme corp' },
    field: 'tenantId',
    rule: /1-64 characters/,
    via: 'flags',
  },
  {
    name: 'hostname with a scheme',
    change: { hostname: 'https://badin.eu.qlikcloud.com' },
    field: 'hostname',
    rule: /must be a DNS name/,
    via: 'flags',
  },
  {
    name: 'hostname with a port',
    change: { hostname: 'badin.eu.qlikcloud.com:443' },
    field: 'hostname',
    rule: /no scheme, port/,
    via: 'flags',
  },
  {
    name: 'hostname with a trailing dot',
    change: { hostname: 'badin.eu.qlikcloud.com.' },
    field: 'hostname',
    rule: /trailing dot/,
    via: 'flags',
  },
  {
    name: 'single-label hostname',
    change: { hostname: 'localhost' },
    field: 'hostname',
    rule: /must be a DNS name/,
    via: 'flags',
  },
  {
    name: 'upper-case region',
    change: { region: 'EU' },
    field: 'region',
    rule: /lower-case letters only/,
    via: 'flags',
  },
  {
    name: 'region with a digit',
    change: { region: 'eu1' },
    field: 'region',
    rule: /lower-case letters only/,
    via: 'flags',
  },
  {
    name: 'purgeAfterDays 9',
    change: { purgeAfterDays: 9 },
    field: 'purgeAfterDays',
    rule: /^must be a whole number from 10 to 90 \(got 9\)$/,
    via: 'flags',
  },
  {
    name: 'purgeAfterDays 91',
    change: { purgeAfterDays: 91 },
    field: 'purgeAfterDays',
    rule: /from 10 to 90 \(got 91\)/,
    via: 'flags',
  },
  {
    name: 'purgeAfterDays 30.5',
    change: { purgeAfterDays: 30.5 },
    field: 'purgeAfterDays',
    rule: /whole number from 10 to 90 \(got 30.5\)/,
    via: 'flags',
  },
  {
    name: 'negative purgeAfterDays',
    change: { purgeAfterDays: -5 },
    field: 'purgeAfterDays',
    rule: /from 10 to 90 \(got -5\)/,
    via: 'flags',
  },
  {
    name: 'purgeAfterDays "abc"',
    change: { purgeAfterDays: 'abc' },
    field: 'purgeAfterDays',
    rule: /whole number from 10 to 90 \(got string\)/,
    via: 'flags',
  },
  {
    name: 'purgeAfterDays as the string "30"',
    change: { purgeAfterDays: '30' },
    field: 'purgeAfterDays',
    rule: /whole number .*\(got string\)/,
    via: 'jsonl',
  },
  {
    name: 'notBefore without a time zone',
    change: { notBefore: '2026-12-01' },
    field: 'notBefore',
    rule: /ISO-8601 date-time with a time zone/,
    via: 'flags',
  },
  {
    // Date.parse would roll it over to 2 March: an impossible date is refused, not silently moved.
    name: 'notBefore on 30 February',
    change: { notBefore: '2027-02-30T10:00:00Z' },
    field: 'notBefore',
    rule: /must be a real calendar date-time \(2027-02 has 28 days, so no day 30\)/,
    via: 'flags',
  },
  {
    name: 'notBefore more than 366 days ahead',
    change: { notBefore: new Date(Date.now() + 400 * 86_400_000).toISOString() },
    field: 'notBefore',
    rule: /at most 366 days ahead/,
    via: 'flags',
  },
  {
    name: 'requestedBy with a line break',
    change: { requestedBy: 'bob\nalice' },
    field: 'requestedBy',
    rule: /control characters/,
    via: 'flags',
  },
  {
    name: 'a 1 MB reason',
    change: { reason: MEGABYTE },
    field: 'reason',
    rule: /at most 1000 characters \(got 1048576\)/,
    via: 'flags',
  },
  { name: 'missing hostname', change: { hostname: undefined }, field: 'hostname', rule: /is required/, via: 'flags' },
  { name: 'an unknown field', change: { colour: 'red' }, field: 'colour', rule: /is not a known field/, via: 'jsonl' },
  { name: 'a null value', change: { reason: null }, field: 'reason', rule: /must not be null/, via: 'jsonl' },
  {
    name: 'region as a number',
    change: { region: 42 },
    field: 'region',
    rule: /must be a string \(got number\)/,
    via: 'jsonl',
  },
  {
    name: 'dryRun as a string',
    change: { dryRun: 'yes' },
    field: 'dryRun',
    rule: /must be true or false \(got string\)/,
    via: 'jsonl',
  },
  {
    name: 'tenantId as an array',
    change: { tenantId: ['BadIn'] },
    field: 'tenantId',
    rule: /must be a string \(got array\)/,
    via: 'jsonl',
  },
];

function badInput(change: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = { ...VALID, ...change };
  for (const [field, value] of Object.entries(change)) if (value === undefined) delete input[field];
  return input;
}

const FLAGS: Record<string, string> = {
  tenantId: 'tenant-id',
  hostname: 'hostname',
  region: 'region',
  purgeAfterDays: 'purge-after-days',
  notBefore: 'not-before',
  requestedBy: 'requested-by',
  reason: 'reason',
};

/** `start` flags for `input`, in the `--flag=value` form so that empty and negative values pass as given. */
function startFlags(input: Record<string, unknown>): string[] {
  return ['start', ...Object.entries(input).map(([field, value]) => `--${FLAGS[field]}=${String(value)}`)];
}

let fileCounter = 0;
function jsonlFile(input: Record<string, unknown>): string {
  const file = path.join(dir, `case-${++fileCounter}.jsonl`);
  writeFileSync(file, `${JSON.stringify(input)}\n`);
  return file;
}

describe('bad input', () => {
  it('has at least 15 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES)(
    'refuses $name through the library, naming the field and the rule',
    async ({ change, field, rule }) => {
      const error = await startOffboarding(h.client, badInput(change) as never, { taskQueue: h.taskQueue }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidInputError);
      const problems = (error as InvalidInputError).problems;
      expect(problems.find((p) => p.field === field)?.rule).toMatch(rule);
      expect(h.sim.requests()).toEqual([]);
    },
  );

  it.each(CASES)('refuses $name through the CLI with exit 2, naming the field and the rule', async (bad) => {
    const input = badInput(bad.change);
    const argv = bad.via === 'flags' ? startFlags(input) : ['bulk', jsonlFile(input)];
    const run = await cli(argv, vars);
    expect(run.code).toBe(2);
    const line = run.stderr.split('\n').find((l) => l.includes(`${bad.field}: `));
    expect(line).toBeDefined();
    expect(line!.slice(line!.indexOf(`${bad.field}: `) + bad.field.length + 2)).toMatch(
      new RegExp(bad.rule.source.replace(/^\^/, '').replace(/\$$/, '')),
    );
    // The message names the rule, not the megabyte.
    expect(run.stderr.length).toBeLessThan(2000);
    expect(run.stdout).toBe('');
    expect(h.sim.requests()).toEqual([]);
  });

  it('started no workflow at all', async () => {
    // A started workflow would reach the simulator within a few hundred ms; give it the chance to.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.sim.requests()).toEqual([]);
    const { count } = await h.client.workflow.count(`WorkflowType = '${WORKFLOW_TYPE}'`);
    expect(count).toBe(0);
  });
});
