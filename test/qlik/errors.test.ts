import { errors as undiciErrors } from 'undici';
import { DEFAULT_RETRY_AFTER_MS, networkErrorCode, parseRetryAfter, RequestTimeoutError } from '../../src/http';
import {
  errorFromResponse,
  errorFromTransportFailure,
  parseQlikErrorBody,
  type CallContext,
} from '../../src/qlik/errors';
import { QlikError, type QlikErrorKind } from '../../src/qlik/types';

const SECRET = 'sekrit-client-secret-value';
const TOKEN = 'eyJhbGciOi.access.token';
const deactivate: CallContext = { call: 'deactivate', region: 'eu', tenantId: 'T-123', secrets: [SECRET, TOKEN] };
const reactivate: CallContext = { ...deactivate, call: 'reactivate' };
const token: CallContext = { call: 'token', region: 'eu', secrets: [SECRET] };

const body = (code: string, title: string, traceId = 'trace-abc'): string =>
  JSON.stringify({ errors: [{ code, title, detail: 'more', status: '400' }], traceId });
const answer = (status: number, text = '', headers: Record<string, string> = {}) => ({ status, headers, text });

describe('errorFromResponse: deactivate and reactivate', () => {
  const rows: [number, QlikErrorKind, boolean][] = [
    [400, 'RequestRejected', false],
    [401, 'InvalidCredentials', false],
    [403, 'Forbidden', false],
    [404, 'TenantNotFound', false],
    [409, 'RequestRejected', false],
    [412, 'HostnameMismatch', false],
    [418, 'RequestRejected', false],
    [301, 'RequestRejected', false],
    [302, 'RequestRejected', false],
    [307, 'RequestRejected', false],
    [429, 'RateLimited', false],
    [500, 'Transient', true],
    [502, 'Transient', true],
    [503, 'Transient', true],
    [504, 'Transient', true],
  ];

  it.each(rows)('HTTP %i → %s (outcomeUnknown %s)', (status, kind, outcomeUnknown) => {
    for (const ctx of [deactivate, reactivate]) {
      const err = errorFromResponse(ctx, answer(status, body('TENANTS-8', 'Tenant not found')));
      expect(err).toBeInstanceOf(QlikError);
      expect(err.kind).toBe(kind);
      expect(err.details.httpStatus).toBe(status);
      expect(err.details.code).toBe('TENANTS-8');
      expect(err.details.traceId).toBe('trace-abc');
      expect(err.details.outcomeUnknown === true).toBe(outcomeUnknown);
      expect(err.message).toContain(`Qlik ${ctx.call}`);
      expect(err.message).toContain('tenant T-123');
      expect(err.message).toContain(`HTTP ${status}`);
      expect(err.message).toContain('TENANTS-8');
      expect(err.message).toContain('Tenant not found');
      expect(err.message).toContain('trace-abc');
      expect(err.retryable).toBe(kind === 'Transient' || kind === 'RateLimited');
    }
  });

  it('says that redirects are never followed', () => {
    expect(errorFromResponse(deactivate, answer(302, '', { location: 'https://elsewhere' })).message).toMatch(
      /redirects are never followed/,
    );
  });

  it('says what a user can do about a 403 from deactivate: entitlement, or deletion enabled by Qlik Support', () => {
    const err = errorFromResponse(deactivate, answer(403, body('TENANTS-3', 'Forbidden', 'trace-403')));
    expect(err.kind).toBe('Forbidden');
    expect(err.details.traceId).toBe('trace-403');
    expect(err.message).toContain('HTTP 403');
    expect(err.message).toContain('code TENANTS-3');
    expect(err.message).toContain('traceId trace-403');
    expect(err.message).toMatch(/entitlement/);
    expect(err.message).toMatch(/deletion must first be enabled for this subscription by Qlik Support/);
    // The hint is about deleting: a 403 from reactivate does not send anyone to ask for deletion.
    expect(errorFromResponse(reactivate, answer(403, body('TENANTS-3', 'Forbidden'))).message).not.toMatch(
      /Qlik Support/,
    );
  });

  it('says a final 401 came after a token refresh', () => {
    const err = errorFromResponse({ ...deactivate, afterTokenRefresh: true }, answer(401));
    expect(err.message).toMatch(/even after one token refresh/);
  });

  it('tolerates junk, HTML and empty bodies', () => {
    for (const text of [
      '',
      '<html>oops</html>',
      'null',
      '[]',
      '{"errors":"x"}',
      '{"errors":[null]}',
      '{"errors":[]}',
    ]) {
      const err = errorFromResponse(deactivate, answer(404, text));
      expect(err.kind).toBe('TenantNotFound');
      expect(err.details.code).toBeUndefined();
      expect(err.message).toContain('HTTP 404');
    }
  });

  it('never puts the client secret or the access token in the message or details, even when Qlik echoes them', () => {
    const echoed = JSON.stringify({
      errors: [{ code: `C-${SECRET}`, title: `bad token ${TOKEN}`, detail: `secret was ${SECRET}` }],
      traceId: `t-${TOKEN}`,
    });
    const err = errorFromResponse(deactivate, answer(400, echoed));
    const all = err.message + JSON.stringify(err.details);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(TOKEN);
    expect(all).toContain('[redacted]');
  });

  it('keeps Qlik fields on one line and short', () => {
    const err = errorFromResponse(deactivate, answer(400, body('X', `a\nb${'z'.repeat(5000)}`)));
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeLessThan(1000);
  });
});

