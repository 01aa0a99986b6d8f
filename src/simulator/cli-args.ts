/**
 * The standalone simulator's command line: one flag per option (kebab-case), split into tokens by
 * `node:util` `parseArgs`, checked with the same rules as the programmatic API, and the `--help` text
 * generated from the same table so the two cannot drift apart.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_SETTINGS } from './options';
import type { SimulatorBehaviour, SimulatorOptions } from './types';
import { SimulatorInputError, validateBehaviour, validateOptions } from './validate';

/** A bad command line; the message names the flag. The CLI exits with code 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** What the command line asks for. */
export type CliCommand = { kind: 'help' } | { kind: 'run'; seedFile?: string; options: SimulatorOptions };

type OptionKey = keyof SimulatorBehaviour | 'port' | 'host';

interface FlagSpec {
  flag: string;
  key?: OptionKey;
  type: 'integer' | 'number' | 'limit' | 'boolean' | 'string';
  values?: string;
  help: string;
  default?: string;
}

const d = DEFAULT_SETTINGS;

/** Every flag, in the order `--help` lists them. */
const FLAGS: FlagSpec[] = [
  { flag: 'port', key: 'port', type: 'integer', values: 'N', help: 'port to listen on; 0 = a free one', default: '0' },
  { flag: 'host', key: 'host', type: 'string', values: 'ADDR', help: 'loopback address only', default: '127.0.0.1' },
  {
    flag: 'seed-file',
    type: 'string',
    values: 'PATH',
    help: 'JSON { clients: [...], tenants: [...], faults?: [...], options?: {...} }; flags override its options',
  },
  {
    flag: 'day-ms',
    key: 'dayMs',
    type: 'number',
    values: 'MS',
    help: 'real ms per simulated day',
    default: `${d.dayMs}`,
  },
  {
    flag: 'seed',
    key: 'seed',
    type: 'integer',
    values: 'N',
    help: 'PRNG seed for faults and trace IDs',
    default: `${d.seed}`,
  },
  {
    flag: 'token-lifetime-ms',
    key: 'tokenLifetimeMs',
    type: 'number',
    values: 'MS',
    help: 'access token lifetime',
    default: `${d.tokenLifetimeMs}`,
  },
  { flag: 'omit-expires-in', key: 'omitExpiresIn', type: 'boolean', help: 'token answer without expires_in' },
  {
    flag: 'purge-lag-ms',
    key: 'purgeLagMs',
    type: 'number',
    values: 'MS',
    help: 'purge happens this long after the estimatedPurgeDate',
    default: `${d.purgeLagMs}`,
  },
  {
    flag: 'propagation-delay-ms',
    key: 'propagationDelayMs',
    type: 'number',
    values: 'MS',
    help: 'after a deactivate the tenant host still answers "active" this long',
    default: `${d.propagationDelayMs}`,
  },
  {
    flag: 'deactivated-code',
    key: 'deactivatedCode',
    type: 'string',
    values: 'TENANT_DEACTIVATED|TENANT_DISABLED',
    help: 'error code of a deactivated tenant host',
    default: d.deactivatedCode,
  },
  {
    flag: 'purged-answer',
    key: 'purgedAnswer',
    type: 'string',
    values: 'LOGIN-2|404|reset',
    help: 'what a purged tenant host answers',
    default: d.purgedAnswer,
  },
  {
    flag: 'omit-purge-date',
    key: 'omitPurgeDate',
    type: 'boolean',
    help: 'deactivate answers without estimatedPurgeDate',
  },
  {
    flag: 'reactivate-answer',
    key: 'reactivateAnswer',
    type: 'string',
    values: 'empty|status',
    help: 'reactivate 200 body: {} or {"id","status":"active"}',
    default: d.reactivateAnswer,
  },
  {
    flag: 'reactivate-when-active',
    key: 'reactivateWhenActive',
    type: 'string',
    values: 'ok|reject',
    help: 'reactivating an active tenant: 200 or 400',
    default: d.reactivateWhenActive,
  },
  {
    flag: 'tier1-per-minute',
    key: 'tier1PerMinute',
    type: 'limit',
    values: 'N|off',
    help: 'GET tenant limit per client (0 or off = no limit)',
    default: `${d.tier1PerMinute}`,
  },
  {
    flag: 'tier2-per-minute',
    key: 'tier2PerMinute',
    type: 'limit',
    values: 'N|off',
    help: 'token/deactivate/reactivate limit per client (0 or off = no limit)',
    default: `${d.tier2PerMinute}`,
  },
  {
    flag: 'rate-window-ms',
    key: 'rateWindowMs',
    type: 'number',
    values: 'MS',
    help: 'sliding window of the limits (limit in window = perMinute x window / 60000)',
    default: `${d.rateWindowMs}`,
  },
  {
    flag: 'request-log-limit',
    key: 'requestLogLimit',
    type: 'integer',
    values: 'N',
    help: 'request-log entries kept (oldest dropped)',
    default: `${d.requestLogLimit}`,
  },
  { flag: 'help', type: 'boolean', help: 'print this help and exit' },
];

