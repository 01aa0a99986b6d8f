/**
 * `sendLifecycleEvent` over real HTTP to a receiver that verifies every signature with the exported
 * `verifySignature`: what each report says, how it is signed, and which answers Temporal retries.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Agent } from 'undici';
import type { LifecycleEvent } from '../../src/activities/types';
import { createReportActivities, type DeliveryInfo, type ReportActivityDeps } from '../../src/reports';
import { deactivated, finalCanceled, finalFailed, finalPurged, reactivated } from './support/events';
import { startReceiver, type Receiver } from '../../harness/webhook-receiver';

const SECRET = 'whsec-TEST-do-not-leak-5b1e';
const KEY = (e: LifecycleEvent) => `${e.workflowId}/${e.runId}/${e.kind}`;

let receiver: Receiver;
let agent: Agent;
let deliveries: DeliveryInfo[];
/** Every failure thrown in this file, checked for leaks at the end. */
const thrown: ApplicationFailure[] = [];

beforeAll(() => {
  agent = new Agent({ keepAliveTimeout: 1_000 });
});
afterAll(async () => {
  await agent.close();
});
beforeEach(async () => {
  receiver = await startReceiver(SECRET);
  deliveries = [];
});
afterEach(async () => {
  await receiver.close();
});

function activities(overrides: Partial<ReportActivityDeps> = {}) {
  return createReportActivities({
    webhook: { url: receiver.url, secret: SECRET },
    onDelivery: (info) => deliveries.push(info),
    dispatcher: agent,
    requestTimeoutMs: 2_000,
    ...overrides,
  });
}

/** One activity attempt in a mock activity context; the ApplicationFailure it threw, or undefined on success. */
async function attempt(event: LifecycleEvent, deps: Partial<ReportActivityDeps> = {}) {
  // The expected failures would otherwise each print a warning.
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  try {
    await env.run(activities(deps).sendLifecycleEvent, event);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    thrown.push(error as ApplicationFailure);
    return error as ApplicationFailure;
  }
}

