import {
  SimulatorControl,
  SimulatorControlError,
  startSimulator,
  SimulatorInputError,
  type Simulator,
} from '../../src/simulator';
import { action, call, CLIENT, probe, TENANT, token } from './helpers';

describe('simulator control API over HTTP (SimulatorControl)', () => {
  let sim: Simulator;
  let control: SimulatorControl;

  beforeAll(async () => {
    sim = await startSimulator({ dayMs: 1000 });
    control = new SimulatorControl(`${sim.url}/`);
  });
  afterAll(() => sim.close());

  it('reports health with the URL templates', async () => {
    const health = await control.health();
    expect(health).toEqual({
      ok: true,
      url: sim.url,
      registerUrlTemplate: sim.registerUrlTemplate,
      tenantUrlTemplate: sim.tenantUrlTemplate,
      now: expect.any(Number),
    });
    expect(control.registerUrlTemplate).toBe(sim.registerUrlTemplate);
    expect(control.tenantUrlTemplate).toBe(sim.tenantUrlTemplate);
  });

  it('seeds clients and tenants, reads tenants back, and changes a status out of band', async () => {
    await control.addClient([CLIENT]);
    const views = await control.addTenants([TENANT, { id: 'b', hostnames: ['b.eu.qlikcloud.com'], region: 'eu' }]);
    expect(views.map((v) => v.id)).toEqual([TENANT.id, 'b']);
    expect(
      await control.addTenant({ id: 'c', hostnames: ['c.eu.qlikcloud.com'], region: 'eu', status: 'disabled' }),
    ).toMatchObject({ id: 'c', status: 'disabled' });
    expect(await control.tenant('nope')).toBeUndefined();

    const bearer = await token(sim);
    expect((await action(sim, 'deactivate', { token: bearer })).status).toBe(200);
    expect(await control.tenant(TENANT.id)).toMatchObject({ status: 'disabled', deactivateCount: 1 });

    const view = await control.setExternalStatus(TENANT.id, 'active');
    expect(view).toMatchObject({ status: 'active', reactivateCount: 0 });
    expect(sim.tenant(TENANT.id)?.status).toBe('active');
  });

  it('serves the request log (with ?since) without logging its own calls, and clears it', async () => {
    await control.clearRequests();
    await probe(sim);
    await probe(sim);
    const all = await control.requests();
    expect(all.map((e) => e.route)).toEqual(['probe', 'probe']);
    expect(await control.requests(all[0].seq)).toEqual([all[1]]);
    await control.clearRequests();
    expect(await control.requests()).toEqual([]);
    expect(sim.requests()).toEqual([]);
  });

  it('sets faults and configuration', async () => {
    await control.setFaults([{ route: 'probe', sequence: ['503'] }]);
    expect((await probe(sim)).status).toBe(503);
    expect((await probe(sim)).status).toBe(401);

    const settings = await control.configure({ purgedAnswer: '404', tier2PerMinute: 0, faults: [] });
    expect(settings).toMatchObject({ purgedAnswer: '404', tier2PerMinute: 0, dayMs: 1000 });
    expect(await control.settings()).toEqual(sim.settings());
    expect((await probe(sim, 'gone.eu.qlikcloud.com')).status).toBe(404);
  });

  it('refuses bad input with 400 naming the field, and unknown control routes with 404', async () => {
    await expect(control.configure({ dayMs: -1 })).rejects.toMatchObject({ status: 400, field: 'config.dayMs' });
    await expect(control.addTenant({ id: 'x', hostnames: [], region: 'eu' })).rejects.toMatchObject({
      status: 400,
      field: 'tenant.hostnames',
    });
    await expect(control.setFaults([{ route: 'probe', kind: 'boom' as 'reset' }])).rejects.toBeInstanceOf(
      SimulatorControlError,
    );
    await expect(control.setExternalStatus('nope', 'active')).rejects.toMatchObject({ status: 404 });
    await expect(control.configure({ port: 1 } as never)).rejects.toMatchObject({ status: 400, field: 'port' });

    const malformed = await call(`${sim.url}/_sim/tenants`, {
      body: '{"id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect((await call(`${sim.url}/_sim/nothing`)).status).toBe(404);
  });

  it('refuses a bad configure in-process too, leaving the settings as they were', () => {
    const before = sim.settings();
    expect(() => sim.configure({ dayMs: 5, purgedAnswer: 'gone' as 'reset' })).toThrow(SimulatorInputError);
    expect(sim.settings()).toEqual(before);
  });
});

describe('startSimulator options', () => {
  it('refuses a non-loopback host and bad options, naming them', async () => {
    await expect(startSimulator({ host: '0.0.0.0' })).rejects.toThrow('options.host');
    await expect(startSimulator({ dayMs: 0 })).rejects.toThrow('options.dayMs');
    await expect(startSimulator({ tenants: [{ id: 't', hostnames: ['h'], region: '' }] })).rejects.toThrow(
      'options.tenants[0].region',
    );
  });

  it('closes cleanly even with a slow request in flight and a keep-alive connection open', async () => {
    const sim = await startSimulator({ faults: [{ route: 'probe', kind: 'slow', delayMs: 60_000 }] });
    const pending = probe(sim).catch((err: Error) => err);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sim.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(sim.requests()[0]).toMatchObject({ fault: 'slow', status: 0 });
  });
});
