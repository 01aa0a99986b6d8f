/**
 * The stop registry's argument rules (src/shared/stop-requests.ts): every JSON shape gets an answer naming the field
 * and the rule, and which deactivations a stop holds (src/shared/stops.ts).
 */
import {
  validateControlsInput,
  validateResumeRequest,
  validateStopRequest,
  validateStops,
} from '../../src/shared/stop-requests';
import { stopHolding, type Stop } from '../../src/shared/stops';

const problemsOf = (validated: { ok: boolean; problems?: Array<{ field: string; rule: string }> }) =>
  validated.ok ? [] : validated.problems!.map((p) => `${p.field}: ${p.rule}`);

describe('validateStopRequest', () => {
  it('accepts a region, a requester, or both, with a reason and who stops', () => {
    expect(validateStopRequest({ region: 'eu', reason: 'wrong file', by: 'alice' })).toEqual({
      ok: true,
      value: { region: 'eu', reason: 'wrong file', by: 'alice' },
    });
    expect(validateStopRequest({ requestedBy: 'crm', region: 'us', reason: 'r', by: 'bob' }).ok).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['no argument', undefined, /^\(argument\): must be an object .*\(got undefined\)$/],
    ['null', null, /^\(argument\): must be an object .*\(got null\)$/],
    ['a number', 42, /^\(argument\): must be an object .*\(got number\)$/],
    ['an array', ['eu'], /^\(argument\): must be an object .*\(got array\)$/],
    ['neither region nor requestedBy', { reason: 'r', by: 'a' }, /^region, requestedBy: at least one is required/],
    ['an upper-case region', { region: 'EU', reason: 'r', by: 'a' }, /^region: must be a Qlik region code/],
    ['a region of the wrong type', { region: 7, reason: 'r', by: 'a' }, /^region: must be a string \(got number\)$/],
    ['no reason', { region: 'eu', by: 'a' }, /^reason: is required$/],
    ['a blank reason', { region: 'eu', reason: '  ', by: 'a' }, /^reason: must not be empty$/],
    ['no by', { region: 'eu', reason: 'r' }, /^by: is required$/],
    ['a by with a line break', { region: 'eu', reason: 'r', by: 'a\nb' }, /^by: must not contain control characters$/],
    ['an empty requestedBy', { requestedBy: '', reason: 'r', by: 'a' }, /^requestedBy: must not be empty$/],
    ['a null field', { region: null, requestedBy: 'x', reason: 'r', by: 'a' }, /^region: must not be null/],
    ['an unknown field', { region: 'eu', reason: 'r', by: 'a', tenantId: 'x' }, /^tenantId: is not a known field$/],
    [
      'an inherited-looking key',
      JSON.parse('{"region":"eu","reason":"r","by":"a","__proto__":{"x":1}}'),
      /^__proto__: is not a known field$/,
    ],
  ])('refuses %s, naming the field and the rule', (_name, raw, rule) => {
    const problems = problemsOf(validateStopRequest(raw));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(rule)]));
  });
});

describe('validateResumeRequest', () => {
  it('needs who resumes and a selector; the reason is optional', () => {
    expect(validateResumeRequest({ region: 'eu', by: 'alice' })).toEqual({
      ok: true,
      value: { region: 'eu', by: 'alice' },
    });
    expect(problemsOf(validateResumeRequest({ region: 'eu' }))).toEqual(['by: is required']);
    expect(problemsOf(validateResumeRequest({ by: 'alice' }))).toEqual([
      expect.stringMatching(/^region, requestedBy: at least one is required/),
    ]);
  });
});

describe('validateStops and validateControlsInput', () => {
  const stop: Stop = { id: 'a', region: 'eu', reason: 'r', by: 'x', at: '2026-01-01T00:00:00.000Z' };

  it('reads back what the registry publishes, and refuses anything else by position', () => {
    expect(validateStops([stop])).toEqual({ ok: true, value: [stop] });
    expect(problemsOf(validateStops('x'))).toEqual(['stops: must be an array (got string)']);
    expect(problemsOf(validateStops([stop, { ...stop, at: 'yesterday' }, 3]))).toEqual([
      'stops[1].at: must be an ISO-8601 UTC date-time',
      expect.stringMatching(/^stops\[2\]: must be an object/),
    ]);
  });

  it('takes nothing, or the stops and the run length', () => {
    expect(validateControlsInput(undefined)).toEqual({ ok: true, value: {} });
    expect(validateControlsInput({ stops: [stop], updatesPerRun: 3 })).toEqual({
      ok: true,
      value: { stops: [stop], updatesPerRun: 3 },
    });
    expect(problemsOf(validateControlsInput({ updatesPerRun: 0, other: 1 }))).toEqual([
      'other: is not a known field',
      'updatesPerRun: must be a whole number of at least 1',
    ]);
  });
});

describe('stopHolding', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const region: Stop = { id: '1', region: 'eu', reason: 'r', by: 'a', at };
  const requester: Stop = { id: '2', requestedBy: 'crm', reason: 'r', by: 'a', at };
  const both: Stop = { id: '3', region: 'us', requestedBy: 'billing', reason: 'r', by: 'a', at };

  it('holds a deactivate that every given field of a stop matches, exactly', () => {
    expect(stopHolding([region], { region: 'eu' })).toBe(region);
    expect(stopHolding([region], { region: 'eu', requestedBy: 'anyone' })).toBe(region);
    expect(stopHolding([region], { region: 'us' })).toBeUndefined();
    expect(stopHolding([requester], { region: 'us', requestedBy: 'crm' })).toBe(requester);
    expect(stopHolding([requester], { region: 'us' })).toBeUndefined();
    expect(stopHolding([requester], { region: 'us', requestedBy: 'CRM' })).toBeUndefined();
    expect(stopHolding([both], { region: 'us', requestedBy: 'billing' })).toBe(both);
    expect(stopHolding([both], { region: 'eu', requestedBy: 'billing' })).toBeUndefined();
    expect(stopHolding([both], { region: 'us', requestedBy: 'crm' })).toBeUndefined();
  });
});
