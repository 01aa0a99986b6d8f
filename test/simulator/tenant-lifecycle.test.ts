import { createManualClock, startSimulator, type Simulator } from '../../src/simulator';
import { action, call, CLIENT, DAY_MS, errorCode, getTenant, registerUrl, T0, TENANT, token } from './helpers';

describe('simulator tenant lifecycle: deactivate, reactivate, purge', () => {
  const clock = createManualClock(T0);
  let sim: Simulator;
  let bearer: string;

  beforeAll(async () => {
    sim = await startSimulator({ now: clock.now, dayMs: DAY_MS, clients: [CLIENT] });
    bearer = await token(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    clock.set(T0);
    sim.configure({
      purgeLagMs: 0,
      omitPurgeDate: false,
      reactivateAnswer: 'status',
      reactivateWhenActive: 'ok',
      tokenLifetimeMs: 1e12,
    });
    sim.addTenant(TENANT); // a fresh, active tenant for each test
    sim.clearRequests();
  });

  it('deactivates: 200 with status disabled and a purge date days x dayMs ahead', async () => {
    const reply = await action(sim, 'deactivate', { token: bearer, body: { purgeAfterDays: 10 } });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      id: TENANT.id,
      status: 'disabled',
      estimatedPurgeDate: new Date(T0 + 10 * DAY_MS).toISOString(),
    });
    expect(sim.tenant(TENANT.id)).toMatchObject({ status: 'disabled', deactivateCount: 1 });
    expect(sim.requests()).toEqual([
      expect.objectContaining({
        route: 'deactivate',
        tenantId: TENANT.id,
        status: 200,
        applied: true,
        clientId: 'eu-client',
      }),
    ]);
  });

  it('uses 30 days when purgeAfterDays is not sent, and accepts an alias hostname in any case', async () => {
    const reply = await action(sim, 'deactivate', { token: bearer, body: {}, hostname: 'ACME-Alias.eu.qlikcloud.com' });
    expect(reply.status).toBe(200);
    expect(reply.json.estimatedPurgeDate).toBe(new Date(T0 + 30 * DAY_MS).toISOString());
  });

  it('answers 412 for a wrong or missing qlik-confirm-hostname, and changes nothing', async () => {
    const wrong = await action(sim, 'deactivate', { token: bearer, hostname: 'other.eu.qlikcloud.com' });
    expect(wrong.status).toBe(412);
    const missing = await action(sim, 'deactivate', { token: bearer, hostname: null });
    expect(missing.status).toBe(412);
    expect(sim.tenant(TENANT.id)?.status).toBe('active');
    expect(sim.requests().map((e) => e.applied)).toEqual([false, false]);
  });

  it.each([[9], [91], [30.5], ['30'], [null]])('answers 400 for purgeAfterDays %p', async (days) => {
    const reply = await action(sim, 'deactivate', { token: bearer, body: { purgeAfterDays: days } });
    expect(reply.status).toBe(400);
    expect(sim.tenant(TENANT.id)?.status).toBe('active');
  });

  it('answers 400 for a malformed JSON body', async () => {
    const reply = await action(sim, 'deactivate', { token: bearer, body: '{"purgeAfterDays": 1' });
    expect(reply.status).toBe(400);
  });

  it('answers 404 TENANTS-8 for an unknown tenant or one of another region', async () => {
    const unknown = await action(sim, 'deactivate', { token: bearer, tenantId: 'nope' });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('TENANTS-8');
    sim.addTenant({ id: 'us-tenant', hostnames: ['u.us.qlikcloud.com'], region: 'us' });
    const elsewhere = await action(sim, 'deactivate', {
      token: bearer,
      tenantId: 'us-tenant',
      hostname: 'u.us.qlikcloud.com',
    });
    expect(elsewhere.status).toBe(404);
  });

  it('answers 403 when a non-OEM client sends purgeAfterDays, but deactivates without it', async () => {
    const nonOem = { region: 'eu', clientId: 'non-oem', clientSecret: 's', oem: false };
    sim.addClient(nonOem);
    const t = await token(sim, nonOem);
    expect((await action(sim, 'deactivate', { token: t, body: { purgeAfterDays: 10 } })).status).toBe(403);
    expect((await action(sim, 'deactivate', { token: t, body: {} })).status).toBe(200);
  });

  it('resets the countdown on a repeat deactivate: 200 with a later date, which then counts', async () => {
    const first = await action(sim, 'deactivate', { token: bearer, body: { purgeAfterDays: 10 } });
    clock.advance(3 * DAY_MS);
    const second = await action(sim, 'deactivate', { token: bearer, body: { purgeAfterDays: 10 } });
    expect(second.status).toBe(200);
    expect(Date.parse(second.json.estimatedPurgeDate)).toBe(Date.parse(first.json.estimatedPurgeDate) + 3 * DAY_MS);
    expect(sim.tenant(TENANT.id)).toMatchObject({
      deactivateCount: 2,
      estimatedPurgeDate: second.json.estimatedPurgeDate,
    });
    clock.advance(10 * DAY_MS - 1);
    expect(sim.tenant(TENANT.id)?.status).toBe('disabled');
  });

  it('reactivates before the purge date: 200 {id, status: active}', async () => {
    await action(sim, 'deactivate', { token: bearer });
    clock.advance(10 * DAY_MS - 1);
    const reply = await action(sim, 'reactivate', { token: bearer });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ id: TENANT.id, status: 'active' });
    expect(sim.tenant(TENANT.id)).toMatchObject({ status: 'active', reactivateCount: 1 });
    expect(sim.tenant(TENANT.id)?.estimatedPurgeDate).toBeUndefined();
  });

  it('can answer a reactivate with an empty body', async () => {
    sim.configure({ reactivateAnswer: 'empty' });
    await action(sim, 'deactivate', { token: bearer });
    const reply = await action(sim, 'reactivate', { token: bearer });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({});
  });

  it('answers a reactivate of an active tenant with 200 (nothing applied) or 400, as configured', async () => {
    const ok = await action(sim, 'reactivate', { token: bearer });
    expect(ok.status).toBe(200);
    sim.configure({ reactivateWhenActive: 'reject' });
    const rejected = await action(sim, 'reactivate', { token: bearer });
    expect(rejected.status).toBe(400);
    expect(sim.requests().map((e) => e.applied)).toEqual([false, false]);
    expect(sim.tenant(TENANT.id)?.reactivateCount).toBe(0);
  });

  it('answers 412 to a reactivate with the wrong hostname', async () => {
    await action(sim, 'deactivate', { token: bearer });
    expect((await action(sim, 'reactivate', { token: bearer, hostname: 'x.eu.qlikcloud.com' })).status).toBe(412);
    expect(sim.tenant(TENANT.id)?.status).toBe('disabled');
  });

  it('refuses a reactivate from the purge date on (404), even while the purge itself lags', async () => {
    sim.configure({ purgeLagMs: 5 * DAY_MS });
    await action(sim, 'deactivate', { token: bearer });
    clock.advance(10 * DAY_MS);
    expect((await action(sim, 'reactivate', { token: bearer })).status).toBe(404);
    const read = await getTenant(sim, bearer);
    expect(read.json.status).toBe('disabled');
  });

  it('purges at the purge date + lag: then the tenant is deleted and every route answers 404', async () => {
    sim.configure({ purgeLagMs: 2 * DAY_MS });
    await action(sim, 'deactivate', { token: bearer });
    clock.advance(12 * DAY_MS - 1);
    expect(sim.tenant(TENANT.id)?.status).toBe('disabled');
    clock.advance(1);
    expect(sim.tenant(TENANT.id)).toMatchObject({
      status: 'deleted',
      purgedAt: new Date(T0 + 12 * DAY_MS).toISOString(),
    });
    expect((await getTenant(sim, bearer)).status).toBe(404);
    expect((await action(sim, 'deactivate', { token: bearer })).status).toBe(404);
    expect((await action(sim, 'reactivate', { token: bearer })).status).toBe(404);
  });

  it('answers 200 without estimatedPurgeDate when told to', async () => {
    sim.configure({ omitPurgeDate: true });
    const reply = await action(sim, 'deactivate', { token: bearer });
    expect(reply.json).toEqual({ id: TENANT.id, status: 'disabled' });
    expect(sim.tenant(TENANT.id)?.estimatedPurgeDate).toBe(new Date(T0 + 10 * DAY_MS).toISOString());
  });

  it('returns the Tenant object on GET, without a purge date', async () => {
    const reply = await getTenant(sim, bearer);
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      id: TENANT.id,
      name: 'acme',
      hostnames: TENANT.hostnames,
      region: 'eu',
      datacenter: 'eu-west-1',
      status: 'active',
    });
    expect(reply.json.estimatedPurgeDate).toBeUndefined();
  });

  it('applies out-of-band status changes at once', async () => {
    await action(sim, 'deactivate', { token: bearer });
    sim.setExternalStatus(TENANT.id, 'active');
    expect(sim.tenant(TENANT.id)).toMatchObject({ status: 'active', reactivateCount: 0 });
    sim.setExternalStatus(TENANT.id, 'disabled', { purgeAfterDays: 12 });
    expect(sim.tenant(TENANT.id)?.estimatedPurgeDate).toBe(new Date(T0 + 12 * DAY_MS).toISOString());
    sim.setExternalStatus(TENANT.id, 'deleted');
    expect((await getTenant(sim, bearer)).status).toBe(404);
  });

  it('answers 404 to unknown routes and wrong methods, and logs them as unknown', async () => {
    expect((await call(`${sim.url}/nowhere`)).status).toBe(404);
    const wrongMethod = await call(`${registerUrl(sim)}/api/v1/tenants/${TENANT.id}/actions/deactivate`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(wrongMethod.status).toBe(404);
    expect(sim.requests().map((e) => [e.route, e.status])).toEqual([
      ['unknown', 404],
      ['unknown', 404],
    ]);
  });
});
