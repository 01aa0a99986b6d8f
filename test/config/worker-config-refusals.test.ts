/**
 * Bad worker configuration stops the worker at start with a clear message: the built worker process
 * (`node dist/src/worker.js`, as `npm run worker` runs it) is started with a broken environment and must exit
 * non-zero, name the variable at fault, and never print a secret (the environment holds recognisable ones).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../harness/ports';
import { runWorkerToExit } from '../../harness/processes';
import { ensureBuilt } from '../../harness/repo';

const SECRET = 'cfg-SECRET-must-not-print-5d1e';
const FILE_SECRET = 'cfg-FILE-SECRET-must-not-print-77b0';
let dir: string;
let secretFile: string;
let unusedAddress: string;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'qlik-offboard-config-'));
  secretFile = path.join(dir, 'secret');
  writeFileSync(secretFile, `${FILE_SECRET}\n`);
  // Nothing listens here: a worker that got past its configuration would fail to connect, not to configure.
  unusedAddress = `127.0.0.1:${await freePort()}`;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration that is complete and valid, apart from what each case changes. */
function goodEnv(): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: unusedAddress,
    QLIK_EU_CLIENT_ID: 'cfg-eu-client',
    QLIK_EU_CLIENT_SECRET: SECRET,
    QLIK_REGISTER_URL_TEMPLATE: 'http://127.0.0.1:9/register/{region}',
    QLIK_TENANT_URL_TEMPLATE: 'http://127.0.0.1:9/tenant/{hostname}',
  };
}

/** [what, changes to the good environment (undefined removes), variable named, what the message says] */
const CASES: Array<[string, Record<string, string | undefined>, string, RegExp]> = [
  ['missing client secret', { QLIK_EU_CLIENT_SECRET: undefined }, 'QLIK_EU_CLIENT_SECRET', /region eu: no client/],
  [
    'client ID without secret (shared client)',
    { QLIK_EU_CLIENT_ID: undefined, QLIK_EU_CLIENT_SECRET: undefined, QLIK_CLIENT_ID: 'x' },
    'QLIK_CLIENT_SECRET',
    /must be set together/,
  ],
  ['empty client secret', { QLIK_EU_CLIENT_SECRET: '  ' }, 'QLIK_EU_CLIENT_SECRET', /set but empty/],
  [
    'unreadable secret file',
    { QLIK_EU_CLIENT_SECRET: undefined, QLIK_EU_CLIENT_SECRET_FILE: '/nonexistent/secret' },
    'QLIK_EU_CLIENT_SECRET_FILE',
    /cannot read/,
  ],
  [
    'secret given twice (value and _FILE)',
    { QLIK_EU_CLIENT_SECRET_FILE: '__SECRET_FILE__' },
    'QLIK_EU_CLIENT_SECRET_FILE',
    /both set/,
  ],
  [
    'malformed register URL template',
    { QLIK_REGISTER_URL_TEMPLATE: 'not a url {region}' },
    'QLIK_REGISTER_URL_TEMPLATE',
    /./,
  ],
  [
    'register URL template without {region}',
    { QLIK_REGISTER_URL_TEMPLATE: 'https://register.eu.qlikcloud.com' },
    'QLIK_REGISTER_URL_TEMPLATE',
    /\{region\}/,
  ],
  [
    'tenant URL template without {hostname}',
    { QLIK_TENANT_URL_TEMPLATE: 'https://tenant.qlikcloud.com' },
    'QLIK_TENANT_URL_TEMPLATE',
    /\{hostname\}/,
  ],
  [
    'plain http to a non-loopback host',
    { QLIK_REGISTER_URL_TEMPLATE: 'http://register.{region}.qlikcloud.com' },
    'QLIK_REGISTER_URL_TEMPLATE',
    /https/,
  ],
  [
    'plain http tenant template to a non-loopback host',
    { QLIK_TENANT_URL_TEMPLATE: 'http://{hostname}' },
    'QLIK_TENANT_URL_TEMPLATE',
    /https/,
  ],
  [
    'no region at all',
    { QLIK_EU_CLIENT_ID: undefined, QLIK_EU_CLIENT_SECRET: undefined },
    'QLIK_CLIENT_ID',
    /no region configured/,
  ],
  ['upper-case region in QLIK_REGIONS', { QLIK_REGIONS: 'EU' }, 'QLIK_REGIONS', /lower-case region code/],
  ['a duration that is not one', { OFFBOARD_VERIFY_TIMEOUT: 'soon' }, 'OFFBOARD_VERIFY_TIMEOUT', /not a duration/],
  [
    'webhook without its signing secret',
    { REPORT_WEBHOOK_URL: 'https://hooks.example.com/offboarding' },
    'REPORT_WEBHOOK_SECRET',
    /required/,
  ],
  ['unknown log format', { LOG_FORMAT: 'xml' }, 'LOG_FORMAT', /text or json/],
  [
    'a shortened day against Qlik Cloud (a leftover test value)',
    {
      OFFBOARD_DAY_LENGTH: '1s',
      QLIK_REGISTER_URL_TEMPLATE: undefined,
      QLIK_TENANT_URL_TEMPLATE: undefined,
    },
    'OFFBOARD_DAY_LENGTH',
    /refused unless both QLIK_REGISTER_URL_TEMPLATE and QLIK_TENANT_URL_TEMPLATE have a loopback host/,
  ],
  [
    'a probe interval below its minimum for real days',
    { OFFBOARD_PROBE_INITIAL_INTERVAL: '100ms' },
    'OFFBOARD_PROBE_INITIAL_INTERVAL',
    /below the minimum of 1s/,
  ],
  [
    'a build ID without its deployment name',
    { OFFBOARD_BUILD_ID: 'build-2' },
    'OFFBOARD_DEPLOYMENT_NAME',
    /OFFBOARD_BUILD_ID is set but OFFBOARD_DEPLOYMENT_NAME is not: set both .* or neither/,
  ],
  [
    'an approval policy that is neither off nor required',
    { OFFBOARD_APPROVAL: 'yes' },
    'OFFBOARD_APPROVAL',
    /not off or required/,
  ],
  [
    'an approval timeout that is not a duration',
    { OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: 'a week' },
    'OFFBOARD_APPROVAL_TIMEOUT',
    /not a duration/,
  ],
  [
    'a grace-probe interval below its minimum for real days',
    { OFFBOARD_GRACE_PROBE_INTERVAL: '10m' },
    'OFFBOARD_GRACE_PROBE_INTERVAL',
    /below the minimum of 1h/,
  ],
];

