/**
 * The simulator's answers for the hardening edges (QLIK-API §2, §3, §5): injected refusals, rules armed by an
 * earlier request, region filters, a tenant's own propagation delay and a tenant's own (implausible) purge date.
 */
import {
  createManualClock,
  SimulatorControl,
  SimulatorInputError,
  startSimulator,
  type Simulator,
} from '../../src/simulator';
import { classifyProbe } from '../../src/qlik/probe';
import { action, CLIENT, DAY_MS, errorCode, probe, requestToken, T0, TENANT, token, US_CLIENT } from './helpers';

const OTHER = { id: 'tenant-2', hostnames: ['other.eu.qlikcloud.com'], region: 'eu' };

describe('simulator hardening variants', () => {
  const clock = createManualClock(T0);
  let sim: Simulator;
  let bearer: string;

  beforeAll(async () => {
    sim = await startSimulator({ clients: [CLIENT, US_CLIENT], dayMs: DAY_MS, now: clock.now });
    bearer = await token(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.configure({ propagationDelayMs: 0, omitPurgeDate: false });
    sim.setFaults([]);
    sim.addTenant(TENANT);
    sim.addTenant(OTHER);
    sim.clearRequests();
  });

  it.each(['400', '403', '404', '409', '412'] as const)(
    "refuses a repeat deactivate after a 'lost' one with an injected %s and applies nothing more",
    async (kind) => {
      sim.setFaults([{ route: 'deactivate', tenantId: TENANT.id, sequence: ['lost', { kind }] }]);
      await expect(action(sim, 'deactivate', { token: bearer })).rejects.toThrow();
      const purgeDate = sim.tenant(TENANT.id)!.estimatedPurgeDate;
      clock.advance(1000);
      const repeat = await action(sim, 'deactivate', { token: bearer });
      expect(repeat.status).toBe(Number(kind));
      expect(repeat.json.errors[0].status).toBe(kind);
      expect(errorCode(repeat)).toBe(kind === '404' ? 'TENANTS-8' : `HTTP-${kind}`);
      expect(repeat.json.traceId).toMatch(/^[0-9a-f]{32}$/);
      // The lost attempt took effect; the refused repeat changed nothing (not even the countdown).
      expect(sim.tenant(TENANT.id)).toMatchObject({
        status: 'disabled',
        deactivateCount: 1,
        estimatedPurgeDate: purgeDate,
      });
      expect(sim.requests().map(({ fault, applied, status }) => ({ fault, applied, status }))).toEqual([
        { fault: 'lost', applied: true, status: 0 },
        { fault: kind, applied: false, status: Number(kind) },
      ]);
    },
  );

  it('refuses a reactivate with an injected 409 and leaves the tenant disabled, then lets the next one through', async () => {
    sim.setFaults([{ route: 'reactivate', tenantId: TENANT.id, sequence: [{ kind: '409' }] }]);
    expect((await action(sim, 'deactivate', { token: bearer })).status).toBe(200);
    const refused = await action(sim, 'reactivate', { token: bearer });
    expect(refused.status).toBe(409);
    expect(sim.tenant(TENANT.id)).toMatchObject({ status: 'disabled', reactivateCount: 0 });
    expect((await action(sim, 'reactivate', { token: bearer })).status).toBe(200);
    expect(sim.tenant(TENANT.id)).toMatchObject({ status: 'active', reactivateCount: 1 });
  });

  it("answers one probe with a 404 (read as 'purged') only after a reactivate was received for that tenant", async () => {
    sim.setFaults([
      { route: 'reactivate', tenantId: TENANT.id, sequence: [{ kind: '403' }] },
      { route: 'probe', tenantId: TENANT.id, after: 'reactivate', sequence: [{ kind: '404' }] },
    ]);
    expect((await action(sim, 'deactivate', { token: bearer })).status).toBe(200);
    // Before the reactivation: the real answer, however often the host is probed.
    for (let i = 0; i < 3; i++) expect(errorCode(await probe(sim))).toBe('TENANT_DEACTIVATED');
    // Another tenant's reactivate does not arm the rule.
    await action(sim, 'reactivate', { token: bearer, tenantId: OTHER.id, hostname: OTHER.hostnames[0] });
    expect(errorCode(await probe(sim))).toBe('TENANT_DEACTIVATED');

    expect((await action(sim, 'reactivate', { token: bearer })).status).toBe(403);
    const glitch = await probe(sim);
    expect(glitch.status).toBe(404);
    expect(classifyProbe({ httpStatus: glitch.status, body: glitch.text }).state).toBe('purged');
    // Once: the tenant is still there, deactivated.
    expect(errorCode(await probe(sim))).toBe('TENANT_DEACTIVATED');
    expect(sim.tenant(TENANT.id)?.status).toBe('disabled');
    expect(sim.requests().filter((r) => r.route === 'probe' && r.fault === '404')).toHaveLength(1);
  });

  it("arms an 'after' rule again when the rules are set again", async () => {
    const rules = [
      { route: 'probe' as const, tenantId: TENANT.id, after: 'deactivate' as const, kind: '503' as const },
    ];
    sim.setFaults(rules);
    expect((await probe(sim)).status).toBe(401);
    await action(sim, 'deactivate', { token: bearer });
    expect((await probe(sim)).status).toBe(503);
    sim.setFaults(rules);
    expect((await probe(sim)).status).toBe(401);
  });

  it("faults one region's token endpoint only, and never a tenant-host probe, with a 'region' rule", async () => {
    sim.setFaults([{ route: '*', region: 'us', kind: '503' }]);
    expect((await requestToken(sim, US_CLIENT)).status).toBe(503);
    expect((await requestToken(sim, CLIENT)).status).toBe(200);
    expect((await probe(sim)).status).toBe(401);
    expect(sim.requests().map((r) => [r.route, r.region, r.fault])).toEqual([
      ['token', 'us', '503'],
      ['token', 'eu', undefined],
      ['probe', undefined, undefined],
    ]);
  });

  it("shows a tenant's deactivation at its host after the tenant's own propagation delay", async () => {
    sim.configure({ propagationDelayMs: 100 });
    sim.addTenant({ ...TENANT, propagationDelayMs: 3000 });
    sim.addTenant(OTHER);
    await action(sim, 'deactivate', { token: bearer });
    await action(sim, 'deactivate', { token: bearer, tenantId: OTHER.id, hostname: OTHER.hostnames[0] });
    clock.advance(200);
    expect(errorCode(await probe(sim))).toBe('OAUTH-14');
    expect(errorCode(await probe(sim, OTHER.hostnames[0]))).toBe('TENANT_DEACTIVATED');
    clock.advance(2900);
    expect(errorCode(await probe(sim))).toBe('TENANT_DEACTIVATED');
  });

  it.each([
    ['a date in the past', new Date(T0 - 3_600_000).toISOString()],
    ['the 1970 sentinel', '1970-01-01T00:00:00Z'],
    ['a date without time', '2026-12-30'],
    ['year 9999', '9999-12-31T23:59:59.999Z'],
    ['no date at all', 'soon'],
  ])(
    "answers deactivate with the tenant's own estimatedPurgeDate (%s), but purges at the real date",
    async (_, date) => {
      sim.configure({ omitPurgeDate: true });
      sim.addTenant({ ...TENANT, purgeDateAnswer: date });
      const answer = await action(sim, 'deactivate', { token: bearer });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ id: TENANT.id, status: 'disabled', estimatedPurgeDate: date });
      const real = clock.now() + 10 * DAY_MS;
      expect(sim.tenant(TENANT.id)).toMatchObject({
        status: 'disabled',
        estimatedPurgeDate: new Date(real).toISOString(),
      });
      // A repeat answers the same; another tenant gets its real date.
      expect((await action(sim, 'deactivate', { token: bearer })).json.estimatedPurgeDate).toBe(date);
      const other = await action(sim, 'deactivate', {
        token: bearer,
        tenantId: OTHER.id,
        hostname: OTHER.hostnames[0],
      });
      expect(other.json.estimatedPurgeDate).toBeUndefined(); // omitPurgeDate still holds for the others
      expect((await action(sim, 'reactivate', { token: bearer })).status).toBe(200);
      expect(sim.tenant(TENANT.id)?.status).toBe('active');
    },
  );

  it('refuses malformed new options, naming the field', () => {
    const bad: [() => void, string][] = [
      [() => sim.setFaults([{ route: 'probe', kind: '418' as '404' }]), 'faults[0].kind'],
      [() => sim.setFaults([{ route: 'probe', kind: '404', after: 'nope' as 'token' }]), 'faults[0].after'],
      [() => sim.setFaults([{ route: 'token', kind: '503', region: '' }]), 'faults[0].region'],
      [() => sim.addTenant({ ...TENANT, propagationDelayMs: -1 }), 'tenant.propagationDelayMs'],
      [() => sim.addTenant({ ...TENANT, purgeDateAnswer: 5 as unknown as string }), 'tenant.purgeDateAnswer'],
    ];
    for (const [fn, field] of bad) {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SimulatorInputError);
      expect((error as SimulatorInputError).field).toBe(field);
    }
  });

  it('takes the new rule fields and tenant fields through the control API', async () => {
    const control = new SimulatorControl(sim.url);
    await control.addTenant({ ...TENANT, propagationDelayMs: 0, purgeDateAnswer: '1970-01-01T00:00:00Z' });
    await control.setFaults([
      { route: 'deactivate', tenantId: TENANT.id, region: 'eu', sequence: ['lost', { kind: '403' }] },
      { route: 'probe', tenantId: TENANT.id, after: 'deactivate', sequence: [{ kind: '404' }] },
    ]);
    await expect(action(sim, 'deactivate', { token: bearer })).rejects.toThrow();
    expect((await probe(sim)).status).toBe(404);
    expect((await action(sim, 'deactivate', { token: bearer })).status).toBe(403);
    sim.setFaults([]);
    expect((await action(sim, 'deactivate', { token: bearer })).json.estimatedPurgeDate).toBe('1970-01-01T00:00:00Z');
  });
});
