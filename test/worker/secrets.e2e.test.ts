/**
 * Secrets never leave the worker. After runs of every kind (purged, reactivated, cancelled, failed, dry run, refused)
 * with recognisable client secrets and short-lived access tokens, every workflow history is exported as Temporal's
 * JSON and every payload in it decoded, and the worker's log lines are captured: no client secret and no access
 * token appears anywhere, and no request to a tenant host carried one. A canary from the input proves the scan
 * reads decoded payloads. Also: a redirect from the registration endpoint is refused, not followed; a protected
 * tenant and a hostname outside the allowed suffixes are refused with zero calls.
 * (Every other reliability file ends with the same scan over its own runs.)
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MessageArgs, OffboardingInput } from '../../src/shared/contract';
import { workflowIdFor } from '../../src/shared/contract';
import { cancelSignal, reactivateSignal } from '../../src/workflows/definitions';
import type { offboardTenant } from '../../src/workflows';
import { CLIENT_SECRETS, hostnameOf, tenant } from '../../harness/simulator';
import { type Harness, startHarness, startLocalHarness } from '../../harness/workers';
import { captureWorkerLogs } from '../support/captured-logs';
import { startRedirectingRegistration, type RedirectingRegistration } from '../../harness/redirect-server';
import { accessTokensSeen, requestsAbout } from '../support/request-log';
import { scanForLeaks, tenantHostLeaks, type LeakScan } from '../support/secrets';
import { waitForPhase } from '../../harness/wait';

const logs = captureWorkerLogs();
/** Not a secret: planted in every input's `reason` to prove that the scan sees inside payloads. */
const CANARY = `canary-${randomBytes(6).toString('hex')}`;

let env: TestWorkflowEnvironment;
let h: Harness;
let r: Harness;
let redirect: RedirectingRegistration;
let scan: LeakScan;
const outcomes: Record<string, string> = {};
const failures: Record<string, ApplicationFailure> = {};

function input(id: string, region = 'eu', overrides: Partial<OffboardingInput> = {}): OffboardingInput {
  return {
    tenantId: id,
    hostname: hostnameOf(id, region),
    region,
    purgeAfterDays: 10,
    reason: `contract ended (${CANARY})`,
    requestedBy: 'secrets-test',
    ...overrides,
  };
}

async function finish(id: string, handle: WorkflowHandle<typeof offboardTenant>): Promise<void> {
  try {
    outcomes[id] = (await handle.result()).outcome ?? '(none)';
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : error;
    if (!(cause instanceof ApplicationFailure)) throw error;
    failures[id] = cause;
    outcomes[id] = `failed ${cause.type}`;
  }
}

function starter(harness: Harness) {
  return (input: OffboardingInput) =>
    harness.client.workflow.start<typeof offboardTenant>('offboardTenant', {
      taskQueue: harness.taskQueue,
      workflowId: workflowIdFor(input.tenantId, input.dryRun === true),
      args: [input],
    });
}