describe('report payloads, as the receiver gets them', () => {
  it('reports a deactivation with the purge date, until when it can be undone', async () => {
    expect(await attempt(deactivated)).toBeUndefined();
    expect(receiver.processed).toEqual([
      {
        schemaVersion: 1,
        event: 'deactivated',
        idempotencyKey: 'offboard-tenant-T-acme_1/run-0c1d/deactivated',
        occurredAt: '2026-03-01T10:00:01.000Z',
        workflowId: 'offboard-tenant-T-acme_1',
        runId: 'run-0c1d',
        tenant: { id: 'T-acme_1', hostname: 'acme.eu.qlikcloud.com', region: 'eu' },
        dryRun: false,
        phase: 'grace-period',
        purgeAfterDays: 10,
        estimatedPurgeDate: '2026-03-11T10:00:01.000Z',
        purgeDateSource: 'qlik',
        deactivatedAt: '2026-03-01T10:00:01.000Z',
        requestedBy: 'crm:account-42',
        reason: 'contract ended',
        ignoredSignals: [],
        notes: [{ code: 'REACTIVATION_POSSIBLE', text: expect.stringContaining('2026-03-11T10:00:01.000Z') }],
      },
    ]);
  });

  it('reports a reactivation with who decided it and when it happened', async () => {
    expect(await attempt(reactivated)).toBeUndefined();
    const [payload] = receiver.processed;
    expect(payload).toMatchObject({
      event: 'reactivated',
      idempotencyKey: KEY(reactivated),
      occurredAt: '2026-03-03T09:00:01.000Z',
      reactivatedAt: '2026-03-03T09:00:01.000Z',
      decidedBy: { message: 'reactivate', requestedBy: 'ops:jo', reason: 'renewed' },
    });
    expect(payload).not.toHaveProperty('runStatus');
    expect(payload).not.toHaveProperty('outcome');
  });

  it('sends a final report with the outcome, every date, and the note that licenses are not released', async () => {
    expect(await attempt(finalPurged)).toBeUndefined();
    const [payload] = receiver.processed;
    expect(payload).toMatchObject({
      event: 'final-report',
      idempotencyKey: KEY(finalPurged),
      runStatus: 'Completed',
      outcome: 'purged',
      phase: 'completed',
      deactivatedAt: '2026-03-01T10:00:01.000Z',
      deactivationConfirmedAt: '2026-03-01T10:00:05.000Z',
      estimatedPurgeDate: '2026-03-11T10:00:01.000Z',
      purgeConfirmedAt: '2026-03-11T11:59:59.000Z',
      occurredAt: '2026-03-11T12:00:00.000Z',
    });
    expect(payload.notes).toContainEqual({
      code: 'LICENSES_NOT_RELEASED',
      text: expect.stringMatching(/does not release user-based license assignments.*licenses API/),
    });
    expect(payload).not.toHaveProperty('failure');
  });

  it('says in a final report of reactivated-externally since when the grace probes saw the tenant active', async () => {
    const status = { ...finalPurged.status, outcome: 'reactivated-externally' as const, purgeConfirmedAt: undefined };
    const early: LifecycleEvent = {
      ...finalPurged,
      status: {
        ...status,
        graceProbes: { intervalMs: 86_400_000, probes: 3, activeSince: '2026-03-03T08:00:00.000Z' },
      },
    };
    expect(await attempt(early)).toBeUndefined();
    expect(await attempt({ ...finalPurged, runId: 'run-2', status })).toBeUndefined();
    const [withProbes, atPurgeDate] = receiver.processed.map((p) =>
      p.notes.find((n) => n.code === 'REACTIVATED_EXTERNALLY'),
    );
    expect(withProbes?.text).toMatch(/reactivated elsewhere .*first seen active at 2026-03-03T08:00:00.000Z/);
    expect(atPurgeDate?.text).toMatch(/reactivated elsewhere/);
    expect(atPurgeDate?.text).not.toMatch(/first seen/);
  });

  it('sends a final report for a failed run, with the failure and the last error', async () => {
    expect(await attempt(finalFailed)).toBeUndefined();
    const [payload] = receiver.processed;
    expect(payload).toMatchObject({
      event: 'final-report',
      runStatus: 'Failed',
      phase: 'failed',
      failure: { type: 'HostnameMismatch', message: expect.stringContaining('HTTP 412') },
      lastError: { type: 'HostnameMismatch', httpStatus: 412, code: 'HOSTNAME_MISMATCH', traceId: 't-1' },
    });
    expect(payload).not.toHaveProperty('outcome');
    expect(payload.notes.map((n) => n.code)).toContain('LICENSES_NOT_RELEASED');
  });

  it('takes the failure message from the last error when the failure arrives without one', async () => {
    // What an Error passed as `failure` becomes after JSON: its message is not an enumerable property.
    const fromError = JSON.parse(JSON.stringify(Object.assign(new Error('lost'), { type: 'HostnameMismatch' })));
    expect(await attempt({ ...finalFailed, failure: fromError })).toBeUndefined();
    expect(receiver.processed[0].failure).toEqual({
      type: 'HostnameMismatch',
      message: finalFailed.status.lastError?.message,
    });
  });

  it('marks a run ended by a cancellation request as Canceled', async () => {
    expect(await attempt(finalCanceled)).toBeUndefined();
    expect(receiver.processed[0]).toMatchObject({ runStatus: 'Canceled', outcome: 'cancelled' });
  });
});

