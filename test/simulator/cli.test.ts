import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SimulatorControl } from '../../src/simulator';
import { CliUsageError, helpText, parseCliArgs } from '../../src/simulator/cli-args';
import { loadSeedFile, parseSeed, SeedFileError } from '../../src/simulator/seed-file';
import { CLIENT, TENANT } from './helpers';

describe('simulator CLI arguments', () => {
  it('maps every kebab-case flag to its option, in both --flag value and --flag=value forms', () => {
    const command = parseCliArgs([
      '--port=8090',
      '--host',
      '127.0.0.1',
      '--day-ms',
      '1000',
      '--seed=7',
      '--token-lifetime-ms',
      '5000',
      '--omit-expires-in',
      '--purge-lag-ms',
      '200',
      '--propagation-delay-ms=300',
      '--deactivated-code',
      'TENANT_DISABLED',
      '--purged-answer',
      'reset',
      '--omit-purge-date=false',
      '--reactivate-answer',
      'empty',
      '--reactivate-when-active',
      'reject',
      '--tier1-per-minute',
      'off',
      '--tier2-per-minute',
      '50',
      '--rate-window-ms',
      '3000',
      '--request-log-limit',
      '10',
      '--seed-file',
      'seed.json',
    ]);
    expect(command).toEqual({
      kind: 'run',
      seedFile: 'seed.json',
      options: {
        port: 8090,
        host: '127.0.0.1',
        dayMs: 1000,
        seed: 7,
        tokenLifetimeMs: 5000,
        omitExpiresIn: true,
        purgeLagMs: 200,
        propagationDelayMs: 300,
        deactivatedCode: 'TENANT_DISABLED',
        purgedAnswer: 'reset',
        omitPurgeDate: false,
        reactivateAnswer: 'empty',
        reactivateWhenActive: 'reject',
        tier1PerMinute: 0,
        tier2PerMinute: 50,
        rateWindowMs: 3000,
        requestLogLimit: 10,
      },
    });
    expect(parseCliArgs([])).toEqual({ kind: 'run', seedFile: undefined, options: {} });
    expect(parseCliArgs(['--day-ms', '5', '--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--bogus'], /unknown flag --bogus/],
    [['--day-ms', 'abc'], /--day-ms: expected a number, got 'abc'/],
    [['--day-ms', '-5'], /--day-ms: must be a number > 0/],
    [['--day-ms'], /--day-ms: a value is required/],
    [['--port', '70000'], /--port: must be an integer/],
    [['--host', '0.0.0.0'], /--host: must be a loopback address/],
    [['--purged-answer', 'gone'], /--purged-answer: must be one of/],
    [['--omit-purge-date=yes'], /--omit-purge-date: expected true or false/],
    [['--seed', '1.5'], /--seed: must be an integer/],
    [['stray'], /unexpected argument 'stray'/],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('documents every flag with its default in --help', () => {
    const help = helpText();
    for (const flag of [
      '--port',
      '--seed-file',
      '--day-ms',
      '--tier2-per-minute',
      '--purged-answer',
      '--rate-window-ms',
    ]) {
      expect(help).toContain(flag);
    }
    expect(help).toContain('(default 86400000)');
  });
});

describe('simulator seed file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qlik-sim-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns clients, tenants, faults and options into simulator options', () => {
    const options = parseSeed({
      clients: [CLIENT],
      tenants: [TENANT],
      faults: [{ route: 'deactivate', sequence: ['lost'] }],
      options: { dayMs: 1000 },
    });
    expect(options).toEqual({
      clients: [CLIENT],
      tenants: [TENANT],
      faults: [{ route: 'deactivate', sequence: ['lost'] }],
      dayMs: 1000,
    });
  });

  it('names the bad field', () => {
    expect(() => parseSeed({ tenants: [TENANT, { ...TENANT, hostnames: 'x' }] })).toThrow('tenants[1].hostnames');
    expect(() => parseSeed({ clients: [{ ...CLIENT, secret: 'x' }] })).toThrow('clients[0].secret: unknown field');
    expect(() => parseSeed({ tenant: [] })).toThrow('tenant: unknown field');
    expect(() => parseSeed({ options: { dayMs: 'abc' } })).toThrow('options.dayMs');
    expect(() => parseSeed([])).toThrow('must be a JSON object');
  });

  it('reports an unreadable or malformed file with its path', async () => {
    await expect(loadSeedFile(join(dir, 'missing.json'))).rejects.toThrow(
      /--seed-file .*missing\.json: cannot read it \(ENOENT\)/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"clients": [');
    await expect(loadSeedFile(bad)).rejects.toThrow(SeedFileError);
    await expect(loadSeedFile(bad)).rejects.toThrow('not valid JSON');
  });
});

/**
 * These run the built entry point (`dist/src/simulator/main.js`), which `npm ci` builds through the
 * `prepare` script; they do not build it themselves, to keep the suite fast.
 */
describe('standalone simulator (built main.js)', () => {
  const main = resolve(__dirname, '../../dist/src/simulator/main.js');
  const dir = mkdtempSync(join(tmpdir(), 'qlik-sim-cli-'));

  beforeAll(() => {
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -p tsconfig.build.json)`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 10_000 });

  it('prints --help and exits 0', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--seed-file');
  });

  it.each([
    [['--nope'], '--nope'],
    [['--day-ms', 'abc'], '--day-ms'],
    [['--seed-file', '/nonexistent/seed.json'], '--seed-file'],
  ])('exits 2 on %j with a message naming %s', (args, name) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(name);
  });

  it('starts from a seed file, prints its URL templates, serves, and stops on SIGTERM', async () => {
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ clients: [CLIENT], tenants: [TENANT], options: { dayMs: 1000 } }));
    const child = spawn(process.execPath, [main, '--port', '0', '--seed-file', seedFile, '--day-ms', '2000']);
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const output = await new Promise<string>((done, fail) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('QLIK_TENANT_URL_TEMPLATE=')) done(text);
        });
        child.on('exit', () => fail(new Error(`exited early: ${text}`)));
      });
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(output).toContain(`QLIK_REGISTER_URL_TEMPLATE=${url}/register/{region}`);
      expect(output).toContain(`QLIK_TENANT_URL_TEMPLATE=${url}/tenant/{hostname}`);
      const control = new SimulatorControl(url as string);
      expect(await control.tenant(TENANT.id)).toMatchObject({ status: 'active' });
      expect((await control.settings()).dayMs).toBe(2000); // the flag wins over the seed file
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
