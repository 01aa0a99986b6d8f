/**
 * The client's pure parts, without a server: reading bulk files, comparing inputs, the visibility queries, flag
 * values, and the CLI's answers that need no connection (help, bad flags, an unreachable server).
 */
import { buildListQuery, differingFields, webUiLink } from '../../src/client';
import { numberOrText, parseDateFlag, parseDurationFlag, UsageError } from '../../src/client/cli/args';
import { checkBulkFile, parseCsvRecords } from '../../src/client/cli/bulk-file';
import { csv, formatDuration, statusLines, table } from '../../src/client/cli/format';
import { cli } from '../support/cli';

describe('bulk files', () => {
  it('reads RFC 4180 CSV: quoted commas, doubled quotes, line breaks in quotes, CRLF, blank lines', () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n';
    expect(parseCsvRecords(text)).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 4, cells: ['two\nlines', 'z'] },
    ]);
  });

  it('turns CSV cells into contract values and reports every bad row with its line', () => {
    const checked = checkBulkFile(
      'tenants.csv',
      [
        'tenantId,hostname,region,purgeAfterDays,dryRun',
        'a1,a1.eu.qlikcloud.com,eu,30,false',
        'a2,a2.eu.qlikcloud.com,eu,,',
        'a3,a3.eu.qlikcloud.com,eu,30.5,maybe',
        'a4,a4.eu.qlikcloud.com,eu',
      ].join('\n'),
    );
    expect(checked.format).toBe('csv');
    expect(checked.valid).toEqual([
      {
        line: 2,
        input: { tenantId: 'a1', hostname: 'a1.eu.qlikcloud.com', region: 'eu', purgeAfterDays: 30, dryRun: false },
      },
      { line: 3, input: { tenantId: 'a2', hostname: 'a2.eu.qlikcloud.com', region: 'eu' } },
    ]);
    expect(checked.invalid).toEqual([
      {
        line: 4,
        tenantId: 'a3',
        problems: [
          { field: 'purgeAfterDays', rule: 'must be a whole number from 10 to 90 (got 30.5)' },
          { field: 'dryRun', rule: 'must be true or false (got string)' },
        ],
      },
      { line: 5, problems: [{ field: '(row)', rule: 'has 3 cells; the header has 5' }] },
    ]);
  });

  it('refuses unknown CSV columns in the header', () => {
    const checked = checkBulkFile('t.csv', 'tenantId,hostname,region,colour\na,a.eu.qlikcloud.com,eu,red\n');
    expect(checked.headerProblems).toEqual([{ field: 'colour', rule: 'is not a known field (CSV header)' }]);
  });

  it('reads JSON Lines, reports unparsable lines, and makes every row a dry run with dryRun', () => {
    const checked = checkBulkFile(
      'tenants.txt',
      '{"tenantId":"b1","hostname":"b1.eu.qlikcloud.com","region":"eu"}\n\n{not json}\n[1]\n',
      { dryRun: true },
    );
    expect(checked.format).toBe('jsonl');
    expect(checked.valid).toEqual([
      { line: 1, input: { tenantId: 'b1', hostname: 'b1.eu.qlikcloud.com', region: 'eu', dryRun: true } },
    ]);
    expect(checked.invalid.map((r) => [r.line, r.problems[0].field])).toEqual([
      [3, '(line)'],
      [4, '(input)'],
    ]);
  });
});

describe('differingFields', () => {
  const base = { tenantId: 't', hostname: 't.eu.qlikcloud.com', region: 'eu' };

  it('treats normalised equals as the same input', () => {
    expect(differingFields(base, { ...base, hostname: 'T.EU.qlikcloud.com', dryRun: false })).toEqual([]);
    expect(
      differingFields(
        { ...base, notBefore: '2026-12-01T10:00:00Z' },
        { ...base, notBefore: '2026-12-01T11:00:00+01:00' },
      ),
    ).toEqual([]);
  });

  it('names every field that differs, unknown ones included', () => {
    expect(differingFields({ ...base, purgeAfterDays: 30 }, { ...base, reason: 'x', extra: 1 })).toEqual([
      'purgeAfterDays',
      'reason',
      'extra',
    ]);
  });
});