describe('errorFromResponse: token endpoint', () => {
  it.each([
    [400, 'InvalidCredentials'],
    [401, 'InvalidCredentials'],
    [403, 'InvalidCredentials'],
    [404, 'RequestRejected'],
    [302, 'RequestRejected'],
    [429, 'RateLimited'],
    [500, 'Transient'],
    [503, 'Transient'],
  ])('HTTP %i → %s, and no outcomeUnknown', (status, kind) => {
    const err = errorFromResponse(token, answer(status, body('OAUTH-14', 'Invalid client_id')));
    expect(err.kind).toBe(kind);
    expect(err.details.outcomeUnknown).toBeUndefined();
    expect(err.message).toContain('Qlik token request (region eu)');
    expect(err.message).toContain('OAUTH-14');
  });

  it('reads OAuth-style error bodies', () => {
    const err = errorFromResponse(token, answer(401, '{"error":"invalid_client","error_description":"bad client"}'));
    expect(err.details.code).toBe('invalid_client');
    expect(err.message).toContain('bad client');
  });
});

describe('429 retry-after', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  it('reads delta-seconds', () => {
    const err = errorFromResponse(
      deactivate,
      answer(429, body('HTTP-429', 'API rate limit reached.'), { 'retry-after': '13' }),
      now,
    );
    expect(err.kind).toBe('RateLimited');
    expect(err.details.retryAfterMs).toBe(13_000);
    expect(err.details.outcomeUnknown).toBeUndefined();
    expect(err.message).toContain('HTTP-429');
  });
  it('reads an HTTP date', () => {
    const err = errorFromResponse(deactivate, answer(429, '', { 'retry-after': 'Mon, 01 Jun 2026 12:00:07 GMT' }), now);
    expect(err.details.retryAfterMs).toBe(7_000);
  });
  it('defaults when absent', () => {
    expect(errorFromResponse(deactivate, answer(429), now).details.retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
  });
  it.each([['soon'], [''], ['-5'], ['1e3'], ['12abc']])('defaults when garbled: %p', (value) => {
    expect(parseRetryAfter(value, now)).toBe(DEFAULT_RETRY_AFTER_MS);
  });
  it('never goes below zero nor above an hour', () => {
    expect(parseRetryAfter('Mon, 01 Jun 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(3_600_000);
  });
  it('is also kept on a 503 that carries it', () => {
    expect(errorFromResponse(deactivate, answer(503, '', { 'retry-after': '2' })).details.retryAfterMs).toBe(2_000);
  });
});

describe('errorFromTransportFailure', () => {
  const sysError = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

  it.each([
    ['ECONNRESET', true, sysError('ECONNRESET')],
    ['EPIPE', true, sysError('EPIPE')],
    ['socket closed (undici)', true, new undiciErrors.SocketError('other side closed')],
    ['client closed (undici)', true, new undiciErrors.ClientClosedError()],
    ['headers timeout (undici)', true, new undiciErrors.HeadersTimeoutError()],
    ['body timeout (undici)', true, new undiciErrors.BodyTimeoutError()],
    ['our request timeout', true, new RequestTimeoutError(100)],
    ['ECONNREFUSED', false, sysError('ECONNREFUSED')],
    ['ENOTFOUND', false, sysError('ENOTFOUND')],
    ['EAI_AGAIN', false, sysError('EAI_AGAIN')],
    ['connect timeout (undici)', false, new undiciErrors.ConnectTimeoutError()],
    ['TLS certificate', false, sysError('CERT_HAS_EXPIRED')],
    ['anything else', true, new Error('weird')],
  ])('%s → Transient (outcomeUnknown on state-changing calls: %s)', (_name, unknown, err) => {
    const mapped = errorFromTransportFailure(deactivate, err);
    expect(mapped.kind).toBe('Transient');
    expect(mapped.details.outcomeUnknown === true).toBe(unknown);
    expect(mapped.message).toContain('tenant T-123');
    expect(mapped.message).toContain(mapped.details.code);
    expect(errorFromTransportFailure(token, err).details.outcomeUnknown).toBeUndefined();
  });

  it('says "timed out" for timeouts', () => {
    expect(errorFromTransportFailure(deactivate, new RequestTimeoutError(100)).message).toMatch(/timed out/);
  });

  it('refuses, without retry, a request that undici says is malformed', () => {
    expect(errorFromTransportFailure(deactivate, new undiciErrors.InvalidArgumentError('bad')).kind).toBe(
      'RequestRejected',
    );
  });
});

describe('networkErrorCode', () => {
  it('prefers the OS code in the cause over the undici wrapper code', () => {
    const err = Object.assign(new undiciErrors.SocketError('other side closed'), {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect(networkErrorCode(err)).toBe('ECONNRESET');
  });
  it('looks into AggregateError (happy eyeballs)', () => {
    const agg = Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {});
    expect(networkErrorCode(agg)).toBe('ECONNREFUSED');
  });
  it('says UNKNOWN for non-errors', () => {
    expect(networkErrorCode('boom')).toBe('UNKNOWN');
  });
});

describe('parseQlikErrorBody', () => {
  it('reads the first error and the traceId', () => {
    expect(
      parseQlikErrorBody(
        '{"errors":[{"code":"A","title":"T","detail":"D","status":"404"},{"code":"B"}],"traceId":"tr"}',
      ),
    ).toEqual({ code: 'A', title: 'T', detail: 'D', traceId: 'tr' });
  });
  it('tolerates junk', () => {
    expect(parseQlikErrorBody('not json')).toEqual({});
    expect(parseQlikErrorBody({ errors: [{ code: 42 }] })).toEqual({ code: '42' });
    expect(parseQlikErrorBody(undefined)).toEqual({});
  });
});
