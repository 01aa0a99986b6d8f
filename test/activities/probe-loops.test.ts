/**
 * The probe loops in an activity context of their own (no server): heartbeats during a probe, probe timeouts that
 * end by the deadline, `untilKnown`, and a `retry-after` that outlasts the deadline. End to end against a slow
 * tenant host: test/activities/probe-liveness.e2e.test.ts.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { MIN_PROBE_TIMEOUT_MS, createProbeLoops } from '../../src/activities/probe-loops';
import type { ProbeAnswer, ProbeOptions, QlikClient } from '../../src/qlik/types';

const HOST = 'slow.eu.qlikcloud.com';

/** A Qlik client whose probe answers from `script` after `delayMs`, recording each probe's options. */
function fakeQlik(script: Array<ProbeAnswer & { delayMs?: number }>) {
  const calls: Array<{ at: number; options?: ProbeOptions }> = [];
  const qlik: QlikClient = {
    ensureToken: () => Promise.reject(new Error('not used')),
    deactivate: () => Promise.reject(new Error('not used')),
    reactivate: () => Promise.reject(new Error('not used')),
    async probe(_hostname, _signal, options) {
      calls.push({ at: Date.now(), options });
      const { delayMs = 0, ...answer } = script[Math.min(calls.length - 1, script.length - 1)]!;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return answer;
    },
  };
  return { qlik, calls };
}

function activityEnv(heartbeatTimeoutMs = 300) {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs });
  const beats: number[] = [];
  env.on('heartbeat', () => beats.push(Date.now()));
  return { env, beats };
}

const backoff = { initialIntervalMs: 20, maxIntervalMs: 40 };

/** Runs one loop in the mock activity context, typed by the loop. */
function run<I, O>(env: MockActivityEnvironment, loop: (input: I) => Promise<O>, input: I): Promise<O> {
  return env.run(loop, input) as Promise<O>;
}

