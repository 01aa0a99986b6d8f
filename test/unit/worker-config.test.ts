import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadWorkerConfig } from '../../src/config/worker-config';

const SECRET = 'config-test-SECRET-123';
const base = { QLIK_CLIENT_ID: 'client', QLIK_CLIENT_SECRET: SECRET };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain(SECRET);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadWorkerConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadWorkerConfig(base);
    expect(config).toMatchObject({
      taskQueue: 'tenant-offboarding',
      regions: ['ap', 'de', 'eu', 'jp', 'sg', 'uk', 'us'],
      registerUrlTemplate: 'https://register.{region}.qlikcloud.com',
      tenantUrlTemplate: 'https://{hostname}',
      registerCallsPerMinute: 90,
      maxCachedWorkflows: 50,
      allowedHostnameSuffixes: ['.qlikcloud.com'],
      protectedTenants: [],
      timings: {
        verifyTimeoutMs: 3_600_000,
        probeInitialIntervalMs: 5_000,
        probeMaxIntervalMs: 3_600_000,
        purgeOverdueAfterMs: 14 * 86_400_000,
        dayMs: 86_400_000,
      },
      logFormat: 'text',
      uiUrl: 'http://localhost:8233',
    });
    expect(config.credentials.eu).toEqual({ clientId: 'client', clientSecret: SECRET });
    expect(config.webhook).toBeUndefined();
  });

  it('serves exactly the regions with their own credentials, read from _FILE forms', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'secret'), `${SECRET}\n`);
    const config = loadWorkerConfig({
      QLIK_EU_CLIENT_ID: 'eu-client',
      QLIK_EU_CLIENT_SECRET_FILE: path.join(dir, 'secret'),
      OFFBOARD_PROTECTED_TENANTS: 'a, b',
    });
    expect(config.regions).toEqual(['eu']);
    expect(config.credentials.eu).toEqual({ clientId: 'eu-client', clientSecret: SECRET });
    expect(config.protectedTenants).toEqual(['a', 'b']);
  });

  it.each([
    [{}, /no region configured/],
    [{ QLIK_CLIENT_ID: 'x' }, /QLIK_CLIENT_ID and QLIK_CLIENT_SECRET must be set together/],
    [{ ...base, QLIK_REGIONS: 'eu,EU1' }, /QLIK_REGIONS: "EU1" is not a lower-case region code/],
    [
      { QLIK_EU_CLIENT_ID: 'x', QLIK_EU_CLIENT_SECRET_FILE: '/nonexistent/secret' },
      /QLIK_EU_CLIENT_SECRET_FILE: cannot read/,
    ],
    [{ ...base, QLIK_CLIENT_SECRET: '' }, /QLIK_CLIENT_SECRET is set but empty/],
    [
      { ...base, QLIK_REGISTER_URL_TEMPLATE: 'http://register.example.com/{region}' },
      /QLIK_REGISTER_URL_TEMPLATE.*https/,
    ],
    [{ ...base, QLIK_REGISTER_URL_TEMPLATE: 'https://register.example.com' }, /\{region\}/],
    [{ ...base, QLIK_TENANT_URL_TEMPLATE: 'not a url {hostname}' }, /QLIK_TENANT_URL_TEMPLATE/],
    [{ ...base, OFFBOARD_VERIFY_TIMEOUT: '10' }, /OFFBOARD_VERIFY_TIMEOUT: "10" is not a duration/],
    [{ ...base, OFFBOARD_PROBE_INITIAL_INTERVAL: '2h' }, /MAX_INTERVAL must not be shorter/],
    [
      { ...base, QLIK_REGISTER_CALLS_PER_MINUTE: '-5' },
      /QLIK_REGISTER_CALLS_PER_MINUTE: "-5" is not a positive number/,
    ],
    [{ ...base, REPORT_WEBHOOK_URL: 'https://hooks.example.com/x' }, /REPORT_WEBHOOK_SECRET is required/],
    [
      { ...base, REPORT_WEBHOOK_URL: 'http://hooks.example.com/x', REPORT_WEBHOOK_SECRET: 's' },
      /REPORT_WEBHOOK_URL: must use https/,
    ],
    [{ ...base, OFFBOARD_METRICS_ADDRESS: 'nope' }, /OFFBOARD_METRICS_ADDRESS: "nope" is not host:port/],
    [{ ...base, LOG_FORMAT: 'xml' }, /LOG_FORMAT: "xml" is not text or json/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(problemsOf(env as Record<string, string>).join('\n')).toMatch(message);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ ...base, LOG_FORMAT: 'xml', OFFBOARD_VERIFY_TIMEOUT: 'soon' })).toHaveLength(2);
  });
});