beforeAll(async () => {
  // Tokens live 1 s: many distinct access tokens pass through the worker during the runs.
  ({ env, h } = await startLocalHarness({ sim: { tokenLifetimeMs: 1_000, tier1PerMinute: 0, tier2PerMinute: 0 } }));
  redirect = await startRedirectingRegistration();
  r = await startHarness(env, { env: { QLIK_REGISTER_URL_TEMPLATE: redirect.registerUrlTemplate } });
  await h.startWorkers();
  await r.startWorkers();
  for (const id of ['SEC-purged', 'SEC-reactivated', 'SEC-early', 'SEC-mismatch', 'SEC-dry', 'SEC-us']) {
    h.sim.addTenant(tenant(id));
  }
  h.sim.addTenant(tenant('SEC-us', 'us'));
  h.sim.addTenant(tenant('protected-tenant'));
  r.sim.addTenant(tenant('RED-eu'));
  r.sim.addTenant(tenant('RED-us', 'us'));

  const start = starter(h);
  const runs: Promise<void>[] = [];
  runs.push(finish('SEC-purged', await start(input('SEC-purged'))));
  runs.push(finish('SEC-us', await start(input('SEC-us', 'us'))));
  const reactivated = await start(input('SEC-reactivated', 'eu', { purgeAfterDays: 90 }));
  runs.push(
    (async () => {
      await waitForPhase(h.client, reactivated.workflowId, 'grace-period', 20_000);
      await reactivated.signal(reactivateSignal, { reason: `renewed (${CANARY})` });
      await finish('SEC-reactivated', reactivated);
    })(),
  );
  const early = await h.client.workflow.signalWithStart<typeof offboardTenant, [MessageArgs?]>('offboardTenant', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdFor('SEC-early'),
    args: [input('SEC-early')],
    signal: cancelSignal,
    signalArgs: [{ reason: `stayed (${CANARY})` }],
  });
  runs.push(finish('SEC-early', early));
  runs.push(finish('SEC-mismatch', await start(input('SEC-mismatch', 'eu', { hostname: 'other.eu.qlikcloud.com' }))));
  runs.push(finish('SEC-dry', await start(input('SEC-dry', 'eu', { dryRun: true }))));
  runs.push(finish('protected-tenant', await start(input('protected-tenant'))));
  runs.push(finish('SEC-suffix', await start(input('SEC-suffix', 'eu', { hostname: 'sec-suffix.example.com' }))));
  const startRedirected = starter(r);
  runs.push(finish('RED-eu', await startRedirected(input('RED-eu'))));
  runs.push(finish('RED-us', await startRedirected(input('RED-us', 'us'))));
  await Promise.all(runs);

  scan = await scanForLeaks({
    client: env.client,
    logLines: logs.lines(),
    requestLog: [...h.sim.requests(), ...r.sim.requests()],
    secrets: [...Object.values(CLIENT_SECRETS), redirect.usToken],
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await r?.close();
  await redirect?.close();
  await env?.teardown();
});

describe('secrets never leave the worker', () => {
  it('ran every kind of run', () => {
    expect(outcomes).toEqual({
      'SEC-purged': 'purged',
      'SEC-us': 'purged',
      'SEC-reactivated': 'reactivated',
      'SEC-early': 'cancelled',
      'SEC-mismatch': 'failed HostnameMismatch',
      'SEC-dry': 'dry-run-ok',
      'protected-tenant': 'failed ProtectedTenant',
      'SEC-suffix': 'failed InvalidInput',
      'RED-eu': 'failed RequestRejected',
      'RED-us': 'failed RequestRejected',
    });
  });

  it('the scan works: the input canary is found in decoded payloads, though not readable in the raw JSON', () => {
    const started = scan.histories.find((x) => x.workflowId === workflowIdFor('SEC-purged'))!;
    expect(started.json).not.toContain(CANARY);
    expect(started.decodedPayloads.some((p) => p.includes(CANARY))).toBe(true);
    expect(scan.histories).toHaveLength(Object.keys(outcomes).length);
    // The worker's log lines are captured too (the final report carries the reason).
    expect(logs.lines().some((line) => line.includes(CANARY))).toBe(true);
  });

  it('many access tokens went through the worker (short lifetime), and the scan looked for each', () => {
    const tokens = accessTokensSeen(h.sim.requests());
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(scan.needles).toBeGreaterThanOrEqual(Object.keys(CLIENT_SECRETS).length + tokens.length);
  });

  it('no client secret or access token appears in any history (decoded), worker log line, or probe', () => {
    expect(scan.leaks).toEqual([]);
  });

  it("no request to a tenant host carried the region client's secret, a token, or any authorization", () => {
    const probes = [...h.sim.requests(), ...r.sim.requests()].filter((x) => x.route === 'probe');
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((p) => p.headers.authorization !== undefined)).toEqual([]);
    expect(tenantHostLeaks(probes, [...Object.values(CLIENT_SECRETS), ...accessTokensSeen(h.sim.requests())])).toEqual(
      [],
    );
  });
});

describe('refused with zero calls', () => {
  it('a redirect from the token endpoint is refused, not followed: the secret never reaches the redirect target', () => {
    expect(failures['RED-eu']!.message).toMatch(/redirect/);
    expect(redirect.stolen).toEqual([]);
    expect(redirect.received.filter((x) => x.url.includes('/register/eu/oauth/token')).length).toBeGreaterThan(0);
    // Without a token, no tenant action was attempted in that region.
    expect(redirect.received.filter((x) => x.url.startsWith('/register/eu/api/'))).toEqual([]);
  });

  it('a redirect from deactivate is refused, not followed: the access token never reaches the redirect target', () => {
    expect(failures['RED-us']!.message).toMatch(/redirect/);
    expect(failures['RED-us']!.nonRetryable).toBe(true);
    expect(redirect.received.filter((x) => x.url.endsWith('/RED-us/actions/deactivate'))).toHaveLength(1);
    expect(redirect.stolen).toEqual([]);
    expect(r.sim.tenant('RED-us')!.status).toBe('active');
  });

  it('a protected tenant is refused (ProtectedTenant) before any request', () => {
    expect(failures['protected-tenant']!.nonRetryable).toBe(true);
    expect(requestsAbout(h.sim.requests(), 'protected-tenant', hostnameOf('protected-tenant'))).toEqual([]);
  });

  it('a hostname outside the allowed suffixes is refused (InvalidInput, naming the rule) before any request', () => {
    expect(failures['SEC-suffix']!.message).toMatch(/hostname: must end with an allowed suffix/);
    expect(requestsAbout(h.sim.requests(), 'SEC-suffix', 'sec-suffix.example.com')).toEqual([]);
  });
});