describe('awaitDeactivated', () => {
  it('heartbeats while a probe slower than the heartbeat timeout is in flight', async () => {
    const { qlik } = fakeQlik([{ state: 'deactivated', delayMs: 1_000 }]);
    const { env, beats } = activityEnv(300);
    const started = Date.now();
    const result = await run(env, createProbeLoops({ qlik, now: Date.now }).awaitDeactivated, {
      hostname: HOST,
      deadlineMs: Date.now() + 10_000,
      ...backoff,
    });
    expect(result.observed).toBe(true);
    // No gap between heartbeats (or before the first) as long as the heartbeat timeout.
    const gaps = [started, ...beats].slice(1).map((at, i) => at - [started, ...beats][i]!);
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...gaps)).toBeLessThan(300);
  });

  it('gives a probe sent before the deadline only the time left, and at least the minimum', async () => {
    const { qlik, calls } = fakeQlik([{ state: 'active' }]);
    const { env } = activityEnv();
    const deadlineMs = Date.now() + MIN_PROBE_TIMEOUT_MS + 600;
    await run(env, createProbeLoops({ qlik, now: Date.now }).awaitDeactivated, {
      hostname: HOST,
      deadlineMs,
      initialIntervalMs: MIN_PROBE_TIMEOUT_MS,
      maxIntervalMs: 4_000,
    });
    const first = calls[0]!;
    // The loop reads the clock a moment before the fake client does: a few ms either way.
    expect(first.options?.timeoutMs).toBeLessThanOrEqual(deadlineMs - first.at + 5);
    expect(first.options?.timeoutMs).toBeGreaterThan(MIN_PROBE_TIMEOUT_MS + 400);
    expect(calls.at(-1)!.options?.timeoutMs).toBe(MIN_PROBE_TIMEOUT_MS);
  });

  it('stops at the deadline when the host asks for a pause that outlasts it, without probing sooner', async () => {
    const { qlik, calls } = fakeQlik([{ state: 'unknown', httpStatus: 429, retryAfterMs: 3_600_000 }]);
    const { env } = activityEnv();
    const started = Date.now();
    const result = await run(env, createProbeLoops({ qlik, now: Date.now }).awaitDeactivated, {
      hostname: HOST,
      deadlineMs: started + 300,
      ...backoff,
    });
    expect(result).toMatchObject({ observed: false, last: { httpStatus: 429 } });
    expect(calls).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('with untilKnown, goes on probing past the deadline while the answer is unclear, with full timeouts', async () => {
    const { qlik, calls } = fakeQlik([
      { state: 'unknown' },
      { state: 'unknown' },
      { state: 'unknown' },
      { state: 'active' },
    ]);
    const { env } = activityEnv();
    const result = await run(env, createProbeLoops({ qlik, now: Date.now }).awaitDeactivated, {
      hostname: HOST,
      deadlineMs: Date.now() - 1,
      untilKnown: true,
      ...backoff,
    });
    expect(result).toMatchObject({ observed: false, last: { state: 'active' } });
    expect(calls).toHaveLength(4);
    // Past the deadline nothing is cut short: the client's own request timeout applies.
    expect(calls.map((c) => c.options)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('without untilKnown, an unclear answer at the deadline ends the wait', async () => {
    const { qlik, calls } = fakeQlik([{ state: 'unknown' }]);
    const { env } = activityEnv();
    const result = await run(env, createProbeLoops({ qlik, now: Date.now }).awaitDeactivated, {
      hostname: HOST,
      deadlineMs: Date.now() - 1,
      ...backoff,
    });
    expect(result).toMatchObject({ observed: false, last: { state: 'unknown' } });
    expect(calls).toHaveLength(1);
  });
});

describe('confirmPurge', () => {
  it('cuts the probes short at the overdue bound while no "purged" answer waits for its confirmation', async () => {
    const { qlik, calls } = fakeQlik([{ state: 'deactivated' }]);
    const { env } = activityEnv();
    const now = Date.now();
    const result = await run(env, createProbeLoops({ qlik, now: Date.now }).confirmPurge, {
      hostname: HOST,
      purgeDateMs: now - 1,
      overdueAtMs: now + MIN_PROBE_TIMEOUT_MS + 500,
      initialIntervalMs: 1_000,
      maxIntervalMs: 2_000,
    });
    expect(result.outcome).toBe('overdue');
    expect(calls[0]!.options?.timeoutMs).toBeLessThanOrEqual(MIN_PROBE_TIMEOUT_MS + 500);
    expect(calls[0]!.options?.timeoutMs).toBeGreaterThan(MIN_PROBE_TIMEOUT_MS + 300);
  });

  it('reports overdue at the bound when the host asks for a pause that outlasts it', async () => {
    const { qlik, calls } = fakeQlik([{ state: 'unknown', httpStatus: 503, retryAfterMs: 3_600_000 }]);
    const { env } = activityEnv();
    const now = Date.now();
    const result = await run(env, createProbeLoops({ qlik, now: Date.now }).confirmPurge, {
      hostname: HOST,
      purgeDateMs: now - 1,
      overdueAtMs: now + 300,
      ...backoff,
    });
    expect(result).toMatchObject({ outcome: 'overdue', last: { httpStatus: 503 } });
    expect(calls).toHaveLength(1);
    expect(Date.now() - now).toBeLessThan(2_000);
  });

  it('gives the confirming probe after a first "purged" answer its full timeout, past the bound too', async () => {
    const { qlik, calls } = fakeQlik([{ state: 'purged' }, { state: 'purged' }]);
    const { env } = activityEnv();
    const now = Date.now();
    const result = await run(env, createProbeLoops({ qlik, now: Date.now }).confirmPurge, {
      hostname: HOST,
      purgeDateMs: now - 1,
      overdueAtMs: now,
      ...backoff,
    });
    expect(result.outcome).toBe('purged');
    expect(calls[1]!.options).toBeUndefined();
  });
});
