/**
 * Bulk CSV files as spreadsheet programs write them: `;` (European locales) or tab between cells, a byte-order
 * mark, CRLF, quoted cells holding the delimiter or a line break, blank rows at the end. Every error names the
 * file's physical line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBulkFile, detectDelimiter, parseCsvRecords } from '../../src/client/cli/bulk-file';
import { cli } from '../support/cli';

const HEADER = ['tenantId', 'hostname', 'region', 'purgeAfterDays', 'reason'];
const row = (id: string, reason: string) => [id, `${id}.eu.qlikcloud.com`, 'eu', '30', reason];
const input = (id: string, reason: string) => ({
  tenantId: id,
  hostname: `${id}.eu.qlikcloud.com`,
  region: 'eu',
  purgeAfterDays: 30,
  reason,
});

describe('bulk CSV as spreadsheet programs write it', () => {
  it('detects the delimiter from the header line: comma, semicolon or tab', () => {
    expect(detectDelimiter('tenantId,hostname,region\n')).toBe(',');
    expect(detectDelimiter('tenantId;hostname;region\r\n')).toBe(';');
    expect(detectDelimiter('\uFEFF\n"tenantId";"hostname";"region"\n')).toBe(';');
    expect(detectDelimiter('tenantId\thostname\tregion\n')).toBe('\t');
    // A comma in a later row does not count: only the header says.
    expect(detectDelimiter('tenantId;hostname;region;reason\na;b;c;"x, y, z"\n')).toBe(';');
    expect(detectDelimiter('tenantId\n')).toBe(',');
  });

  it('reads a semicolon file with a BOM and CRLF, quoted cells holding ";", "," and a line break', () => {
    const text =
      '\uFEFF' +
      [
        HEADER.join(';'),
        row('s1', '"ended; not renewed"').join(';'),
        row('s2', '"two\r\nlines, one cell"').join(';'),
        row('s3', 'plain').join(';'),
      ].join('\r\n') +
      '\r\n';
    const checked = checkBulkFile('tenants.csv', text);
    expect(checked.headerProblems).toEqual([]);
    expect(checked.invalid).toEqual([]);
    expect(checked.valid).toEqual([
      { line: 2, input: input('s1', 'ended; not renewed') },
      { line: 3, input: input('s2', 'two\r\nlines, one cell') },
      // The quoted line break makes s2 two physical lines.
      { line: 5, input: input('s3', 'plain') },
    ]);
  });

  it('reads a tab-separated file', () => {
    const text = [HEADER.join('\t'), row('t1', 'a, b; c').join('\t')].join('\n');
    expect(checkBulkFile('tenants.txt', text).valid).toEqual([{ line: 2, input: input('t1', 'a, b; c') }]);
  });

  it('names the physical line of a bad row after quoted line breaks (LF and CRLF inside quotes)', () => {
    const text = [
      HEADER.join(';'),
      row('q1', '"one\ntwo\nthree"').join(';'),
      row('q2', '"crlf\r\ninside"').join(';'),
      ['q3', 'q3.eu.qlikcloud.com', 'EU', '30', 'bad region'].join(';'),
      ['q4', 'q4.eu.qlikcloud.com', 'eu'].join(';'),
    ].join('\r\n');
    const checked = checkBulkFile('tenants.csv', text);
    expect(checked.valid.map((r) => [r.line, r.input.tenantId])).toEqual([
      [2, 'q1'],
      [5, 'q2'],
    ]);
    expect(checked.invalid).toEqual([
      {
        line: 7,
        tenantId: 'q3',
        problems: [{ field: 'region', rule: expect.stringMatching(/^must be a Qlik region/) }],
      },
      { line: 8, problems: [{ field: '(row)', rule: 'has 3 cells; the header has 5' }] },
    ]);
  });

  it('skips blank lines and all-blank rows (trailing ";;;;" included) but keeps counting lines', () => {
    const text = [
      '',
      HEADER.join(';'),
      '',
      row('e1', 'first').join(';'),
      '   ',
      ';;;;',
      row('e2', 'second').join(';'),
      '',
      ';;;;',
      '',
      '',
    ].join('\r\n');
    const checked = checkBulkFile('tenants.csv', text);
    expect(checked.headerLine).toBe(2);
    expect(checked.invalid).toEqual([]);
    expect(checked.valid.map((r) => [r.line, r.input.tenantId])).toEqual([
      [4, 'e1'],
      [7, 'e2'],
    ]);
    expect(parseCsvRecords('a,b\n\n\n')).toEqual([{ line: 1, cells: ['a', 'b'] }]);
  });

  it('refuses a quote that is never closed on the line where it opens, keeping the rows before it', () => {
    const text = [HEADER.join(','), row('u1', 'fine').join(','), row('u2', '"never closed').join(','), 'u3,x,eu'].join(
      '\n',
    );
    const checked = checkBulkFile('tenants.csv', text);
    expect(checked.valid.map((r) => r.line)).toEqual([2]);
    expect(checked.invalid).toEqual([
      { line: 3, problems: [{ field: '(row)', rule: 'opens a quote that is never closed' }] },
    ]);
    expect(checkBulkFile('t.csv', '"tenantId,hostname\n').headerProblems).toEqual([
      { field: '(header)', rule: 'opens a quote that is never closed' },
    ]);
  });

  it('reads a JSON Lines file that begins with a byte-order mark', () => {
    const checked = checkBulkFile('tenants.jsonl', '\uFEFF' + JSON.stringify(input('j1', 'r')) + '\n');
    expect(checked.invalid).toEqual([]);
    expect(checked.valid).toEqual([{ line: 1, input: input('j1', 'r') }]);
  });
});

describe('qlik-offboard bulk with a semicolon file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qlik-bulk-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the bad row by its physical line and field, and exits 2 before connecting', async () => {
    const file = join(dir, 'tenants.csv');
    writeFileSync(
      file,
      '\uFEFF' +
        [
          HEADER.join(';'),
          row('c1', '"a\r\nb"').join(';'),
          ['c2', 'c2.eu.qlikcloud.com', 'eu', '9', 'x'].join(';'),
        ].join('\r\n'),
    );
    // Nothing listens on port 1: a connection attempt would end with exit 1, not 2.
    const run = await cli(['bulk', file], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/1 bad row\(s\); nothing was started/);
    expect(run.stderr).toMatch(/line 4 \(c2\): purgeAfterDays: must be a whole number from 10 to 90 \(got 9\)/);
  });
});
