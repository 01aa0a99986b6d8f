import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSettingsActivity } from '../../src/activities/settings';
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
      approval: { mode: 'off', timeoutMs: 7 * 86_400_000 },
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

  describe('OFFBOARD_DAY_LENGTH', () => {
    const loopback = {
      ...base,
      QLIK_REGISTER_URL_TEMPLATE: 'http://127.0.0.1:8090/register/{region}',
      QLIK_TENANT_URL_TEMPLATE: 'http://localhost:8090/tenant/{hostname}',
    };

    it('is refused with Qlik Cloud URL templates, so a leftover test value never shortens real days', () => {
      const problems = problemsOf({ ...base, OFFBOARD_DAY_LENGTH: '100ms' }).join('\n');
      expect(problems).toMatch(/OFFBOARD_DAY_LENGTH/);
      expect(problems).toMatch(/QLIK_REGISTER_URL_TEMPLATE and QLIK_TENANT_URL_TEMPLATE/);
      expect(problems).toMatch(/loopback/);
    });

    it.each([
      ['the register template', { QLIK_REGISTER_URL_TEMPLATE: 'https://register.{region}.qlikcloud.com' }],
      ['the tenant template', { QLIK_TENANT_URL_TEMPLATE: 'https://{hostname}' }],
      ['a loopback-looking name under the placeholder', { QLIK_TENANT_URL_TEMPLATE: 'https://{hostname}.localhost' }],
      ['a public host on https', { QLIK_REGISTER_URL_TEMPLATE: 'https://sim.example.com/register/{region}' }],
    ])('is refused when only %s is not loopback', (_what, change) => {
      expect(problemsOf({ ...loopback, ...change, OFFBOARD_DAY_LENGTH: '1s' }).join('\n')).toMatch(
        /OFFBOARD_DAY_LENGTH.*loopback/,
      );
    });

    it.each([
      ['127.0.0.0/8', 'http://127.1.2.3:9/register/{region}', 'http://127.0.0.1:9/tenant/{hostname}'],
      ['localhost', 'http://localhost:9/register/{region}', 'https://localhost:9/tenant/{hostname}'],
      ['[::1]', 'http://[::1]:9/register/{region}', 'http://[::1]:9/tenant/{hostname}'],
    ])('is accepted against a %s stand-in', (_what, register, tenantTemplate) => {
      const config = loadWorkerConfig({
        ...base,
        QLIK_REGISTER_URL_TEMPLATE: register,
        QLIK_TENANT_URL_TEMPLATE: tenantTemplate,
        OFFBOARD_DAY_LENGTH: '100ms',
      });
      expect(config.timings.dayMs).toBe(100);
    });

    it('set to one real day (however spelled) is harmless anywhere', () => {
      expect(loadWorkerConfig({ ...base, OFFBOARD_DAY_LENGTH: '1d' }).timings.dayMs).toBe(86_400_000);
      expect(loadWorkerConfig({ ...base, OFFBOARD_DAY_LENGTH: '24h' }).timings.dayMs).toBe(86_400_000);
    });
  });

  describe('probe intervals have lower limits that scale with the day length', () => {
    const sim = (dayLength: string) => ({
      ...base,
      QLIK_REGISTER_URL_TEMPLATE: 'http://127.0.0.1:8090/register/{region}',
      QLIK_TENANT_URL_TEMPLATE: 'http://127.0.0.1:8090/tenant/{hostname}',
      OFFBOARD_DAY_LENGTH: dayLength,
    });

    it.each([
      [
        'OFFBOARD_PROBE_INITIAL_INTERVAL',
        '999ms',
        /OFFBOARD_PROBE_INITIAL_INTERVAL: "999ms" is below the minimum of 1s/,
      ],
      ['OFFBOARD_PROBE_INITIAL_INTERVAL', '5ms', /OFFBOARD_PROBE_INITIAL_INTERVAL: "5ms" is below the minimum of 1s/],
      ['OFFBOARD_PROBE_MAX_INTERVAL', '4m', /OFFBOARD_PROBE_MAX_INTERVAL: "4m" is below the minimum of 5m/],
      ['OFFBOARD_PROBE_MAX_INTERVAL', '500ms', /OFFBOARD_PROBE_MAX_INTERVAL: "500ms" is below the minimum of 5m/],
    ])('with real days, %s=%s is refused, naming the minimum', (variable, value, message) => {
      const problems = problemsOf({ ...base, [variable]: value }).join('\n');
      expect(problems).toMatch(message);
      expect(problems).toMatch(/OFFBOARD_DAY_LENGTH/);
    });

    it('a refused day length does not lower them: both problems are reported', () => {
      const problems = problemsOf({ ...base, OFFBOARD_DAY_LENGTH: '100ms', OFFBOARD_PROBE_INITIAL_INTERVAL: '100ms' });
      expect(problems.join('\n')).toMatch(/OFFBOARD_DAY_LENGTH: "100ms"/);
      expect(problems.join('\n')).toMatch(/OFFBOARD_PROBE_INITIAL_INTERVAL: "100ms" is below the minimum of 1s/);
    });

    it('with real days, the minimums themselves are accepted', () => {
      const config = loadWorkerConfig({
        ...base,
        OFFBOARD_PROBE_INITIAL_INTERVAL: '1s',
        OFFBOARD_PROBE_MAX_INTERVAL: '5m',
      });
      expect(config.timings).toMatchObject({ probeInitialIntervalMs: 1_000, probeMaxIntervalMs: 300_000 });
    });

    it.each([
      // [day length, initial, max]: the values the tests, the demo and the benchmarks use today
      ['100ms', '100ms', '500ms'], // harness/workers.ts
      ['250ms', '100ms', '500ms'], // harness/simulator.ts
      ['500ms', '100ms', '500ms'], // fault families
      ['1000ms', '500ms', '2s'], // scripts/demo.sh
      ['200ms', '100ms', '1000ms'], // bench: engine overhead
      ['300000ms', '1000ms', '60000ms'], // bench: scale at rest
      ['300000ms', '500ms', '360000ms'], // bench: rate limited (scale 10)
      ['1d', '5s', '1h'], // the defaults
    ])('with a day of %s, %s … %s is accepted', (dayLength, initial, max) => {
      expect(() =>
        loadWorkerConfig({
          ...sim(dayLength),
          OFFBOARD_PROBE_INITIAL_INTERVAL: initial,
          OFFBOARD_PROBE_MAX_INTERVAL: max,
        }),
      ).not.toThrow();
    });

    it('scales the minimums with the day (1 h day: 1s/24 and 5m/24), with a floor of 10ms', () => {
      expect(problemsOf({ ...sim('1h'), OFFBOARD_PROBE_INITIAL_INTERVAL: '41ms' }).join('\n')).toMatch(
        /OFFBOARD_PROBE_INITIAL_INTERVAL: "41ms" is below the minimum of 42ms/,
      );
      expect(problemsOf({ ...sim('1h'), OFFBOARD_PROBE_MAX_INTERVAL: '12s' }).join('\n')).toMatch(
        /OFFBOARD_PROBE_MAX_INTERVAL: "12s" is below the minimum of 12500ms/,
      );
      expect(problemsOf({ ...sim('100ms'), OFFBOARD_PROBE_INITIAL_INTERVAL: '9ms' }).join('\n')).toMatch(
        /OFFBOARD_PROBE_INITIAL_INTERVAL: "9ms" is below the minimum of 10ms/,
      );
      expect(
        loadWorkerConfig({
          ...sim('1h'),
          OFFBOARD_PROBE_INITIAL_INTERVAL: '42ms',
          OFFBOARD_PROBE_MAX_INTERVAL: '12500ms',
        }).timings,
      ).toMatchObject({ probeInitialIntervalMs: 42, probeMaxIntervalMs: 12_500 });
    });
  });

  describe('OFFBOARD_APPROVAL and OFFBOARD_APPROVAL_TIMEOUT ("[4 of 4]")', () => {
    it('reads required and a timeout in the ms format', () => {
      expect(
        loadWorkerConfig({ ...base, OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: '36h' }).approval,
      ).toEqual({ mode: 'required', timeoutMs: 36 * 3_600_000 });
      expect(loadWorkerConfig({ ...base, OFFBOARD_APPROVAL: ' off ' }).approval).toEqual({
        mode: 'off',
        timeoutMs: 7 * 86_400_000,
      });
      expect(loadWorkerConfig({ ...base, OFFBOARD_APPROVAL: 'required' }).approval.timeoutMs).toBe(7 * 86_400_000);
    });

    it.each(['yes', 'on', 'true', 'Required', 'REQUIRED', 'optional', '1'])(
      'refuses OFFBOARD_APPROVAL=%j, naming the variable and the rule',
      (value) => {
        expect(problemsOf({ ...base, OFFBOARD_APPROVAL: value })).toEqual([
          `OFFBOARD_APPROVAL: "${value}" is not off or required (required: every offboarding that is not a dry run ` +
            'waits for an approval by someone other than its requestedBy before anything is changed; default off)',
        ]);
      },
    );

    it.each(['7', '0d', '-1h', 'a week', 'soon'])('refuses OFFBOARD_APPROVAL_TIMEOUT=%j', (value) => {
      expect(problemsOf({ ...base, OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: value })).toEqual([
        `OFFBOARD_APPROVAL_TIMEOUT: "${value}" is not a duration such as 500ms, 5s, 1h or 14d`,
      ]);
    });

    it('is recorded in the settings each run reads once (absent in older recordings means off)', async () => {
      const config = loadWorkerConfig({ ...base, OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: '2d' });
      const settings = await createSettingsActivity(config).readWorkerSettings();
      expect(settings.approval).toEqual({ mode: 'required', timeoutMs: 2 * 86_400_000 });
    });
  });

  describe('OFFBOARD_GRACE_PROBE_INTERVAL', () => {
    const sim = (dayLength: string) => ({
      ...base,
      QLIK_REGISTER_URL_TEMPLATE: 'http://127.0.0.1:8090/register/{region}',
      QLIK_TENANT_URL_TEMPLATE: 'http://127.0.0.1:8090/tenant/{hostname}',
      OFFBOARD_DAY_LENGTH: dayLength,
    });

    it('defaults to one real day, also with a shortened day (a simulator sets it explicitly)', () => {
      expect(loadWorkerConfig(base).timings.graceProbeIntervalMs).toBe(86_400_000);
      expect(loadWorkerConfig(sim('100ms')).timings.graceProbeIntervalMs).toBe(86_400_000);
    });

    it.each(['off', 'OFF', ' off '])('%j turns the probes off: no interval in the settings a run records', (value) => {
      const { timings } = loadWorkerConfig({ ...base, OFFBOARD_GRACE_PROBE_INTERVAL: value });
      expect(timings.graceProbeIntervalMs).toBeUndefined();
      expect('graceProbeIntervalMs' in timings).toBe(false);
    });

    it('takes any duration from the minimum up', () => {
      expect(loadWorkerConfig({ ...base, OFFBOARD_GRACE_PROBE_INTERVAL: '12h' }).timings.graceProbeIntervalMs).toBe(
        43_200_000,
      );
      expect(loadWorkerConfig({ ...base, OFFBOARD_GRACE_PROBE_INTERVAL: '1h' }).timings.graceProbeIntervalMs).toBe(
        3_600_000,
      );
    });

    it.each([
      [
        '59m',
        /OFFBOARD_GRACE_PROBE_INTERVAL: "59m" is below the minimum of 1h \(1h per real day of OFFBOARD_DAY_LENGTH=1d/,
      ],
      ['5s', /OFFBOARD_GRACE_PROBE_INTERVAL: "5s" is below the minimum of 1h/],
      ['soon', /OFFBOARD_GRACE_PROBE_INTERVAL: "soon" is neither a duration such as 12h or 1d nor off/],
      ['0s', /OFFBOARD_GRACE_PROBE_INTERVAL: "0s" is neither a duration/],
      ['500', /OFFBOARD_GRACE_PROBE_INTERVAL: "500" is neither a duration/],
    ])('with real days, %s is refused, naming the variable and the rule', (value, message) => {
      expect(problemsOf({ ...base, OFFBOARD_GRACE_PROBE_INTERVAL: value }).join('\n')).toMatch(message);
    });

    it('scales the minimum with the day (1 h per real day), with a floor of 10ms', () => {
      // A day of 2.4 s: the minimum is 100 ms.
      expect(problemsOf({ ...sim('2400ms'), OFFBOARD_GRACE_PROBE_INTERVAL: '99ms' }).join('\n')).toMatch(
        /OFFBOARD_GRACE_PROBE_INTERVAL: "99ms" is below the minimum of 100ms/,
      );
      expect(
        loadWorkerConfig({ ...sim('2400ms'), OFFBOARD_GRACE_PROBE_INTERVAL: '100ms' }).timings.graceProbeIntervalMs,
      ).toBe(100);
      expect(problemsOf({ ...sim('100ms'), OFFBOARD_GRACE_PROBE_INTERVAL: '9ms' }).join('\n')).toMatch(
        /below the minimum of 10ms/,
      );
      expect(loadWorkerConfig({ ...sim('100ms'), OFFBOARD_GRACE_PROBE_INTERVAL: '10ms' }).timings).toMatchObject({
        graceProbeIntervalMs: 10,
      });
    });

    it('a refused day length does not lower the minimum', () => {
      const problems = problemsOf({ ...base, OFFBOARD_DAY_LENGTH: '100ms', OFFBOARD_GRACE_PROBE_INTERVAL: '100ms' });
      expect(problems.join('\n')).toMatch(/OFFBOARD_GRACE_PROBE_INTERVAL: "100ms" is below the minimum of 1h/);
    });
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ ...base, LOG_FORMAT: 'xml', OFFBOARD_VERIFY_TIMEOUT: 'soon' })).toHaveLength(2);
  });
});
