import { createManualClock, startSimulator, type Simulator } from '../../src/simulator';
import { call, CLIENT, errorCode, getTenant, registerUrl, requestToken, T0, TENANT, token, US_CLIENT } from './helpers';

describe('simulator token endpoint and bearer tokens', () => {
  const clock = createManualClock(T0);
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ now: clock.now, clients: [CLIENT, US_CLIENT], tenants: [TENANT] });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.clearRequests();
    sim.configure({ omitExpiresIn: false, tokenLifetimeMs: 21_600_000 });
  });

  it('issues a bearer token that lives 6 hours, with expires_in and expires_at', async () => {
    const reply = await requestToken(sim);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/),
      token_type: 'bearer',
      expires_at: new Date(T0 + 21_600_000).toISOString(),
      expires_in: 21600,
    });
    const [entry] = sim.requests();
    expect(entry).toMatchObject({ route: 'token', region: 'eu', clientId: 'eu-client', status: 200, applied: true });
  });

  it('accepts a form-encoded body and HTTP Basic credentials', async () => {
    const form = await call(`${registerUrl(sim)}/oauth/token`, {
      body: `grant_type=client_credentials&client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
    const viaBasic = await call(`${registerUrl(sim)}/oauth/token`, {
      body: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${basic}` },
    });
    expect(viaBasic.status).toBe(200);
  });

  it('omits expires_in when told to', async () => {
    sim.configure({ omitExpiresIn: true });
    const reply = await requestToken(sim);
    expect(reply.json.expires_in).toBeUndefined();
    expect(reply.json.expires_at).toBe(new Date(T0 + 21_600_000).toISOString());
  });

  it('answers 400 OAUTH-14 with a trace ID for an unknown client, or a client of another region', async () => {
    const unknown = await requestToken(sim, { ...CLIENT, clientId: 'nobody' });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      errors: [
        { code: 'OAUTH-14', title: 'Invalid client_id', detail: 'OAuth client is not authorized', status: '400' },
      ],
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const otherRegion = await requestToken(sim, US_CLIENT, 'eu');
    expect(otherRegion.status).toBe(400);
    expect(sim.requests().map((e) => e.applied)).toEqual([false, false]);
  });

  it('answers 401 for a wrong secret and 403 for a disabled client', async () => {
    const wrong = await requestToken(sim, { ...CLIENT, clientSecret: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.errors[0].status).toBe('401');

    sim.addClient({ region: 'eu', clientId: 'off', clientSecret: 's', disabled: true });
    const disabled = await requestToken(sim, { region: 'eu', clientId: 'off', clientSecret: 's' });
    expect(disabled.status).toBe(403);
  });

  it('answers 400 for malformed JSON, a missing client_id or another grant type', async () => {
    const url = `${registerUrl(sim)}/oauth/token`;
    const malformed = await call(url, { body: '{"client_id":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    const noClient = await call(url, { body: { grant_type: 'client_credentials' } });
    expect(noClient.status).toBe(400);
    const grant = await call(url, { body: { client_id: CLIENT.clientId, client_secret: 'x', grant_type: 'password' } });
    expect(grant.status).toBe(400);
    expect(errorCode(grant)).toBe('OAUTH-1');
  });

  it('answers 401 on API routes without a token, with an unknown or expired one, or one of another region', async () => {
    expect((await call(`${registerUrl(sim)}/api/v1/tenants/${TENANT.id}`)).status).toBe(401);
    expect((await getTenant(sim, 'not-a-token')).status).toBe(401);

    const usToken = await token(sim, US_CLIENT);
    expect((await getTenant(sim, usToken)).status).toBe(401);

    sim.configure({ tokenLifetimeMs: 1000 });
    const short = await token(sim);
    expect((await getTenant(sim, short)).status).toBe(200);
    clock.advance(999);
    expect((await getTenant(sim, short)).status).toBe(200);
    clock.advance(1);
    const expired = await getTenant(sim, short);
    expect(expired.status).toBe(401);
    expect(expired.json.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('stops honouring the tokens of a client once it is disabled', async () => {
    const client = { region: 'eu', clientId: 'soon-off', clientSecret: 's' };
    sim.addClient(client);
    const t = await token(sim, client);
    expect((await getTenant(sim, t)).status).toBe(200);
    sim.addClient({ ...client, disabled: true });
    expect((await getTenant(sim, t)).status).toBe(401);
  });
});
