import { classifyProbe, type ProbeObservation } from '../../src/qlik/probe';
import type { ProbeState } from '../../src/qlik/types';

const qlik = (code: string, title = 't'): unknown => ({ errors: [{ code, title, status: '401' }], traceId: 'tr-1' });

describe('classifyProbe (QLIK-API §5)', () => {
  const rows: [string, ProbeObservation, ProbeState][] = [
    // deactivated (grace period)
    ['401 TENANT_DEACTIVATED', { httpStatus: 401, body: qlik('TENANT_DEACTIVATED') }, 'deactivated'],
    ['401 TENANT_DISABLED', { httpStatus: 401, body: qlik('TENANT_DISABLED') }, 'deactivated'],
    [
      '401 TENANT_DEACTIVATED as raw text (tutorial example)',
      {
        httpStatus: 401,
        body: '{"errors":[{"title":"Tenant has been deactivated. Contact your administrator for more details.","code":"TENANT_DEACTIVATED","status":"401"}],"traceId":"00000000000000009a3a5a25531c1e2d"}',
      },
      'deactivated',
    ],
    // active
    ['200 with a token', { httpStatus: 200, body: { access_token: 'x', expires_in: 10 } }, 'active'],
    ['200 with junk', { httpStatus: 200, body: '<html>' }, 'active'],
    ['400 OAUTH-14', { httpStatus: 400, body: qlik('OAUTH-14', 'Invalid client_id') }, 'active'],
    ['401 OAUTH-1', { httpStatus: 401, body: qlik('OAUTH-1') }, 'active'],
    ['400 invalid_request (standard body)', { httpStatus: 400, body: qlik('invalid_request') }, 'active'],
    ['401 invalid_client (standard body)', { httpStatus: 401, body: qlik('invalid_client') }, 'active'],
    ['401 {"error":"invalid_client"} (OAuth form)', { httpStatus: 401, body: '{"error":"invalid_client"}' }, 'active'],
    ['400 {"error":"invalid_request"} (OAuth form)', { httpStatus: 400, body: { error: 'invalid_request' } }, 'active'],
    [
      '400 {"error":"unsupported_grant_type"}',
      { httpStatus: 400, body: { error: 'unsupported_grant_type' } },
      'active',
    ],
    // purged
    [
      '401 LOGIN-2',
      { httpStatus: 401, body: qlik('LOGIN-2', 'No authentication configured for this hostname') },
      'purged',
    ],
    ['404 with a body', { httpStatus: 404, body: qlik('NOT_FOUND') }, 'purged'],
    ['404 with no body', { httpStatus: 404, body: '' }, 'purged'],
    ['DNS failure ENOTFOUND', { networkErrorCode: 'ENOTFOUND' }, 'purged'],
    // unknown: try again
    ['429', { httpStatus: 429, body: qlik('HTTP-429') }, 'unknown'],
    ['500', { httpStatus: 500, body: '' }, 'unknown'],
    ['502', { httpStatus: 502, body: '<html>bad gateway</html>' }, 'unknown'],
    ['503', { httpStatus: 503 }, 'unknown'],
    ['timeout', { networkErrorCode: 'ETIMEDOUT' }, 'unknown'],
    ['undici headers timeout', { networkErrorCode: 'UND_ERR_HEADERS_TIMEOUT' }, 'unknown'],
    ['connection reset', { networkErrorCode: 'ECONNRESET' }, 'unknown'],
    ['socket closed', { networkErrorCode: 'UND_ERR_SOCKET' }, 'unknown'],
    ['connection refused is NOT purged', { networkErrorCode: 'ECONNREFUSED' }, 'unknown'],
    ['DNS try-again EAI_AGAIN', { networkErrorCode: 'EAI_AGAIN' }, 'unknown'],
    ['no status and no code', {}, 'unknown'],
    ['401 with an unknown code', { httpStatus: 401, body: qlik('SOMETHING_ELSE') }, 'unknown'],
    ['401 with no body', { httpStatus: 401, body: '' }, 'unknown'],
    ['400 with an unknown code', { httpStatus: 400, body: qlik('TENANTS-1') }, 'unknown'],
    ['400 TENANT_DEACTIVATED (only 401 is listed)', { httpStatus: 400, body: qlik('TENANT_DEACTIVATED') }, 'unknown'],
    ['403 OAUTH-14 (only 400/401 are listed)', { httpStatus: 403, body: qlik('OAUTH-14') }, 'unknown'],
    ['302 redirect', { httpStatus: 302, body: '' }, 'unknown'],
    ['301 redirect', { httpStatus: 301 }, 'unknown'],
    ['410 gone', { httpStatus: 410 }, 'unknown'],
    ['204', { httpStatus: 204 }, 'unknown'],
  ];

  it.each(rows)('%s → %s', (_name, observation, state) => {
    expect(classifyProbe(observation).state).toBe(state);
  });

  it('returns the HTTP status, Qlik code and traceId', () => {
    expect(classifyProbe({ httpStatus: 401, body: qlik('TENANT_DISABLED') })).toEqual({
      state: 'deactivated',
      httpStatus: 401,
      code: 'TENANT_DISABLED',
      traceId: 'tr-1',
    });
  });

  it('returns the network error code and no status for network failures', () => {
    expect(classifyProbe({ networkErrorCode: 'ECONNREFUSED' })).toEqual({ state: 'unknown', code: 'ECONNREFUSED' });
  });
});
