import { createQlikClient, type QlikClientOptions, type QlikHttpClient } from '../../src/qlik/create-qlik-client';
import { PROBE_REQUEST_BODY } from '../../src/qlik/probe';
import { freePort as closedPort } from '../../harness/ports';
import {
  clientOptionsFor,
  closeClientAndServer,
  json,
  qlikError,
  startTestServer,
  type TestServer,
} from '../../harness/qlik-stub';

const SECRET = 'region-secret-value-42';
const HOST = 'acme.eu.qlikcloud.com';

describe('probe (real HTTP)', () => {
  let server: TestServer;
  let client: QlikHttpClient | undefined;

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await closeClientAndServer(client, server);
    client = undefined;
  });

  const make = (extra: Partial<QlikClientOptions> = {}): QlikHttpClient => {
    client = createQlikClient({
      ...clientOptionsFor(server, SECRET),
      ...extra,
    });
    return client;
  };

  it('never carries the region client, its secret or a token to the tenant host', async () => {
    server.handle((req, res) =>
      req.path.startsWith('/register/')
        ? json(res, 200, { access_token: 'region-access-token', expires_in: 21600 })
        : json(res, 401, qlikError('TENANT_DEACTIVATED', 'Tenant has been deactivated.')),
    );
    const c = make();
    await c.ensureToken('eu'); // a cached region token exists: it must still not be sent
    await c.probe(HOST);
    const probes = server.received.filter((r) => r.path.startsWith('/tenant/'));
    expect(probes).toHaveLength(1);
    const [req] = probes;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/tenant/${HOST}/oauth/token`);
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual(PROBE_REQUEST_BODY);
    const everything = JSON.stringify(req);
    for (const secret of [SECRET, 'client-eu', 'region-access-token']) expect(everything).not.toContain(secret);
  });

  it.each([
    [
      '401 TENANT_DEACTIVATED',
      'deactivated',
      401,
      qlikError('TENANT_DEACTIVATED', 'Tenant has been deactivated.', 'tr-d'),
    ],
    ['401 TENANT_DISABLED', 'deactivated', 401, qlikError('TENANT_DISABLED', 'Tenant disabled', 'tr-d')],
    ['400 OAUTH-14', 'active', 400, qlikError('OAUTH-14', 'Invalid client_id', 'tr-a')],
    ['401 {"error":"invalid_client"}', 'active', 401, { error: 'invalid_client' }],
    ['401 LOGIN-2', 'purged', 401, qlikError('LOGIN-2', 'No authentication configured for this hostname', 'tr-p')],
    ['404', 'purged', 404, ''],
    ['429', 'unknown', 429, qlikError('HTTP-429', 'API rate limit reached.')],
    ['503', 'unknown', 503, ''],
    ['401 with an unknown code', 'unknown', 401, qlikError('WHO_KNOWS', '?')],
  ])('classifies %s as %s', async (_name, state, status, body) => {
    server.handle((_req, res) => json(res, status as number, body));
    const answer = await make().probe(HOST);
    expect(answer.state).toBe(state);
    expect(answer.httpStatus).toBe(status);
  });

  it('returns the code and traceId', async () => {
    server.handle((_req, res) =>
      json(res, 401, qlikError('TENANT_DEACTIVATED', 'x', '00000000000000009a3a5a25531c1e2d')),
    );
    await expect(make().probe(HOST)).resolves.toEqual({
      state: 'deactivated',
      httpStatus: 401,
      code: 'TENANT_DEACTIVATED',
      traceId: '00000000000000009a3a5a25531c1e2d',
    });
  });

  it('lower-cases the hostname', async () => {
    server.handle((_req, res) => json(res, 404, ''));
    await make().probe('ACME.eu.QlikCloud.com');
    expect(server.received[0].path).toBe(`/tenant/${HOST}/oauth/token`);
  });

  it('is unknown, not purged, when the connection is refused', async () => {
    const port = await closedPort();
    const answer = await make({ tenantUrlTemplate: `http://127.0.0.1:${port}/tenant/{hostname}` }).probe(HOST);
    expect(answer).toEqual({ state: 'unknown', code: 'ECONNREFUSED' });
  });

  it('is unknown on a timeout, and does not throw', async () => {
    server.handle(() => undefined);
    await expect(make({ requestTimeoutMs: 200 }).probe(HOST)).resolves.toEqual({ state: 'unknown', code: 'ETIMEDOUT' });
  });

  it('is unknown on a connection reset', async () => {
    server.handle((_req, res) => void res.socket?.resetAndDestroy());
    await expect(make().probe(HOST)).resolves.toMatchObject({ state: 'unknown' });
  });

  it('is unknown on a redirect, which it does not follow', async () => {
    const target = await startTestServer((_req, res) => json(res, 404, ''));
    try {
      server.handle((_req, res) => {
        res.writeHead(301, { location: `${target.url}/oauth/token` });
        res.end();
      });
      await expect(make().probe(HOST)).resolves.toEqual({ state: 'unknown', httpStatus: 301 });
      expect(target.received).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it('is unknown for a hostname that is not a DNS name, without sending anything', async () => {
    await expect(make().probe('not a host/..')).resolves.toMatchObject({ state: 'unknown' });
    expect(server.received).toHaveLength(0);
  });

  it('rethrows the caller abort instead of answering', async () => {
    server.handle(() => undefined);
    const controller = new AbortController();
    const pending = make().probe(HOST, controller.signal);
    setTimeout(() => controller.abort(new Error('activity cancelled')), 30);
    await expect(pending).rejects.toThrow('activity cancelled');
  });

  it('reports each probe to the metrics hook without a region', async () => {
    const seen: unknown[] = [];
    server.handle((_req, res) => json(res, 404, ''));
    await make({ onResponse: (info) => seen.push(info) }).probe(HOST);
    expect(seen).toEqual([{ route: 'probe', status: 404 }]);
  });
});
