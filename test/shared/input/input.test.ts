import {
  sameAuditName,
  validateApprovalArgs,
  validateMessageArgs,
  validateOffboardingInput,
  type InputProblem,
} from '../../../src/shared/input';
import { checkPolicy } from '../../../src/shared/policy';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const valid = { tenantId: 'acme_01-X', hostname: 'acme.eu.qlikcloud.com', region: 'eu' };

function problems(raw: unknown): InputProblem[] {
  const result = validateOffboardingInput(raw, NOW);
  return result.ok ? [] : result.problems;
}

describe('validateOffboardingInput', () => {
  it('accepts the smallest valid input and every optional field, lower-casing the hostname', () => {
    const result = validateOffboardingInput(
      {
        ...valid,
        hostname: 'ACME.eu.QlikCloud.com',
        purgeAfterDays: 10,
        notBefore: '2026-12-01T09:00:00+01:00',
        requestedBy: 'crm',
        reason: 'contract ended\nline two',
        dryRun: true,
      },
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ hostname: 'acme.eu.qlikcloud.com', purgeAfterDays: 10, dryRun: true }),
    });
    expect(validateOffboardingInput({ ...valid, purgeAfterDays: 90 }, NOW).ok).toBe(true);
  });

  it.each([
    ['not an object', 'acme', '(input)', /must be a JSON object \(got string\)/],
    ['an array', [valid], '(input)', /got array/],
    ['null', null, '(input)', /got null/],
    ['missing tenantId', { hostname: valid.hostname, region: 'eu' }, 'tenantId', /is required/],
    ['missing hostname', { tenantId: 'a', region: 'eu' }, 'hostname', /is required/],
    ['missing region', { tenantId: 'a', hostname: valid.hostname }, 'region', /is required/],
    ['empty tenantId', { ...valid, tenantId: '' }, 'tenantId', /1-64 characters/],
    ['65-character tenantId', { ...valid, tenantId: 'a'.repeat(65) }, 'tenantId', /1-64 characters/],
    ['tenantId with a slash', { ...valid, tenantId: 'a/b' }, 'tenantId', /A-Z a-z 0-9 _ -/],
    ['tenantId with a space', { ...valid, tenantId: 'a b' }, 'tenantId', /A-Z a-z 0-9 _ -/],
    ['numeric tenantId', { ...valid, tenantId: 42 }, 'tenantId', /must be a string \(got number\)/],
    ['hostname with a scheme', { ...valid, hostname: 'https://acme.eu.qlikcloud.com' }, 'hostname', /DNS name/],
    ['hostname with a port', { ...valid, hostname: 'acme.eu.qlikcloud.com:443' }, 'hostname', /DNS name/],
    ['hostname with a trailing dot', { ...valid, hostname: 'acme.eu.qlikcloud.com.' }, 'hostname', /DNS name/],
    ['hostname with a path', { ...valid, hostname: 'acme.eu.qlikcloud.com/x' }, 'hostname', /DNS name/],
    ['single-label hostname', { ...valid, hostname: 'localhost' }, 'hostname', /DNS name/],
    ['IP address hostname', { ...valid, hostname: '10.0.0.1' }, 'hostname', /DNS name/],
    ['label starting with a hyphen', { ...valid, hostname: '-acme.eu.qlikcloud.com' }, 'hostname', /DNS name/],
    ['upper-case region', { ...valid, region: 'EU' }, 'region', /lower-case letters only/],
    ['region with digits', { ...valid, region: 'eu1' }, 'region', /lower-case letters only/],
    ['empty region', { ...valid, region: '' }, 'region', /lower-case letters only/],
    ['purgeAfterDays 9', { ...valid, purgeAfterDays: 9 }, 'purgeAfterDays', /whole number from 10 to 90 \(got 9\)/],
    ['purgeAfterDays 91', { ...valid, purgeAfterDays: 91 }, 'purgeAfterDays', /\(got 91\)/],
    ['purgeAfterDays 30.5', { ...valid, purgeAfterDays: 30.5 }, 'purgeAfterDays', /\(got 30.5\)/],
    ['purgeAfterDays "30"', { ...valid, purgeAfterDays: '30' }, 'purgeAfterDays', /\(got string\)/],
    ['negative purgeAfterDays', { ...valid, purgeAfterDays: -30 }, 'purgeAfterDays', /\(got -30\)/],
    ['NaN purgeAfterDays', { ...valid, purgeAfterDays: Number.NaN }, 'purgeAfterDays', /whole number/],
    ['notBefore not a date', { ...valid, notBefore: 'tomorrow' }, 'notBefore', /ISO-8601 date-time/],
    ['notBefore without zone', { ...valid, notBefore: '2026-12-01T09:00:00' }, 'notBefore', /time zone/],
    ['notBefore a year and more ahead', { ...valid, notBefore: '2027-12-01T00:00:00Z' }, 'notBefore', /366 days/],
    ['requestedBy too long', { ...valid, requestedBy: 'x'.repeat(201) }, 'requestedBy', /at most 200 characters/],
    ['requestedBy with a newline', { ...valid, requestedBy: 'a\nb' }, 'requestedBy', /control characters/],
    ['a 1 MB reason', { ...valid, reason: 'x'.repeat(1_000_000) }, 'reason', /at most 1000 characters/],
    ['dryRun as a string', { ...valid, dryRun: 'yes' }, 'dryRun', /true or false \(got string\)/],
    ['a null field', { ...valid, reason: null }, 'reason', /must not be null/],
    ['an unknown field', { ...valid, purgeAfterDay: 30 }, 'purgeAfterDay', /is not a known field/],
  ])('refuses %s, naming the field and the rule', (_name, raw, field, rule) => {
    const found = problems(raw);
    expect(found).toContainEqual({ field, rule: expect.stringMatching(rule) });
  });

  it('lists every broken rule at once', () => {
    expect(
      problems({ tenantId: '', hostname: 'x', region: 'EU', purgeAfterDays: 9, extra: 1 }).map((p) => p.field),
    ).toEqual(['extra', 'tenantId', 'hostname', 'region', 'purgeAfterDays']);
  });

  it('never echoes a long value back', () => {
    const [problem] = problems({ ...valid, reason: 'secret-ish '.repeat(1000) });
    expect(problem!.rule.length).toBeLessThan(100);
  });
});

