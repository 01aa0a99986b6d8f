/**
 * The product's counters reach the Temporal runtime's own Prometheus endpoint (the one `OFFBOARD_METRICS_ADDRESS`
 * turns on), with the labels ops filter on: fed by the real Qlik client talking to the simulator, and by real
 * webhook deliveries.
 */
import { Runtime } from '@temporalio/worker';
import { createQlikMetrics, createWebhookMetrics, METRIC_NAMES, type QlikMetrics } from '../../src/metrics';
import { createQlikClient, type QlikHttpClient } from '../../src/qlik';
import { createReportActivities } from '../../src/reports';
import { startSimulator, type Simulator } from '../../src/simulator';
import { freePort } from '../../harness/ports';
import { startReceiver } from '../../harness/webhook-receiver';

const SECRET = 'metrics-sim-secret';
let metricsUrl: string;
let qlikMetrics: QlikMetrics;
let sim: Simulator;
let qlik: QlikHttpClient;

/** The endpoint's samples, keyed `name{label="value",…}` with labels sorted by name. */
async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
    samples.set(`${m[1]}{${labels.sort().join(',')}}`, Number(m[3]));
  }
  return samples;
}

/** The sample's value, 0 when absent. */
const value = (samples: Map<string, number>, key: string): number => samples.get(key) ?? 0;

beforeAll(async () => {
  // Before anything else in this file touches the runtime: it can be installed once per process.
  const port = await freePort();
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } });
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  qlikMetrics = createQlikMetrics(Runtime.instance().metricMeter);
  sim = await startSimulator({
    clients: [{ region: 'eu', clientId: 'client-eu', clientSecret: SECRET }],
    tenants: [{ id: 'tenant-m', hostnames: ['metrics.eu.qlikcloud.com'], region: 'eu' }],
  });
  qlik = createQlikClient({
    registerUrlTemplate: sim.registerUrlTemplate,
    tenantUrlTemplate: sim.tenantUrlTemplate,
    credentials: (region) => (region === 'eu' ? { clientId: 'client-eu', clientSecret: SECRET } : undefined),
    requestTimeoutMs: 2_000,
    onResponse: qlikMetrics.onResponse,
  });
});

afterAll(async () => {
  await qlik?.close();
  await sim?.close();
  await Runtime.instance().shutdown();
});

describe('product metrics on the runtime Prometheus endpoint', () => {
  it('counts Qlik answers by route, status class and region, 429s, and token requests', async () => {
    const before = await scrape();
    // The first token request is throttled, the second succeeds; then one deactivate and one probe.
    sim.setFaults([{ route: 'token', sequence: [{ kind: '429', retryAfterS: 1 }] }]);
    await expect(qlik.ensureToken('eu')).rejects.toMatchObject({ kind: 'RateLimited' });
    // The token cache honours retry-after: asking sooner is refused without a request.
    await expect(qlik.ensureToken('eu')).rejects.toMatchObject({ kind: 'RateLimited' });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await qlik.ensureToken('eu');
    await qlik.deactivate({ region: 'eu', tenantId: 'tenant-m', hostname: 'metrics.eu.qlikcloud.com' });
    expect(await qlik.probe('metrics.eu.qlikcloud.com')).toMatchObject({ httpStatus: 401 });
    expect(sim.requests().map((r) => r.route)).toEqual(['token', 'token', 'deactivate', 'probe']);

    const after = await scrape();
    const delta = (key: string) => value(after, key) - value(before, key);
    expect(delta('qlik_http_responses{region="eu",route="token",status_class="4xx"}')).toBe(1);
    expect(delta('qlik_http_responses{region="eu",route="token",status_class="2xx"}')).toBe(1);
    expect(delta('qlik_http_responses{region="eu",route="deactivate",status_class="2xx"}')).toBe(1);
    // Probes go to the tenant host, not a region endpoint: no region label.
    expect(delta('qlik_http_responses{route="probe",status_class="4xx"}')).toBe(1);
    expect(delta('qlik_rate_limited{region="eu",route="token"}')).toBe(1);
    expect(delta('qlik_token_requests{region="eu"}')).toBe(2);
  });

  it('counts exchanges without an answer as network-error', async () => {
    const before = await scrape();
    qlikMetrics.onResponse({ route: 'reactivate', status: 'network-error', region: 'us' });
    qlikMetrics.onResponse({ route: 'reactivate', status: 503, region: 'us' });
    const after = await scrape();
    const key = 'qlik_http_responses{region="us",route="reactivate",status_class="network-error"}';
    expect(value(after, key) - value(before, key)).toBe(1);
    expect(value(after, 'qlik_http_responses{region="us",route="reactivate",status_class="5xx"}')).toBe(1);
    expect(value(after, 'qlik_rate_limited{region="us",route="reactivate"}')).toBe(0);
  });

  it('counts webhook delivery attempts by event and status class', async () => {
    const receiver = await startReceiver('whsec-metrics');
    receiver.script((n) => ({ status: n === 0 ? 503 : 204 }));
    try {
      const { sendLifecycleEvent } = createReportActivities({
        webhook: { url: receiver.url, secret: 'whsec-metrics' },
        onDelivery: createWebhookMetrics(Runtime.instance().metricMeter).onDelivery,
      });
      const event = {
        kind: 'final-report' as const,
        workflowId: 'offboard-tenant-tenant-m',
        runId: 'run-1',
        status: {
          tenantId: 'tenant-m',
          hostname: 'metrics.eu.qlikcloud.com',
          region: 'eu',
          dryRun: false,
          phase: 'completed' as const,
          phaseSince: new Date().toISOString(),
          outcome: 'purged' as const,
          ignoredSignals: [],
        },
      };
      await expect(sendLifecycleEvent(event)).rejects.toMatchObject({ type: 'WebhookUnavailable' });
      await sendLifecycleEvent(event);
    } finally {
      await receiver.close();
    }
    const samples = await scrape();
    expect(value(samples, `${METRIC_NAMES.webhookDeliveries}{event="final-report",status_class="5xx"}`)).toBe(1);
    expect(value(samples, `${METRIC_NAMES.webhookDeliveries}{event="final-report",status_class="2xx"}`)).toBe(1);
  });
});