/** The `--help` text. */
export function helpText(): string {
  const lefts = FLAGS.map((f) => `  --${f.flag}${f.values ? ` ${f.values}` : ''}`);
  const width = Math.max(...lefts.map((l) => l.length));
  const lines = FLAGS.map((f, i) => {
    const def = f.default === undefined ? '' : ` (default ${f.default})`;
    return `${lefts[i].padEnd(width)}  ${f.help}${def}`;
  });
  return [
    'Usage: node dist/src/simulator/main.js [flags]',
    '',
    'A local Qlik Cloud simulator: registration endpoints at /register/{region}, tenant hosts at',
    '/tenant/{hostname}, control API at /_sim/. Listens on loopback only; stops on SIGINT/SIGTERM.',
    '',
    'Flags (also --flag=value):',
    ...lines,
    '',
    'Exit codes: 0 stopped by a signal, 1 could not start, 2 bad flags or seed file.',
    '',
  ].join('\n');
}

function convert(spec: FlagSpec, raw: string): unknown {
  switch (spec.type) {
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new CliUsageError(`--${spec.flag}: expected true or false, got '${raw}'`);
    case 'limit':
    case 'integer':
    case 'number': {
      if (spec.type === 'limit' && raw === 'off') return 0;
      const value = raw.trim() === '' ? NaN : Number(raw);
      if (Number.isNaN(value)) throw new CliUsageError(`--${spec.flag}: expected a number, got '${raw}'`);
      return value;
    }
    default:
      return raw;
  }
}

/** `parseArgs`' table: a value flag is a string until `convert`; a boolean flag may still say `=true|false`. */
const PARSE_OPTIONS: ParseArgsConfig['options'] = Object.fromEntries(
  FLAGS.map((f) => [f.flag, f.flag === 'help' ? { type: 'boolean', short: 'h' } : { type: parseType(f) }]),
);

function parseType(spec: FlagSpec): 'boolean' | 'string' {
  return spec.type === 'boolean' ? 'boolean' : 'string';
}

/** The argument forms we accept: `-h`, `--flag` and `--flag=value` (lower-case names). */
const FLAG_FORM = /^(?:-h|--[a-z0-9-]+(?:=.*)?)$/s;

/** Parses the arguments after `node main.js`. Throws `CliUsageError` naming the offending flag. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  // parseArgs only splits the arguments into tokens: its strict mode would word the errors differently and refuse
  // `--flag=false`. The tokens are read in order, so the first problem is the one reported and `--help` ends the
  // reading where it stands (the flags before it are checked, those after it not), as the CLI always did.
  const { tokens } = parseArgs({
    args: [...argv],
    options: PARSE_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const options: Record<string, unknown> = {};
  let seedFile: string | undefined;
  for (const token of tokens) {
    // Each argument that is not a flag, a stray `--`, or a short-option group such as `-hx` is refused whole.
    const arg = argv[token.index];
    if (token.kind !== 'option' || !FLAG_FORM.test(arg)) throw new CliUsageError(`unexpected argument '${arg}'`);
    const { name } = token;
    const spec = FLAGS.find((f) => f.flag === name);
    if (!spec) throw new CliUsageError(`unknown flag --${name}`);
    if (spec.flag === 'help') return { kind: 'help' };

    // parseArgs takes the next argument as the value of a string flag whatever it is; a flag is not a value.
    const raw = token.value;
    if (spec.type !== 'boolean' && (raw === undefined || (!token.inlineValue && raw.startsWith('--')))) {
      throw new CliUsageError(`--${name}: a value is required`);
    }
    const value = convert(spec, raw ?? 'true');
    if (spec.flag === 'seed-file') {
      seedFile = value as string;
      continue;
    }
    const key = spec.key as OptionKey;
    try {
      if (key === 'port' || key === 'host') validateOptions({ [key]: value });
      else validateBehaviour({ [key]: value });
    } catch (err) {
      if (err instanceof SimulatorInputError) {
        throw new CliUsageError(`--${name}: ${err.message.replace(/^[^:]*: /, '')}, got '${raw}'`);
      }
      throw err;
    }
    options[key] = value;
  }
  return { kind: 'run', seedFile, options: options as SimulatorOptions };
}