describe('validateOffboardingInput: notBefore must be a real calendar date-time', () => {
  // Date.parse rolls impossible values over (30 February becomes 2 March, 24:00 the next day): refused instead.
  it.each([
    ['30 February', '2026-02-30T10:00:00Z', /2026-02 has 28 days, so no day 30/],
    ['31 April', '2026-04-31T10:00:00Z', /2026-04 has 30 days, so no day 31/],
    ['day 0', '2026-12-00T10:00:00Z', /no day 00/],
    ['month 13', '2026-13-01T10:00:00Z', /no month 13/],
    ['month 00', '2026-00-10T10:00:00Z', /no month 00/],
    ['hour 24', '2026-12-01T24:00:00Z', /hours go from 00 to 23, not 24/],
    ['minute 60', '2026-12-01T10:60:00Z', /minutes go from 00 to 59, not 60/],
    ['second 60 (a leap second)', '2026-12-01T10:00:60Z', /seconds go from 00 to 59, not 60/],
    ['29 February of a common year', '2027-02-29T10:00:00Z', /2027-02 has 28 days, so no day 29/],
    ['29 February 1900 (divisible by 100)', '1900-02-29T10:00:00Z', /1900-02 has 28 days/],
    ['a time-zone offset of 24 hours', '2026-12-01T10:00:00+24:00', /offset \+24:00 does not exist/],
    ['a time-zone offset of 60 minutes', '2026-12-01T10:00:00-05:60', /offset -05:60 does not exist/],
  ])('refuses %s, naming the field and the rule', (_name, notBefore, detail) => {
    expect(problems({ ...valid, notBefore })).toEqual([
      { field: 'notBefore', rule: expect.stringMatching(/^must be a real calendar date-time \(/) },
    ]);
    expect(problems({ ...valid, notBefore })[0]!.rule).toMatch(detail);
  });

  it.each([
    ['29 February of a leap year', '2024-02-29T10:00:00Z'],
    ['29 February 2000 (divisible by 400)', '2000-02-29T10:00:00Z'],
    ['the last moment of a year', '2026-12-31T23:59:59.999Z'],
    ['midnight', '2026-12-01T00:00Z'],
    ['31 December with an offset', '2026-12-31T23:00:00-12:00'],
  ])('accepts %s', (_name, notBefore) => {
    expect(problems({ ...valid, notBefore })).toEqual([]);
  });
});

describe('validateMessageArgs', () => {
  it('accepts nothing, an empty object, and reason/requestedBy', () => {
    expect(validateMessageArgs(undefined)).toEqual({ ok: true, value: {} });
    expect(validateMessageArgs({ reason: 'r', requestedBy: 'ops' }).ok).toBe(true);
  });

  it.each([
    [[], '(argument)'],
    [{ why: 'x' }, 'why'],
    [{ reason: 5 }, 'reason'],
    [{ requestedBy: 'x'.repeat(201) }, 'requestedBy'],
    [{ reason: null }, 'reason'],
  ])('refuses %j naming %s', (raw, field) => {
    const result = validateMessageArgs(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]!.field).toBe(field);
  });
});

