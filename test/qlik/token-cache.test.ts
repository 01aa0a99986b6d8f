import { createQlikClient, type QlikClientOptions, type QlikHttpClient } from '../../src/qlik/create-qlik-client';
import { QlikError } from '../../src/qlik/types';
import {
  clientOptionsFor,
  closeClientAndServer,
  json,
  qlikError,
  startTestServer,
  type TestServer,
} from '../../harness/qlik-stub';

const SECRET = 'region-secret-value-42';
const HOUR = 3_600_000;

describe('token cache (real HTTP)', () => {
  let server: TestServer;
  let client: QlikHttpClient | undefined;
  let issued: number;

  beforeEach(async () => {
    issued = 0;
    server = await startTestServer((req, res) => {
      if (req.path.endsWith('/oauth/token')) {
        issued += 1;
        // A little latency so that concurrent callers overlap with the request in flight.
        setTimeout(
          () => json(res, 200, { access_token: `tok-${issued}`, token_type: 'bearer', expires_in: 21600 }),
          20,
        );
      } else json(res, 404, qlikError('X', 'x'));
    });
  });
  afterEach(async () => {
    await closeClientAndServer(client, server);
    client = undefined;
  });

  const make = (extra: Partial<QlikClientOptions> = {}): QlikHttpClient => {
    client = createQlikClient({
      ...clientOptionsFor(server, SECRET),
      credentials: (region) =>
        region === 'eu' || region === 'us' ? { clientId: `client-${region}`, clientSecret: SECRET } : undefined,
      ...extra,
    });
    return client;
  };

  it('shares one token request among concurrent callers and reuses the token', async () => {
    const c = make();
    const answers = await Promise.all(Array.from({ length: 20 }, () => c.ensureToken('eu')));
    await c.ensureToken('eu');
    expect(c.tokenRequests()).toBe(1);
    expect(server.received.filter((r) => r.path === '/register/eu/oauth/token')).toHaveLength(1);
    expect(new Set(answers.map((a) => a.expiresAt)).size).toBe(1);
  });

  it('returns only the expiry, never the token', async () => {
    const answer = await make().ensureToken('eu');
    expect(Object.keys(answer)).toEqual(['expiresAt']);
    expect(JSON.stringify(answer)).not.toContain('tok-');
    expect(new Date(answer.expiresAt).toISOString()).toBe(answer.expiresAt);
  });

  it('sends the client credentials as JSON to the region register endpoint', async () => {
    await make().ensureToken('us');
    const [req] = server.received;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/register/us/oauth/token');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      client_id: 'client-us',
      client_secret: SECRET,
      grant_type: 'client_credentials',
    });
  });

  it('keeps one token per region', async () => {
    const c = make();
    await Promise.all([c.ensureToken('eu'), c.ensureToken('us'), c.ensureToken('eu')]);
    expect(c.tokenRequests()).toBe(2);
  });

  it('refreshes shortly before expiry, not earlier', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const c = make({ now: () => now, refreshBeforeExpiryMs: 5 * 60_000 });
    const first = await c.ensureToken('eu');
    expect(first.expiresAt).toBe('2026-06-01T06:00:00.000Z');
    now += 6 * HOUR - 5 * 60_000 - 1;
    await c.ensureToken('eu');
    expect(c.tokenRequests()).toBe(1);
    now += 1;
    const second = await c.ensureToken('eu');
    expect(c.tokenRequests()).toBe(2);
    expect(second.expiresAt).toBe('2026-06-01T11:55:00.000Z');
  });

  it('never refreshes more than half a lifetime early', async () => {
    let now = 0;
    server.handle((_req, res) => json(res, 200, { access_token: 'short', expires_in: 60 }));
    const c = make({ now: () => now, refreshBeforeExpiryMs: 5 * 60_000 });
    await c.ensureToken('eu');
    now = 29_999;
    await c.ensureToken('eu');
    expect(c.tokenRequests()).toBe(1);
    now = 30_000;
    await c.ensureToken('eu');
    expect(c.tokenRequests()).toBe(2);
  });

  it('uses expires_at when expires_in is missing', async () => {
    const now = Date.parse('2026-06-03T12:29:45.000Z');
    server.handle((_req, res) =>
      json(res, 200, { access_token: 'a', token_type: 'bearer', expires_at: '2026-06-03T18:29:45.000Z' }),
    );
    expect((await make({ now: () => now }).ensureToken('eu')).expiresAt).toBe('2026-06-03T18:29:45.000Z');
  });

  it('rejects every waiter when the shared request fails, and does not cache the failure', async () => {
    let fail = true;
    server.handle((_req, res) => {
      if (fail) setTimeout(() => json(res, 503, qlikError('HTTP-503', 'Unavailable', 'tr-503')), 20);
      else json(res, 200, { access_token: 'ok', expires_in: 21600 });
    });
    const c = make();
    const results = await Promise.allSettled([c.ensureToken('eu'), c.ensureToken('eu'), c.ensureToken('eu')]);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as QlikError).kind === 'Transient')).toBe(true);
    expect(c.tokenRequests()).toBe(1);
    fail = false;
    await expect(c.ensureToken('eu')).resolves.toHaveProperty('expiresAt');
    expect(c.tokenRequests()).toBe(2);
  });

  it.each([400, 401, 403])('maps token endpoint %i to InvalidCredentials without the secret', async (status) => {
    server.handle((_req, res) =>
      json(res, status, {
        errors: [{ code: 'OAUTH-14', title: 'Invalid client_id', detail: `got ${SECRET}` }],
        traceId: 'tr-tok',
      }),
    );
    const err = (await make()
      .ensureToken('eu')
      .catch((e: unknown) => e)) as QlikError;
    expect(err).toBeInstanceOf(QlikError);
    expect(err.kind).toBe('InvalidCredentials');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('OAUTH-14');
    expect(err.message).toContain('tr-tok');
    expect(err.message).toContain(`HTTP ${status}`);
    expect(err.message + JSON.stringify(err.details)).not.toContain(SECRET);
  });

  it('maps a token 429 to RateLimited with retry-after', async () => {
    server.handle((_req, res) =>
      json(res, 429, qlikError('HTTP-429', 'API rate limit reached.'), { 'retry-after': '13' }),
    );
    await expect(make().ensureToken('eu')).rejects.toMatchObject({
      kind: 'RateLimited',
      details: { retryAfterMs: 13_000 },
    });
  });

  it('treats a 200 without access_token as Transient', async () => {
    server.handle((_req, res) => json(res, 200, '<html>proxy</html>'));
    await expect(make().ensureToken('eu')).rejects.toMatchObject({ kind: 'Transient' });
  });

  it('says RegionNotConfigured without any request when the region has no client', async () => {
    const c = make();
    await expect(c.ensureToken('jp')).rejects.toMatchObject({ kind: 'RegionNotConfigured' });
    expect(server.received).toHaveLength(0);
  });

  it('lets one waiter abort without failing the shared request for the others', async () => {
    const c = make();
    const controller = new AbortController();
    const aborted = c.ensureToken('eu', controller.signal);
    const other = c.ensureToken('eu');
    controller.abort(new Error('activity cancelled'));
    await expect(aborted).rejects.toThrow('activity cancelled');
    await expect(other).resolves.toHaveProperty('expiresAt');
    expect(c.tokenRequests()).toBe(1);
  });

  it('keeps using a still-valid token when an early refresh fails transiently', async () => {
    let now = 0;
    const c = make({ now: () => now, refreshBeforeExpiryMs: 5 * 60_000 });
    await c.ensureToken('eu');
    server.handle((_req, res) => json(res, 503, qlikError('HTTP-503', 'down')));
    now = 6 * HOUR - 60_000;
    await expect(c.ensureToken('eu')).resolves.toEqual({ expiresAt: new Date(6 * HOUR).toISOString() });
    now = 6 * HOUR;
    await expect(c.ensureToken('eu')).rejects.toMatchObject({ kind: 'Transient' });
  });
});