describe('buildListQuery', () => {
  it('combines the filters on the contract search attributes, always for offboardTenant', () => {
    expect(
      buildListQuery({
        phase: 'grace-period',
        region: 'eu',
        requestedBy: "o'brien",
        purgingBefore: new Date('2026-02-01T00:00:00Z'),
        failed: true,
        overdue: true,
      }),
    ).toBe(
      "WorkflowType = 'offboardTenant' AND OffboardingPhase = 'grace-period' AND QlikRegion = 'eu' AND " +
        "QlikRequestedBy = 'o\\'brien' AND EstimatedPurgeDate < '2026-02-01T00:00:00.000Z' AND " +
        "ExecutionStatus = 'Failed' AND OffboardingOutcome = 'purge-overdue'",
    );
  });

  it('matches any of several phases (what approve --all lists)', () => {
    expect(buildListQuery({ requestedBy: 'crm', phases: ['awaiting-approval', 'scheduled'], running: true })).toBe(
      "WorkflowType = 'offboardTenant' AND OffboardingPhase IN ('awaiting-approval', 'scheduled') AND " +
        "QlikRequestedBy = 'crm' AND ExecutionStatus = 'Running'",
    );
  });
});

describe('flag values and output', () => {
  it('parses dates, durations and numeric text', () => {
    expect(parseDateFlag('since', '2026-01-31')?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(() => parseDateFlag('since', '31/01/2026')).toThrow(UsageError);
    expect(parseDurationFlag('interval', '500ms', { defaultMs: 1, minMs: 100, maxMs: 1000 })).toBe(500);
    expect(parseDurationFlag('interval', '0.5', { defaultMs: 1, minMs: 100, maxMs: 1000 })).toBe(500);
    expect(() => parseDurationFlag('interval', '5x', { defaultMs: 1, minMs: 100, maxMs: 1000 })).toThrow(/--interval/);
    expect([numberOrText('30'), numberOrText('30.5'), numberOrText('-5'), numberOrText('abc')]).toEqual([
      30,
      30.5,
      -5,
      'abc',
    ]);
  });

  it('formats tables, CSV and durations', () => {
    const columns = [
      { header: 'A', value: (r: { a: string }) => r.a },
      { header: 'LONGER', value: () => 1 },
    ];
    expect(table(columns, [{ a: 'xyz' }])).toBe('A    LONGER\n---  ------\nxyz  1');
    expect(csv(columns, [{ a: 'x,"y"' }])).toBe('A,LONGER\r\n"x,""y""",1');
    expect([formatDuration(850), formatDuration(45_000), formatDuration(90_061_000)]).toEqual([
      '850ms',
      '45s',
      '1d 1h',
    ]);
    expect(webUiLink('offboard-tenant-a', { env: { TEMPORAL_UI_URL: 'https://ui.example/' }, namespace: 'prod' })).toBe(
      'https://ui.example/namespaces/prod/workflows/offboard-tenant-a',
    );
  });

  it('shows the grace probes in the status: how often, the next one, what the last one saw', () => {
    const status = {
      tenantId: 'acme',
      hostname: 'acme.eu.qlikcloud.com',
      region: 'eu',
      dryRun: false,
      phase: 'grace-period' as const,
      phaseSince: '2026-12-01T00:00:00.000Z',
      ignoredSignals: [],
    };
    expect(statusLines(status).some((line) => line.startsWith('grace probes:'))).toBe(false);
    const graceProbes = {
      intervalMs: 86_400_000,
      nextAt: '2026-12-03T07:00:00.000Z',
      probes: 2,
      last: { at: '2026-12-02T07:00:00.000Z', state: 'active' as const, httpStatus: 401, code: 'OAUTH-14' },
      activeSince: '2026-12-02T07:00:00.000Z',
    };
    expect(statusLines({ ...status, graceProbes })).toContain(
      'grace probes: every 1d 0h; next at 2026-12-03T07:00:00.000Z; 2 sent, last active at 2026-12-02T07:00:00.000Z; ' +
        '"active" since 2026-12-02T07:00:00.000Z',
    );
  });
});

describe('the CLI without a server', () => {
  const unreachable = { TEMPORAL_ADDRESS: '127.0.0.1:1' };

  it('prints the command list for --help and exits 0; nothing at all exits 2', async () => {
    const help = await cli(['--help'], unreachable);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n {2}start/);
    expect((await cli([], unreachable)).code).toBe(2);
  });

  it('refuses bad flags with exit 2 before connecting', async () => {
    const run = await cli(
      ['start', '--tenant-id', 'a', '--hostname', 'a.eu.qlikcloud.com', '--region', 'eu', '--purge-after-days', '30.5'],
      unreachable,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'purgeAfterDays: must be a whole number from 10 to 90 (got 30.5) [--purge-after-days]',
    );
    const json = await cli(['list', '--region', 'EU', '--json'], unreachable);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toEqual({
      error: { code: 'Usage', message: expect.stringMatching(/^--region: /) },
    });
  });

  it('says where it tried to connect when Temporal is unreachable (exit 1)', async () => {
    const run = await cli(['status', 'acme'], unreachable);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is Temporal reachable at 127\.0\.0\.1:1\?/);
  }, 30_000);
});