describe('validateApprovalArgs ("[4 of 4]")', () => {
  it('accepts approvedBy (trimmed) with an optional reason', () => {
    expect(validateApprovalArgs({ approvedBy: '  bob ' })).toEqual({ ok: true, value: { approvedBy: 'bob' } });
    expect(validateApprovalArgs({ approvedBy: 'bob', reason: 'checked\nCRM' })).toEqual({
      ok: true,
      value: { approvedBy: 'bob', reason: 'checked\nCRM' },
    });
  });

  it.each([
    [undefined, '(argument)', /must be an object such as \{ "approvedBy": "…", "reason": "…" \} \(got nothing\)/],
    [null, '(argument)', /\(got null\)/],
    [['bob'], '(argument)', /\(got array\)/],
    [{}, 'approvedBy', /^is required/],
    [{ approvedBy: '' }, 'approvedBy', /^must not be empty or only whitespace$/],
    [{ approvedBy: '   ' }, 'approvedBy', /^must not be empty or only whitespace$/],
    [{ approvedBy: null }, 'approvedBy', /^must not be null$/],
    [{ approvedBy: 1 }, 'approvedBy', /^must be a string \(got number\)$/],
    [{ approvedBy: 'a\tb' }, 'approvedBy', /^must not contain control characters$/],
    [{ approvedBy: 'x'.repeat(201) }, 'approvedBy', /^must be at most 200 characters \(got 201\)$/],
    [{ approvedBy: 'bob', reason: 'r'.repeat(1001) }, 'reason', /^must be at most 1000 characters/],
    [{ approvedBy: 'bob', reason: null }, 'reason', /^must not be null$/],
    [{ approvedBy: 'bob', requestedBy: 'me' }, 'requestedBy', /^is not a known field$/],
    [JSON.parse('{"approvedBy":"bob","__proto__":{"x":1}}'), '__proto__', /^is not a known field$/],
  ])('refuses %j, naming the field and the rule', (raw, field, rule) => {
    const result = validateApprovalArgs(raw);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([{ field, rule: expect.stringMatching(rule) }]);
  });

  it('an approvedBy inherited from a prototype does not count', () => {
    expect(validateApprovalArgs(Object.create({ approvedBy: 'bob' }))).toMatchObject({ ok: false });
  });
});

describe('sameAuditName', () => {
  it.each([
    ['alice', 'alice', true],
    ['  Alice ', 'ALICE', true],
    ['alice', 'alice2', false],
    ['a lice', 'alice', false],
  ])('%j and %j: %j', (a, b, same) => {
    expect(sameAuditName(a, b)).toBe(same);
  });
});

describe('checkPolicy', () => {
  const policy = { allowedHostnameSuffixes: ['.qlikcloud.com'], protectedTenants: ['keep'], regions: ['eu', 'us'] };

  it('accepts a served region, an allowed suffix and an unprotected tenant', () => {
    expect(checkPolicy(valid, policy)).toBeUndefined();
  });

  it.each([
    [{ ...valid, tenantId: 'keep' }, 'ProtectedTenant', /protected list/],
    [{ ...valid, region: 'jp' }, 'RegionNotConfigured', /served: eu, us/],
    [{ ...valid, hostname: 'acme.example.com' }, 'InvalidInput', /allowed suffix \(.qlikcloud.com\)/],
    [{ ...valid, hostname: 'evilqlikcloud.com' }, 'InvalidInput', /allowed suffix/],
    [{ ...valid, hostname: 'qlikcloud.com' }, 'InvalidInput', /allowed suffix/],
  ])('refuses %j as %s', (input, type, message) => {
    expect(checkPolicy(input, policy)).toEqual({ type, message: expect.stringMatching(message) });
  });
});
