import { createQlikClient, type QlikHttpClient } from '../../src/qlik/create-qlik-client';
import { QlikError } from '../../src/qlik/types';
import { startSimulator, type Simulator } from '../../src/simulator';

const SECRET = 'sim-secret-do-not-leak';
const ref = { region: 'eu', tenantId: 'tenant-1', hostname: 'acme.eu.qlikcloud.com' };

describe('Qlik client against the simulator', () => {
  let sim: Simulator;
  let client: QlikHttpClient;

  beforeEach(async () => {
    sim = await startSimulator({
      clients: [{ region: 'eu', clientId: 'client-eu', clientSecret: SECRET }],
      tenants: [{ id: ref.tenantId, hostnames: [ref.hostname, 'alias.eu.qlikcloud.com'], region: 'eu' }],
    });
    client = createQlikClient({
      registerUrlTemplate: sim.registerUrlTemplate,
      tenantUrlTemplate: sim.tenantUrlTemplate,
      credentials: (region) => (region === 'eu' ? { clientId: 'client-eu', clientSecret: SECRET } : undefined),
      requestTimeoutMs: 2_000,
    });
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('gets one token for many calls', async () => {
    await Promise.all([
      client.ensureToken('eu'),
      client.ensureToken('eu'),
      client.deactivate(ref),
      client.reactivate(ref),
    ]);
    expect(client.tokenRequests()).toBe(1);
    expect(sim.requests().filter((r) => r.route === 'token')).toHaveLength(1);
  });

  it('reads expires_at when the token answer lacks expires_in', async () => {
    sim.configure({ omitExpiresIn: true });
    const { expiresAt } = await client.ensureToken('eu');
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(5 * 3_600_000);
  });

  it('deactivates, probes deactivated, reactivates, probes active', async () => {
    expect(await client.probe(ref.hostname)).toMatchObject({ state: 'active' });
    const answer = await client.deactivate({ ...ref, purgeAfterDays: 10 });
    expect(answer.status).toBe('disabled');
    expect(Date.parse(answer.estimatedPurgeDate ?? '')).toBeGreaterThan(Date.now());
    expect(sim.tenant(ref.tenantId)?.status).toBe('disabled');
    expect(await client.probe(ref.hostname)).toMatchObject({ state: 'deactivated', httpStatus: 401 });

    await client.reactivate(ref);
    expect(sim.tenant(ref.tenantId)?.status).toBe('active');
    expect(await client.probe(ref.hostname)).toMatchObject({ state: 'active' });
  });

  it("cuts a slow probe short at the caller's timeout (never past the client's own): unknown, ETIMEDOUT", async () => {
    sim.setFaults([{ route: 'probe', kind: 'slow', delayMs: 5_000 }]);
    let started = Date.now();
    expect(await client.probe(ref.hostname, undefined, { timeoutMs: 300 })).toMatchObject({
      state: 'unknown',
      code: 'ETIMEDOUT',
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    started = Date.now();
    // A longer wish than the client's 2 s request timeout does not lengthen it.
    expect(await client.probe(ref.hostname, undefined, { timeoutMs: 60_000 })).toMatchObject({ state: 'unknown' });
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  it('probes a purged tenant as purged', async () => {
    sim.setExternalStatus(ref.tenantId, 'deleted');
    expect(await client.probe(ref.hostname)).toMatchObject({ state: 'purged' });
  });

  it('never sends the secret or a token to the tenant host', async () => {
    await client.ensureToken('eu');
    await client.probe(ref.hostname);
    const probes = sim.requests().filter((r) => r.route === 'probe');
    expect(probes).toHaveLength(1);
    expect(probes[0].headers.authorization).toBeUndefined();
    expect(JSON.stringify(probes[0])).not.toContain(SECRET);
  });

  it('maps a wrong hostname to HostnameMismatch and an unknown tenant to TenantNotFound, with traceIds', async () => {
    const mismatch = (await client
      .deactivate({ ...ref, hostname: 'other.eu.qlikcloud.com' })
      .catch((e: unknown) => e)) as QlikError;
    expect(mismatch).toBeInstanceOf(QlikError);
    expect(mismatch.kind).toBe('HostnameMismatch');
    expect(mismatch.details.traceId).toBeTruthy();
    expect(mismatch.message).toContain(mismatch.details.traceId);

    const missing = (await client.deactivate({ ...ref, tenantId: 'nope' }).catch((e: unknown) => e)) as QlikError;
    expect(missing.kind).toBe('TenantNotFound');
    for (const err of [mismatch, missing]) expect(err.message).not.toContain(SECRET);
    expect(sim.tenant(ref.tenantId)?.status).toBe('active');
  });

  it('maps a bad secret to InvalidCredentials', async () => {
    const bad = createQlikClient({
      registerUrlTemplate: sim.registerUrlTemplate,
      tenantUrlTemplate: sim.tenantUrlTemplate,
      credentials: () => ({ clientId: 'client-eu', clientSecret: 'wrong-secret' }),
    });
    try {
      const err = (await bad.deactivate(ref).catch((e: unknown) => e)) as QlikError;
      expect(err.kind).toBe('InvalidCredentials');
      expect(err.message).not.toContain('wrong-secret');
    } finally {
      await bad.close();
    }
  });

  it('maps an injected 429 to RateLimited with retry-after', async () => {
    sim.setFaults([{ route: 'deactivate', kind: '429', retryAfterS: 7, times: 1 }]);
    await expect(client.deactivate(ref)).rejects.toMatchObject({
      kind: 'RateLimited',
      details: { retryAfterMs: 7_000 },
    });
  });

  it('reports a lost answer as Transient with outcomeUnknown, though the deactivate was applied', async () => {
    sim.setFaults([{ route: 'deactivate', kind: 'lost', times: 1 }]);
    await expect(client.deactivate(ref)).rejects.toMatchObject({
      kind: 'Transient',
      details: { outcomeUnknown: true },
    });
    expect(sim.tenant(ref.tenantId)?.status).toBe('disabled');
    expect(await client.probe(ref.hostname)).toMatchObject({ state: 'deactivated' });
  });
});
