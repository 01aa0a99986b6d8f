/**
 * Errors that retrying cannot fix end the run at once: wrong hostname (412), unknown tenant (404), bad credentials
 * (401 at the token endpoint), forbidden (403 on deactivate), and a region no worker serves. Each: a top-level
 * non-retryable ApplicationFailure of the contract's type, a message naming the tenant, the HTTP status, Qlik's code
 * and traceId and no secret; the failing call made once, the tenant left as it was.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIdFor, type OffboardingInput, type OffboardingStatus } from '../../src/shared/contract';
import type { offboardTenant } from '../../src/workflows';
import { CLIENT_SECRETS, hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import { captureWorkerLogs } from '../support/captured-logs';
import { requestsAbout } from '../support/request-log';
import { defineLeakScan } from '../support/secrets';

const logs = captureWorkerLogs();

/** The worker's client for region `de` has the wrong secret: Qlik answers 401 at the token endpoint. */
const WRONG_DE_SECRET = 'wrong-SECRET-de-must-not-leak-3c9d';

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({
    sim: { tier1PerMinute: 0, tier2PerMinute: 0 },
    env: { QLIK_DE_CLIENT_ID: 'e2e-de-client', QLIK_DE_CLIENT_SECRET: WRONG_DE_SECRET },
  }));
  h.sim.addClient({ region: 'de', clientId: 'e2e-de-client', clientSecret: 'the-right-de-secret-0000' });
  // The us client may not send purgeAfterDays (Qlik documents it as OEM-only): deactivate answers 403.
  h.sim.addClient({ region: 'us', clientId: 'e2e-us-client', clientSecret: CLIENT_SECRETS.us, oem: false });
  await h.startWorkers();
}, 120_000);

afterAll(() => stopLocalHarness(h, env));

interface Failed {
  failure: ApplicationFailure;
  status: OffboardingStatus;
  elapsedMs: number;
}

async function failureOf(input: OffboardingInput): Promise<Failed> {
  const started = Date.now();
  const handle = await h.client.workflow.start<typeof offboardTenant>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor(input.tenantId),
    args: [input],
  });
  const error = await handle.result().then(
    () => new Error('the run completed'),
    (e: unknown) => e,
  );
  if (!(error instanceof WorkflowFailedError) || !(error.cause instanceof ApplicationFailure)) throw error;
  return {
    failure: error.cause,
    status: error.cause.details?.[0] as OffboardingStatus,
    elapsedMs: Date.now() - started,
  };
}

function expectFastClearFailure(failed: Failed, type: string, httpStatus: number, tenantId: string): void {
  const { failure, status, elapsedMs } = failed;
  expect(failure.type).toBe(type);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain(tenantId);
  expect(failure.message).toContain(`HTTP ${httpStatus}`);
  expect(failure.message).toMatch(/traceId [0-9a-f]{32}/);
  expect(status).toMatchObject({ phase: 'failed', lastError: { type, httpStatus } });
  expect(status.lastError!.traceId).toMatch(/^[0-9a-f]{32}$/);
  const everything = JSON.stringify({ message: failure.message, status });
  for (const secret of [...Object.values(CLIENT_SECRETS), WRONG_DE_SECRET]) expect(everything).not.toContain(secret);
  expect(elapsedMs).toBeLessThan(5_000); // no retry backoff
}

const offboarding = (id: string, region = 'eu', overrides: Partial<OffboardingInput> = {}): OffboardingInput => ({
  tenantId: id,
  hostname: hostnameOf(id, region),
  region,
  purgeAfterDays: 30,
  ...overrides,
});

const calls = (id: string, region: string, route: string) =>
  requestsAbout(h.sim.requests(), id, hostnameOf(id, region)).filter((r) => r.route === route);

describe('errors that retrying cannot fix fail fast, non-retryable, with a clear message', () => {
  it('wrong hostname (412): HostnameMismatch after one deactivate call', async () => {
    h.sim.addTenant(tenant('FF-412'));
    const failed = await failureOf(offboarding('FF-412', 'eu', { hostname: 'someone-else.eu.qlikcloud.com' }));
    expectFastClearFailure(failed, 'HostnameMismatch', 412, 'FF-412');
    expect(h.sim.requests().filter((r) => r.tenantId === 'FF-412' && r.route === 'deactivate')).toHaveLength(1);
    expect(h.sim.tenant('FF-412')!.status).toBe('active');
  });

  it('unknown tenant (404): TenantNotFound after one deactivate call', async () => {
    const failed = await failureOf(offboarding('FF-404'));
    expectFastClearFailure(failed, 'TenantNotFound', 404, 'FF-404');
    expect(failed.failure.message).toContain('TENANTS-8');
    expect(calls('FF-404', 'eu', 'deactivate')).toHaveLength(1);
  });

  it('bad credentials (401 at the token endpoint): InvalidCredentials, no tenant call', async () => {
    h.sim.addTenant(tenant('FF-401', 'de'));
    const failed = await failureOf(offboarding('FF-401', 'de'));
    expectFastClearFailure(failed, 'InvalidCredentials', 401, 'region de');
    expect(calls('FF-401', 'de', 'deactivate')).toEqual([]);
    expect(h.sim.requests().filter((r) => r.route === 'token' && r.region === 'de')).toHaveLength(1);
    expect(h.sim.tenant('FF-401')!.status).toBe('active');
  });

  it('forbidden (403 on deactivate): Forbidden after one deactivate call', async () => {
    h.sim.addTenant(tenant('FF-403', 'us'));
    const failed = await failureOf(offboarding('FF-403', 'us'));
    expectFastClearFailure(failed, 'Forbidden', 403, 'FF-403');
    expect(calls('FF-403', 'us', 'deactivate')).toHaveLength(1);
    expect(h.sim.tenant('FF-403')!.status).toBe('active');
  });

  it('a region no worker serves: RegionNotConfigured, nothing called', async () => {
    const { failure, elapsedMs } = await failureOf(offboarding('FF-region', 'jp'));
    expect(failure.type).toBe('RegionNotConfigured');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/region.*jp/);
    expect(elapsedMs).toBeLessThan(5_000);
    expect(requestsAbout(h.sim.requests(), 'FF-region', hostnameOf('FF-region', 'jp'))).toEqual([]);
  });
});

defineLeakScan(() => ({
  client: h.client,
  logLines: logs.lines(),
  requestLog: h.sim.requests(),
  secrets: [...Object.values(CLIENT_SECRETS), WRONG_DE_SECRET],
}));
