import type { ServerResponse } from 'node:http';
import {
  createQlikClient,
  type QlikClientOptions,
  type QlikHttpClient,
  type QlikResponseInfo,
} from '../../src/qlik/create-qlik-client';
import { QlikError, type QlikErrorKind } from '../../src/qlik/types';
import { freePort as closedPort } from '../../harness/ports';
import {
  clientOptionsFor,
  closeClientAndServer,
  json,
  qlikError,
  type Received,
  startTestServer,
  type TestServer,
} from '../../harness/qlik-stub';

const SECRET = 'region-secret-value-42';
const ref = { region: 'eu', tenantId: 'T-abc_1', hostname: 'acme.eu.qlikcloud.com' };
const DEACTIVATE_PATH = '/register/eu/api/v1/tenants/T-abc_1/actions/deactivate';

async function failureOf(promise: Promise<unknown>): Promise<QlikError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QlikError);
  return err as QlikError;
}

/** Asserts a message names what ops and Qlik support need, and no secret. */
function expectGoodMessage(err: QlikError, status: number, code: string, traceId: string, tokens: string[]): void {
  expect(err.message).toContain('T-abc_1');
  expect(err.message).toContain(`HTTP ${status}`);
  expect(err.message).toContain(code);
  expect(err.message).toContain(traceId);
  for (const secret of [SECRET, ...tokens]) {
    expect(err.message).not.toContain(secret);
    expect(JSON.stringify(err.details)).not.toContain(secret);
  }
}

