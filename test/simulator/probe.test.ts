import { createManualClock, startSimulator, type Simulator } from '../../src/simulator';
import { action, CLIENT, DAY_MS, errorCode, probe, T0, TENANT, token } from './helpers';

describe('simulator tenant-host probe', () => {
  const clock = createManualClock(T0);
  let sim: Simulator;
  let bearer: string;

  beforeAll(async () => {
    sim = await startSimulator({ now: clock.now, dayMs: DAY_MS, clients: [CLIENT] });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    clock.set(T0);
    sim.configure({
      propagationDelayMs: 0,
      deactivatedCode: 'TENANT_DEACTIVATED',
      purgedAnswer: 'LOGIN-2',
      tier1PerMinute: 1000,
      tier2PerMinute: 100,
      rateWindowMs: 300_000,
    });
    sim.addTenant(TENANT);
    bearer = await token(sim);
    sim.clearRequests();
  });

  it('answers an active tenant with a 401 OAuth client error', async () => {
    const reply = await probe(sim);
    expect(reply.status).toBe(401);
    expect(errorCode(reply)).toMatch(/^OAUTH-/);
    expect(reply.json.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.requests()).toEqual([
      expect.objectContaining({ route: 'probe', hostname: TENANT.hostnames[0], tenantId: TENANT.id, status: 401 }),
    ]);
  });

  it('answers a deactivated tenant exactly like the tutorial, on every hostname in any case', async () => {
    await action(sim, 'deactivate', { token: bearer });
    for (const host of [TENANT.hostnames[0], TENANT.hostnames[1].toUpperCase()]) {
      const reply = await probe(sim, host);
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({
        errors: [
          {
            title: 'Tenant has been deactivated. Contact your administrator for more details.',
            code: 'TENANT_DEACTIVATED',
            status: '401',
          },
        ],
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    }
  });

  it('can use TENANT_DISABLED instead', async () => {
    sim.configure({ deactivatedCode: 'TENANT_DISABLED' });
    await action(sim, 'deactivate', { token: bearer });
    const reply = await probe(sim);
    expect(reply.status).toBe(401);
    expect(errorCode(reply)).toBe('TENANT_DISABLED');
  });

  it('still answers "active" during the propagation delay after a deactivate', async () => {
    sim.configure({ propagationDelayMs: 5000 });
    await action(sim, 'deactivate', { token: bearer });
    clock.advance(4999);
    expect(errorCode(await probe(sim))).toMatch(/^OAUTH-/);
    clock.advance(1);
    expect(errorCode(await probe(sim))).toBe('TENANT_DEACTIVATED');
  });

  it('answers LOGIN-2 once purged, and for a hostname it never knew', async () => {
    await action(sim, 'deactivate', { token: bearer });
    clock.advance(10 * DAY_MS);
    const purged = await probe(sim);
    expect(purged.status).toBe(401);
    expect(purged.json.errors[0]).toEqual({
      title: 'No authentication configured for this hostname',
      code: 'LOGIN-2',
      status: '401',
    });
    expect(errorCode(await probe(sim, 'never.eu.qlikcloud.com'))).toBe('LOGIN-2');
  });

  it('can answer a purged tenant with 404', async () => {
    sim.configure({ purgedAnswer: '404' });
    sim.setExternalStatus(TENANT.id, 'deleted');
    expect((await probe(sim)).status).toBe(404);
  });

  it('can drop the connection of a purged tenant, logged as status 0', async () => {
    sim.configure({ purgedAnswer: 'reset' });
    sim.setExternalStatus(TENANT.id, 'deleted');
    await expect(probe(sim)).rejects.toThrow();
    expect(sim.requests()).toEqual([expect.objectContaining({ route: 'probe', status: 0 })]);
  });

  it('is not rate-limited, and records what the caller sent', async () => {
    sim.configure({ tier1PerMinute: 1, tier2PerMinute: 1, rateWindowMs: 60_000 });
    for (let i = 0; i < 20; i++) expect((await probe(sim)).status).toBe(401);
    const entries = sim.requests();
    expect(entries).toHaveLength(20);
    expect(entries.every((e) => !e.body.includes(CLIENT.clientSecret))).toBe(true);
    expect(entries[0].headers.accept).toBe('application/json');
  });
});