/** Starts the worker with the good environment changed by `changes`; asserts the refusal. */
async function expectRefusal(changes: Record<string, string | undefined>, variable: string, message: RegExp) {
  const env = goodEnv();
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete env[name];
    else env[name] = value === '__SECRET_FILE__' ? secretFile : value;
  }
  const started = Date.now();
  const exit = await runWorkerToExit(env);
  expect(exit.code).not.toBe(0);
  expect(exit.code).not.toBeNull(); // it exited by itself, it was not killed at the timeout
  expect(exit.output).toContain(variable);
  expect(exit.output).toMatch(message);
  expect(exit.output).toMatch(/invalid worker configuration/);
  expect(exit.output).not.toContain(SECRET);
  expect(exit.output).not.toContain(FILE_SECRET);
  expect(Date.now() - started).toBeLessThan(15_000);
}

describe('the worker refuses a bad configuration at start', () => {
  it.each(CASES.map((c, i) => [i, ...c] as const))(
    '#%i %s: exits non-zero naming the variable, printing no secret',
    (_i, _what, changes, variable, message) => expectRefusal(changes, variable, message),
    30_000,
  );

  it(
    'credentials inside a URL template: refused without printing them',
    () =>
      expectRefusal(
        { QLIK_REGISTER_URL_TEMPLATE: `https://user:${SECRET}@register.{region}.qlikcloud.com` },
        'QLIK_REGISTER_URL_TEMPLATE',
        /user info/,
      ),
    30_000,
  );

  it('a secret read from a _FILE is not printed either when another variable is wrong', async () => {
    const env = { ...goodEnv(), QLIK_EU_CLIENT_SECRET_FILE: secretFile, LOG_FORMAT: 'xml' };
    delete (env as Record<string, string | undefined>).QLIK_EU_CLIENT_SECRET;
    const exit = await runWorkerToExit(env);
    expect(exit.code).toBe(1);
    expect(exit.output).toContain('LOG_FORMAT');
    expect(exit.output).not.toContain(FILE_SECRET);
  }, 30_000);

  it('every problem is listed at once, not only the first', async () => {
    const env = {
      ...goodEnv(),
      LOG_FORMAT: 'xml',
      OFFBOARD_VERIFY_TIMEOUT: 'soon',
      QLIK_TENANT_URL_TEMPLATE: 'https://x',
    };
    const exit = await runWorkerToExit(env);
    expect(exit.code).toBe(1);
    for (const variable of ['LOG_FORMAT', 'OFFBOARD_VERIFY_TIMEOUT', 'QLIK_TENANT_URL_TEMPLATE']) {
      expect(exit.output).toContain(variable);
    }
  }, 30_000);
});
