import { request } from 'undici';
import { startSimulator, SimulatorInputError, type Simulator } from '../../src/simulator';
import { FaultPlan } from '../../src/simulator/faults';
import { seededRandom } from '../../src/simulator/prng';
import { action, CLIENT, errorCode, getTenant, probe, registerUrl, TENANT, token } from './helpers';

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('simulator fault injection', () => {
  let sim: Simulator;
  let bearer: string;

  beforeAll(async () => {
    sim = await startSimulator({ clients: [CLIENT] });
    bearer = await token(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.setFaults([]);
    sim.addTenant(TENANT);
    sim.clearRequests();
  });

  it("'lost': the deactivate is applied, then the connection drops before any answer", async () => {
    sim.setFaults([{ route: 'deactivate', sequence: ['lost', 'ok'] }]);
    await expect(action(sim, 'deactivate', { token: bearer })).rejects.toThrow();
    expect(sim.tenant(TENANT.id)).toMatchObject({ status: 'disabled', deactivateCount: 1 });
    const retry = await action(sim, 'deactivate', { token: bearer });
    expect(retry.status).toBe(200);
    expect(sim.requests().map(({ fault, applied, status }) => ({ fault, applied, status }))).toEqual([
      { fault: 'lost', applied: true, status: 0 },
      { fault: undefined, applied: true, status: 200 },
    ]);
  });

  it("'reset': the connection drops and nothing is applied", async () => {
    sim.setFaults([{ route: 'deactivate', kind: 'reset', times: 1 }]);
    await expect(action(sim, 'deactivate', { token: bearer })).rejects.toThrow();
    expect(sim.tenant(TENANT.id)?.status).toBe('active');
    expect(sim.requests()[0]).toMatchObject({ fault: 'reset', applied: false, status: 0 });
    expect((await action(sim, 'deactivate', { token: bearer })).status).toBe(200); // times: 1 is spent
  });

  it("'429': answers with the configured retry-after and applies nothing", async () => {
    sim.setFaults([{ route: 'reactivate', sequence: [{ kind: '429', retryAfterS: 7 }, '429'], retryAfterS: 3 }]);
    const first = await action(sim, 'reactivate', { token: bearer });
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('7');
    const second = await action(sim, 'reactivate', { token: bearer });
    expect(second.headers['retry-after']).toBe('3');
    expect(errorCode(second)).toBe('HTTP-429');
    expect(sim.requests().map((e) => [e.fault, e.retryAfterS, e.applied])).toEqual([
      ['429', 7, false],
      ['429', 3, false],
    ]);
  });

  it("'500', '502', '503': server errors, 502 as the gateway's HTML page", async () => {
    sim.setFaults([{ route: 'getTenant', sequence: ['500', '502', '503'] }]);
    const e500 = await getTenant(sim, bearer);
    expect(e500.status).toBe(500);
    expect(e500.json.traceId).toMatch(/^[0-9a-f]{32}$/);
    const e502 = await getTenant(sim, bearer);
    expect(e502.status).toBe(502);
    expect(e502.headers['content-type']).toMatch(/^text\/html/);
    expect((await getTenant(sim, bearer)).status).toBe(503);
    expect((await getTenant(sim, bearer)).status).toBe(200);
    expect(sim.requests().map((e) => e.fault)).toEqual(['500', '502', '503', undefined]);
  });

  it("'slow': the answer comes after the delay", async () => {
    sim.setFaults([{ route: 'probe', kind: 'slow', delayMs: 150, times: 1 }]);
    const started = Date.now();
    const reply = await probe(sim);
    expect(reply.status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(sim.requests()[0]).toMatchObject({ fault: 'slow', status: 401 });
  });

  it("'slow': a client that times out first still sees the change applied when the delay ends", async () => {
    sim.setFaults([{ route: 'deactivate', sequence: [{ kind: 'slow', delayMs: 300 }] }]);
    const url = `${registerUrl(sim)}/api/v1/tenants/${TENANT.id}/actions/deactivate`;
    const attempt = request(url, {
      method: 'POST',
      signal: AbortSignal.timeout(50),
      headers: {
        authorization: `Bearer ${bearer}`,
        'qlik-confirm-hostname': TENANT.hostnames[0],
        'content-type': 'application/json',
      },
      body: '{}',
    });
    await expect(attempt).rejects.toThrow();
    expect(sim.tenant(TENANT.id)?.status).toBe('active');
    expect(sim.requests()[0]).toMatchObject({ pending: true, fault: 'slow' });
    await waitFor(() => sim.requests()[0].pending === undefined);
    expect(sim.tenant(TENANT.id)?.status).toBe('disabled');
    expect(sim.requests()[0]).toMatchObject({ fault: 'slow', applied: true, status: 200, clientGone: true });
  });

  it('filters rules by tenant and hostname, and applies "*" to every route', async () => {
    sim.addTenant({ id: 'other', hostnames: ['other.eu.qlikcloud.com'], region: 'eu' });
    sim.setFaults([
      { route: '*', kind: '503', tenantId: 'other' },
      { route: 'probe', kind: '500', hostname: 'ACME.eu.qlikcloud.com' },
    ]);
    expect((await probe(sim, 'other.eu.qlikcloud.com')).status).toBe(503);
    expect((await getTenant(sim, bearer, 'other')).status).toBe(503);
    expect((await probe(sim, TENANT.hostnames[0])).status).toBe(500);
    expect((await probe(sim, TENANT.hostnames[1])).status).toBe(401);
    expect((await getTenant(sim, bearer)).status).toBe(200);
  });

  it('runs a scripted sequence in order, then behaves normally', async () => {
    sim.setFaults([{ route: 'token', sequence: ['500', 'ok', 'reset'] }]);
    const tokenUrl = `${registerUrl(sim)}/oauth/token`;
    const body = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, grant_type: 'client_credentials' };
    const send = () =>
      request(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then(async (r) => {
          await r.body.dump();
          return r.statusCode;
        })
        .catch(() => 0);
    expect([await send(), await send(), await send(), await send()]).toEqual([500, 200, 0, 200]);
    expect(sim.requests().map((e) => [e.fault, e.applied, e.clientId])).toEqual([
      ['500', false, 'eu-client'],
      [undefined, true, 'eu-client'],
      ['reset', false, 'eu-client'],
      [undefined, true, 'eu-client'],
    ]);
  });

  it('refuses malformed rules, naming the field', () => {
    expect(() => sim.setFaults([{ route: 'deactivate' }])).toThrow(SimulatorInputError);
    expect(() => sim.setFaults([{ route: 'deactivate', kind: 'lost', probability: 2 }])).toThrow(
      'faults[0].probability',
    );
    expect(() => sim.setFaults([{ route: 'nope' as 'probe', kind: 'lost' }])).toThrow('faults[0].route');
    expect(() => sim.setFaults([{ route: 'probe', sequence: ['boom' as 'ok'] }])).toThrow('faults[0].sequence[0]');
  });
});

describe('probabilistic faults', () => {
  async function run(seed: number): Promise<{ statuses: number[]; faults: (string | undefined)[]; traces: string[] }> {
    const sim = await startSimulator({
      seed,
      clients: [CLIENT],
      tenants: [TENANT],
      faults: [
        { route: 'getTenant', kind: '500', probability: 0.3 },
        { route: 'getTenant', kind: '429', probability: 0.2, retryAfterS: 2 },
      ],
    });
    try {
      const bearer = await token(sim);
      const statuses: number[] = [];
      const traces: string[] = [];
      for (let i = 0; i < 40; i++) {
        const reply = await getTenant(sim, bearer);
        statuses.push(reply.status);
        if (reply.status === 500) traces.push(reply.json.traceId);
      }
      return { statuses, faults: sim.requests().map((e) => e.fault), traces };
    } finally {
      await sim.close();
    }
  }

  it('replays the same faults and trace IDs for the same seed, and others for another seed', async () => {
    const a = await run(42);
    const b = await run(42);
    const c = await run(7);
    expect(b).toEqual(a);
    expect(c.statuses).not.toEqual(a.statuses);
    expect(a.statuses.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(a.statuses.filter((s) => s === 429).length).toBeGreaterThan(1);
    expect(a.statuses.filter((s) => s === 200).length).toBeGreaterThan(10);
    // Every injected fault is in the log, on the request that got it.
    a.faults.slice(1).forEach((fault, i) => expect(fault === undefined ? 200 : Number(fault)).toBe(a.statuses[i]));
  });
});

describe('FaultPlan', () => {
  it('fires a probabilistic rule at about its probability, at most `times` times', () => {
    const plan = new FaultPlan(seededRandom(1));
    plan.set([{ route: 'deactivate', kind: '503', probability: 0.25 }]);
    const hits = Array.from({ length: 4000 }, () => plan.decide({ route: 'deactivate' })).filter(Boolean).length;
    expect(hits).toBeGreaterThan(850);
    expect(hits).toBeLessThan(1150);
    expect(plan.decide({ route: 'token' })).toBeUndefined();

    plan.set([{ route: 'token', kind: 'reset', times: 2 }]);
    const kinds = Array.from({ length: 4 }, () => plan.decide({ route: 'token' })?.kind);
    expect(kinds).toEqual(['reset', 'reset', undefined, undefined]);
  });

  it('resolves step parameters from the step, then the rule, then the defaults', () => {
    const plan = new FaultPlan(seededRandom(1));
    plan.set([{ route: '*', sequence: [{ kind: 'slow', delayMs: 5 }, 'slow', '429'], delayMs: 9 }]);
    expect(plan.decide({ route: 'probe' })).toEqual({ kind: 'slow', delayMs: 5, retryAfterS: 1 });
    expect(plan.decide({ route: 'probe' })).toEqual({ kind: 'slow', delayMs: 9, retryAfterS: 1 });
    expect(plan.decide({ route: 'probe' })).toEqual({ kind: '429', delayMs: 9, retryAfterS: 1 });
    expect(plan.decide({ route: 'probe' })).toBeUndefined();
  });
});