describe('deactivate and reactivate (real HTTP)', () => {
  let server: TestServer;
  let client: QlikHttpClient | undefined;
  let action: (req: Received, res: ServerResponse) => void;
  let tokenCount: number;
  let metrics: QlikResponseInfo[];

  beforeEach(async () => {
    tokenCount = 0;
    metrics = [];
    action = (_req, res) =>
      json(res, 200, { id: 'T-abc_1', status: 'disabled', estimatedPurgeDate: '2026-12-30T14:01:22.000Z' });
    server = await startTestServer((req, res) => {
      if (req.path.endsWith('/oauth/token')) {
        tokenCount += 1;
        json(res, 200, { access_token: `access-token-${tokenCount}`, expires_in: 21600 });
      } else action(req, res);
    });
  });
  afterEach(async () => {
    await closeClientAndServer(client, server);
    client = undefined;
  });

  const make = (extra: Partial<QlikClientOptions> = {}): QlikHttpClient => {
    client = createQlikClient({
      ...clientOptionsFor(server, SECRET),
      onResponse: (info) => metrics.push(info),
      ...extra,
    });
    return client;
  };
  const actionRequests = (): Received[] => server.received.filter((r) => r.path.includes('/actions/'));

  it('deactivates with the token, the confirm-hostname header and purgeAfterDays, and returns the purge date', async () => {
    const answer = await make().deactivate({ ...ref, purgeAfterDays: 45 });
    expect(answer).toEqual({ status: 'disabled', estimatedPurgeDate: '2026-12-30T14:01:22.000Z' });
    const [req] = actionRequests();
    expect(req.path).toBe(DEACTIVATE_PATH);
    expect(req.headers.authorization).toBe('Bearer access-token-1');
    expect(req.headers['qlik-confirm-hostname']).toBe('acme.eu.qlikcloud.com');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ purgeAfterDays: 45 });
    expect(metrics).toEqual([
      { route: 'token', status: 200, region: 'eu' },
      { route: 'deactivate', status: 200, region: 'eu' },
    ]);
  });

  it('sends {} when purgeAfterDays is not given, and URL-encodes the tenant ID', async () => {
    await make().deactivate({ ...ref, tenantId: 'a/b?c' });
    const [req] = actionRequests();
    expect(req.path).toBe('/register/eu/api/v1/tenants/a%2Fb%3Fc/actions/deactivate');
    expect(req.body).toBe('{}');
  });

  it.each([
    ['no purge date', { status: 'disabled' }, { status: 'disabled' }],
    ['a purge date that is not a date', { estimatedPurgeDate: 'next tuesday' }, {}],
    ['a purge date that is a number', { estimatedPurgeDate: 1767103282000 }, {}],
    [
      'a purge date with an offset',
      { estimatedPurgeDate: '2026-12-30T16:01:22+02:00' },
      { estimatedPurgeDate: '2026-12-30T14:01:22.000Z' },
    ],
    ['an empty body', '', {}],
    ['junk', '<html>ok</html>', {}],
  ])('reads a 200 deactivate answer with %s tolerantly', async (_name, body, expected) => {
    action = (_req, res) => json(res, 200, body);
    await expect(make().deactivate(ref)).resolves.toEqual(expected);
  });

  it.each([
    ['{}', {}, {}],
    ['{id,status}', { id: 'T-abc_1', status: 'active' }, { status: 'active' }],
    ['an empty body', '', {}],
  ])('reactivates and accepts %s', async (_name, body, expected) => {
    action = (_req, res) => json(res, 200, body);
    await expect(make().reactivate(ref)).resolves.toEqual(expected);
    const [req] = actionRequests();
    expect(req.path).toBe('/register/eu/api/v1/tenants/T-abc_1/actions/reactivate');
    expect(req.body).toBe('{}');
    expect(req.headers['qlik-confirm-hostname']).toBe('acme.eu.qlikcloud.com');
  });

  it('refreshes the token once on a 401 and retries the call once', async () => {
    action = (req, res) =>
      req.headers.authorization === 'Bearer access-token-1'
        ? json(res, 401, qlikError('AUTH-1', 'Token expired', 'tr-401'))
        : json(res, 200, { status: 'disabled' });
    const c = make();
    await expect(c.deactivate(ref)).resolves.toEqual({ status: 'disabled' });
    expect(c.tokenRequests()).toBe(2);
    expect(actionRequests().map((r) => r.headers.authorization)).toEqual([
      'Bearer access-token-1',
      'Bearer access-token-2',
    ]);
  });

  it('gives InvalidCredentials on a second 401, after exactly one refresh', async () => {
    action = (_req, res) => json(res, 401, qlikError('AUTH-1', 'Unauthorized', 'tr-401b'));
    const c = make();
    const err = await failureOf(c.deactivate(ref));
    expect(err.kind).toBe('InvalidCredentials');
    expect(err.message).toMatch(/after one token refresh/);
    expectGoodMessage(err, 401, 'AUTH-1', 'tr-401b', ['access-token-1', 'access-token-2']);
    expect(c.tokenRequests()).toBe(2);
    expect(actionRequests()).toHaveLength(2);
  });

  it('shares a single refresh among concurrent calls that all got a 401', async () => {
    action = (req, res) =>
      req.headers.authorization === 'Bearer access-token-1'
        ? setTimeout(() => json(res, 401, qlikError('AUTH-1', 'expired')), 10)
        : json(res, 200, {});
    const c = make();
    await c.ensureToken('eu');
    await Promise.all([c.deactivate(ref), c.deactivate(ref), c.reactivate(ref)]);
    expect(c.tokenRequests()).toBe(2);
  });

  const statusRows: [number, string, QlikErrorKind][] = [
    [400, 'TENANTS-1', 'RequestRejected'],
    [403, 'TENANTS-3', 'Forbidden'],
    [404, 'TENANTS-8', 'TenantNotFound'],
    [409, 'TENANTS-9', 'RequestRejected'],
    [412, 'TENANTS-12', 'HostnameMismatch'],
    [418, 'TEAPOT', 'RequestRejected'],
    [500, 'HTTP-500', 'Transient'],
    [502, 'HTTP-502', 'Transient'],
    [503, 'HTTP-503', 'Transient'],
  ];
  it.each(statusRows)('maps HTTP %i (%s) to %s for deactivate and reactivate', async (status, code, kind) => {
    action = (_req, res) => json(res, status, qlikError(code, `Title ${code}`, `trace-${status}`));
    const c = make();
    for (const call of [() => c.deactivate(ref), () => c.reactivate(ref)]) {
      const err = await failureOf(call());
      expect(err.kind).toBe(kind);
      expect(err.details).toMatchObject({ httpStatus: status, code, traceId: `trace-${status}` });
      expect(err.details.outcomeUnknown === true).toBe(status >= 500);
      expect(err.message).toContain(`Title ${code}`);
      expectGoodMessage(err, status, code, `trace-${status}`, ['access-token-1']);
    }
    expect(actionRequests()).toHaveLength(2);
  });

  it('maps 429 to RateLimited with retry-after and makes no second attempt', async () => {
    action = (_req, res) =>
      json(
        res,
        429,
        {
          errors: [{ code: 'HTTP-429', title: 'API rate limit reached.', detail: 'wait 13 seconds' }],
          traceId: 'tr-429',
        },
        { 'retry-after': '13' },
      );
    const err = await failureOf(make().deactivate(ref));
    expect(err.kind).toBe('RateLimited');
    expect(err.details.retryAfterMs).toBe(13_000);
    expect(err.details.outcomeUnknown).toBeUndefined();
    expectGoodMessage(err, 429, 'HTTP-429', 'tr-429', ['access-token-1']);
    expect(actionRequests()).toHaveLength(1);
  });

  it('maps a timeout to Transient with outcomeUnknown', async () => {
    action = () => undefined; // never answers
    const started = Date.now();
    const err = await failureOf(make({ requestTimeoutMs: 300 }).deactivate(ref));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err.kind).toBe('Transient');
    expect(err.details.outcomeUnknown).toBe(true);
    expect(err.message).toMatch(/timed out/);
    expect(metrics.at(-1)).toEqual({ route: 'deactivate', status: 'network-error', region: 'eu' });
  });

  it('times out a body that never finishes', async () => {
    action = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
    };
    const err = await failureOf(make({ requestTimeoutMs: 300 }).deactivate(ref));
    expect(err).toMatchObject({ kind: 'Transient', details: { outcomeUnknown: true } });
  });

  it('maps a connection reset to Transient with outcomeUnknown', async () => {
    action = (_req, res) => void res.socket?.resetAndDestroy();
    const err = await failureOf(make().deactivate(ref));
    expect(err.kind).toBe('Transient');
    expect(err.details.outcomeUnknown).toBe(true);
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(err.details.code);
  });

  it('maps a socket closed without an answer to Transient with outcomeUnknown', async () => {
    action = (_req, res) => void res.destroy();
    await expect(make().reactivate(ref)).rejects.toMatchObject({
      kind: 'Transient',
      details: { outcomeUnknown: true },
    });
  });

  it('maps connection refused to Transient, known not to have been applied', async () => {
    const port = await closedPort();
    const c = make({ registerUrlTemplate: `http://127.0.0.1:${port}/register/{region}` });
    const err = await failureOf(c.deactivate(ref));
    expect(err.kind).toBe('Transient');
    expect(err.details.code).toBe('ECONNREFUSED');
    expect(err.details.outcomeUnknown).toBeUndefined();
  });

  it('does not follow a redirect, and the redirect target receives nothing', async () => {
    const target = await startTestServer((_req, res) => json(res, 200, { access_token: 'stolen', expires_in: 100 }));
    try {
      action = (_req, res) => {
        res.writeHead(302, { location: `${target.url}/register/eu/api/v1/tenants/T-abc_1/actions/deactivate` });
        res.end();
      };
      const err = await failureOf(make().deactivate(ref));
      expect(err.kind).toBe('RequestRejected');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/redirects are never followed/);
      expect(err.message).toContain('HTTP 302');

      // Nor is the token request redirected with the client secret.
      server.handle((_req, res) => {
        res.writeHead(307, { location: `${target.url}/oauth/token` });
        res.end();
      });
      const tokenErr = await failureOf(make().ensureToken('us'));
      expect(tokenErr.kind).toBe('RequestRejected');
      expect(target.received).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it('rethrows the caller abort while the call is in flight, and sends nothing once already aborted', async () => {
    action = () => undefined;
    const c = make();
    const controller = new AbortController();
    const pending = c.deactivate(ref, controller.signal);
    setTimeout(() => controller.abort(new Error('activity cancelled')), 50);
    await expect(pending).rejects.toThrow('activity cancelled');
    await expect(pending).rejects.not.toBeInstanceOf(QlikError);

    const before = server.received.length;
    await expect(c.reactivate(ref, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.received).toHaveLength(before);
  });

  it('refuses a hostname that is not a DNS name without sending anything', async () => {
    const c = make();
    await expect(c.deactivate({ ...ref, hostname: 'evil.com/x?' })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(c.deactivate({ ...ref, region: '../eu' })).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(server.received).toHaveLength(0);
  });

  it('says RegionNotConfigured when no client serves the region', async () => {
    const c = make({ credentials: () => undefined });
    await expect(c.deactivate(ref)).rejects.toMatchObject({ kind: 'RegionNotConfigured' });
    expect(server.received).toHaveLength(0);
  });

  it('ignores a metrics hook that throws', async () => {
    const c = make({
      onResponse: () => {
        throw new Error('metrics down');
      },
    });
    await expect(c.deactivate(ref)).resolves.toHaveProperty('status', 'disabled');
  });

  it('refuses unsafe URL templates at creation', () => {
    expect(() => make({ registerUrlTemplate: 'http://register.{region}.qlikcloud.com' })).toThrow(/https/);
    expect(() => make({ tenantUrlTemplate: 'https://tenant.example.com' })).toThrow(/\{hostname\}/);
    client = undefined;
  });
});
