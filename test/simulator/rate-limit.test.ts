import { createManualClock, startSimulator, type Simulator } from '../../src/simulator';
import { RateLimiter } from '../../src/simulator/rate-limit';
import { action, CLIENT, getTenant, requestToken, T0, TENANT, token } from './helpers';

/** 60/min over a 3 s window: 3 calls per window. */
const WINDOW_MS = 3000;

describe('simulator rate limits (scaled window)', () => {
  const clock = createManualClock(T0);
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ now: clock.now, clients: [CLIENT], tenants: [TENANT] });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    clock.advance(60_000); // leave every earlier window behind
    sim.configure({ tier1PerMinute: 1000, tier2PerMinute: 100, rateWindowMs: 300_000 });
    sim.clearRequests();
  });

  it('limits Tier 2 per client: 429 with retry-after and Qlik body, then lets calls through when a slot frees', async () => {
    sim.configure({ tier2PerMinute: 60, rateWindowMs: WINDOW_MS });
    for (const step of [0, 500, 500]) {
      clock.advance(step);
      expect((await requestToken(sim)).status).toBe(200);
    }
    clock.advance(200); // 1.2 s after the first call: it leaves the window 1.8 s from now
    const limited = await requestToken(sim);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.json).toEqual({
      errors: [
        {
          code: 'HTTP-429',
          title: 'API rate limit reached.',
          detail: 'You need to wait 2 seconds until limit is lifted.',
        },
      ],
    });
    expect(sim.requests().at(-1)).toMatchObject({ status: 429, retryAfterS: 2, applied: false, clientId: 'eu-client' });

    clock.advance(1799);
    expect((await requestToken(sim)).status).toBe(429);
    clock.advance(1);
    expect((await requestToken(sim)).status).toBe(200);
  });

  it('counts token, deactivate and reactivate in the same Tier 2 budget', async () => {
    const bearer = await token(sim);
    sim.configure({ tier2PerMinute: 60, rateWindowMs: WINDOW_MS });
    clock.advance(WINDOW_MS);
    expect((await action(sim, 'deactivate', { token: bearer })).status).toBe(200);
    expect((await action(sim, 'reactivate', { token: bearer })).status).toBe(200);
    expect((await requestToken(sim)).status).toBe(200);
    const limited = await action(sim, 'deactivate', { token: bearer });
    expect(limited.status).toBe(429);
    expect(sim.tenant(TENANT.id)?.status).toBe('active');
  });

  it('limits Tier 1 (GET tenant) separately, and each client separately', async () => {
    const other = { region: 'eu', clientId: 'other', clientSecret: 's' };
    sim.addClient(other);
    const mine = await token(sim);
    const theirs = await token(sim, other);
    sim.configure({ tier1PerMinute: 40, tier2PerMinute: 20, rateWindowMs: WINDOW_MS }); // 2 and 1 per window
    clock.advance(WINDOW_MS); // the token calls have left the window
    expect((await getTenant(sim, mine)).status).toBe(200);
    expect((await getTenant(sim, mine)).status).toBe(200);
    expect((await getTenant(sim, mine)).status).toBe(429);
    expect((await getTenant(sim, theirs)).status).toBe(200);
    expect((await action(sim, 'deactivate', { token: mine })).status).toBe(200); // Tier 2 untouched
    sim.setExternalStatus(TENANT.id, 'active');
  });

  it('switches a tier off with 0 (or Infinity)', async () => {
    sim.configure({ tier2PerMinute: 0, rateWindowMs: WINDOW_MS });
    for (let i = 0; i < 10; i++) expect((await requestToken(sim)).status).toBe(200);
    sim.configure({ tier2PerMinute: Infinity });
    expect(sim.settings().tier2PerMinute).toBe(0);
    expect((await requestToken(sim)).status).toBe(200);
  });
});

describe('RateLimiter', () => {
  it('allows perMinute x window / 60000 calls per sliding window and does not count refused calls', () => {
    const limiter = new RateLimiter(() => ({ tier1PerMinute: 1000, tier2PerMinute: 100, rateWindowMs: 300_000 }));
    for (let i = 0; i < 500; i++) expect(limiter.take('c', 2, i)).toBeUndefined();
    expect(limiter.take('c', 2, 1000)).toEqual({ retryAfterS: 299 });
    expect(limiter.take('c', 2, 300_000)).toBeUndefined(); // the call at t=0 has left the window
    expect(limiter.take('c', 2, 300_000)).toEqual({ retryAfterS: 1 });
    expect(limiter.take('c', 1, 300_000)).toBeUndefined();
  });
});