describe('signing and headers', () => {
  it('signs timestamp and body, and sends the idempotency key, content type and user agent', async () => {
    const before = Math.floor(Date.now() / 1000);
    expect(await attempt(deactivated)).toBeUndefined();
    const [delivery] = receiver.deliveries;
    expect(delivery.verified).toBe(true);
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['idempotency-key']).toBe(KEY(deactivated));
    expect(delivery.headers['user-agent']).toMatch(/^qlik-tenant-offboarding-webhook\//);
    expect(delivery.headers['x-offboarding-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const timestamp = Number(delivery.headers['x-offboarding-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('is refused by a receiver that holds another secret (its verification fails)', async () => {
    const failure = await attempt(deactivated, { webhook: { url: receiver.url, secret: 'another-secret' } });
    expect(receiver.deliveries[0].verified).toBe(false);
    expect(receiver.processed).toEqual([]);
    expect(failure).toMatchObject({ type: 'WebhookRejected', nonRetryable: true });
    expect(failure?.message).toContain('HTTP 401');
  });

  it('signs with the clock it is given, so a receiver rejects a report signed too long ago', async () => {
    const failure = await attempt(deactivated, { now: () => Date.now() - 10 * 60_000 });
    expect(receiver.deliveries).toHaveLength(1);
    expect(receiver.deliveries[0].verified).toBe(false);
    expect(failure?.nonRetryable).toBe(true);
  });
});

describe('which answers are retried', () => {
  it('retries a 500 and succeeds once the receiver recovers; the receiver acts on the event once', async () => {
    receiver.script((n) => ({ status: n < 2 ? 500 : 200 }));
    const first = await attempt(finalPurged);
    expect(first).toMatchObject({ type: 'WebhookUnavailable', nonRetryable: false });
    expect(first?.message).toContain('HTTP 500');
    expect(await attempt(finalPurged)).toMatchObject({ nonRetryable: false });
    expect(await attempt(finalPurged)).toBeUndefined();

    expect(receiver.deliveries).toHaveLength(3);
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    // Every attempt carries the same body and key: only the timestamp and signature may differ.
    expect(new Set(receiver.deliveries.map((d) => d.body)).size).toBe(1);
    expect(new Set(receiver.deliveries.map((d) => d.headers['idempotency-key']))).toEqual(new Set([KEY(finalPurged)]));
    expect(receiver.processed).toHaveLength(1);
    expect(deliveries).toEqual([
      { kind: 'final-report', status: 500 },
      { kind: 'final-report', status: 500 },
      { kind: 'final-report', status: 200 },
    ]);
  });

  it('does not retry a 400: the failure is WebhookRejected and names the status', async () => {
    receiver.script(() => ({ status: 400 }));
    const failure = await attempt(deactivated);
    expect(failure).toMatchObject({ type: 'WebhookRejected', nonRetryable: true, details: [{ httpStatus: 400 }] });
    expect(failure?.message).toContain('HTTP 400');
    expect(failure?.message).toContain('deactivated');
    expect(failure?.message).toContain('offboard-tenant-T-acme_1');
  });

  it('does not follow a redirect: non-retryable, and the redirect target receives nothing', async () => {
    const elsewhere = await startReceiver(SECRET);
    try {
      receiver.script(() => ({ status: 302, headers: { location: elsewhere.url } }));
      const failure = await attempt(finalPurged);
      expect(failure).toMatchObject({ type: 'WebhookRejected', nonRetryable: true });
      expect(failure?.message).toContain('HTTP 302');
      expect(elsewhere.deliveries).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('waits as long as retry-after says on a 429', async () => {
    receiver.script(() => ({ status: 429, headers: { 'retry-after': '7' } }));
    const failure = await attempt(deactivated);
    expect(failure).toMatchObject({ type: 'WebhookRateLimited', nonRetryable: false, nextRetryDelay: 7_000 });
  });

  it('leaves the delay to the retry policy on a 429 without retry-after', async () => {
    receiver.script(() => ({ status: 429 }));
    const failure = await attempt(deactivated);
    expect(failure).toMatchObject({ type: 'WebhookRateLimited', nonRetryable: false });
    expect(failure?.nextRetryDelay ?? undefined).toBeUndefined();
  });

  it('retries when nothing listens at the webhook address', async () => {
    const url = receiver.url;
    await receiver.close();
    const failure = await attempt(deactivated, { webhook: { url, secret: SECRET } });
    expect(failure).toMatchObject({
      type: 'WebhookUnreachable',
      nonRetryable: false,
      details: [{ code: 'ECONNREFUSED' }],
    });
    expect(deliveries).toEqual([{ kind: 'deactivated', status: 'network-error' }]);
    receiver = await startReceiver(SECRET); // for afterEach
  });

  it('retries when the receiver does not answer within the request timeout', async () => {
    receiver.script(() => 'hang');
    const started = Date.now();
    const failure = await attempt(deactivated, { requestTimeoutMs: 300 });
    expect(failure).toMatchObject({
      type: 'WebhookUnreachable',
      nonRetryable: false,
      details: [{ code: 'ETIMEDOUT' }],
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('idempotency and secrecy', () => {
  it('lets the receiver dedupe a repeated event by its Idempotency-Key', async () => {
    expect(await attempt(deactivated)).toBeUndefined();
    expect(await attempt(deactivated)).toBeUndefined();
    expect(await attempt(finalPurged)).toBeUndefined();
    expect(receiver.deliveries.map((d) => d.headers['idempotency-key'])).toEqual([
      KEY(deactivated),
      KEY(deactivated),
      KEY(finalPurged),
    ]);
    expect(receiver.processed.map((p) => p.event)).toEqual(['deactivated', 'final-report']);
  });

  it('does nothing when no webhook is configured', async () => {
    const send = createReportActivities({ onDelivery: (info) => deliveries.push(info) }).sendLifecycleEvent;
    await expect(send(deactivated)).resolves.toBeUndefined();
    expect(deliveries).toEqual([]);
    expect(receiver.deliveries).toEqual([]);
  });

  it('keeps the secret, the signatures and the URL path out of every failure thrown in this file', () => {
    expect(thrown.length).toBeGreaterThanOrEqual(8);
    for (const failure of thrown) {
      const text = `${failure.message} ${JSON.stringify(failure.details)}`;
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/sha256=|[0-9a-f]{64}/);
      expect(text).not.toContain('/hooks/offboarding');
    }
  });
});
