/** The tenant-ID file of `cancel --file` / `reactivate --file` (src/client/cli/id-file.ts). */
import { parseTenantIdFile } from '../../src/client/cli/id-file';

describe('parseTenantIdFile', () => {
  it('reads one ID per line, skipping blank lines and # comments, whatever the line ends and a byte-order mark', () => {
    expect(parseTenantIdFile('\uFEFF# batch 7\r\nacme1\r\n\r\n  acme-2  # renewed\r\nacme_3\n')).toEqual({
      ok: true,
      ids: [
        { tenantId: 'acme1', line: 2 },
        { tenantId: 'acme-2', line: 4 },
        { tenantId: 'acme_3', line: 5 },
      ],
      duplicates: [],
    });
  });

  it('acts on a repeated ID once and says where it repeats', () => {
    expect(parseTenantIdFile('a1\nb2\na1\n')).toEqual({
      ok: true,
      ids: [
        { tenantId: 'a1', line: 1 },
        { tenantId: 'b2', line: 2 },
      ],
      duplicates: [{ tenantId: 'a1', line: 3 }],
    });
  });

  it('lists every bad line by number (the first 20, then a count)', () => {
    const parsed = parseTenantIdFile(['ok1', 'two words', 'x'.repeat(65), 'a;b', ''].join('\n'));
    expect(parsed).toEqual({
      ok: false,
      more: 0,
      problems: [
        {
          line: 2,
          rule: expect.stringMatching(/^"two words" is not a tenant ID: .*\(one ID per line, nothing else on it\)$/),
        },
        { line: 3, rule: expect.stringMatching(/^"x{65}" is not a tenant ID: must be 1-64 characters/) },
        { line: 4, rule: expect.stringMatching(/^"a;b" is not a tenant ID/) },
      ],
    });
    const many = parseTenantIdFile(Array.from({ length: 25 }, (_, i) => `bad ${i}`).join('\n'));
    expect(many.ok === false && [many.problems.length, many.problems[19]!.line, many.more]).toEqual([20, 20, 5]);
  });
});
