/**
 * Validation is total (STYLE.md 17, CONTRACT.md v3 "Hardening"): for any JSON value the validators, the message that
 * describes their problems and the signal path's sanitising return a bounded answer and never throw. A seeded PRNG
 * generates the values (set `FUZZ_SEED` to replay another mix), as JSON text parsed with `JSON.parse`, so that keys
 * such as `__proto__` are own keys exactly as the payload converter delivers them.
 */
import {
  describeProblems,
  validateMessageArgs,
  validateOffboardingInput,
  type InputProblem,
} from '../../../src/shared/input';
import { sanitize } from '../../../src/workflows/decisions';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const RUNS = 5_000;
const SEED = Number.isInteger(Number(process.env.FUZZ_SEED)) ? Number(process.env.FUZZ_SEED) : 0x5eed_2026;

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Keys that name members of Object.prototype, the message fields, the input fields, and other oddities. */
const SHADOWING_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
];
const KNOWN_KEYS = ['reason', 'requestedBy', 'tenantId', 'hostname', 'region', 'purgeAfterDays', 'notBefore', 'dryRun'];
/** Characters of random strings: plain, control, non-ASCII, an emoji (a surrogate pair), a lone surrogate, quotes. */
const ALPHABET = [...'abcAZ09_-. \n\t\u0000\u007f\u00e9\u4e2d\ud83d\ude00"\\', '\ud800'];
const ODD_KEYS = ['', ' ', '0', 'length', 'then', 'reason ', 'Reason', '\u0000', '\n', 'é', '\ud83d\ude00', '\ud800'];

class Fuzzer {
  constructor(private readonly random: () => number) {}

  int(below: number): number {
    return Math.floor(this.random() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  string(): string {
    const roll = this.random();
    if (roll < 0.0005) return 'x'.repeat(1 + this.int(100_000)); // up to 100k characters
    if (roll < 0.05) return 'y'.repeat(900 + this.int(300)); // around the reason limit
    if (roll < 0.1) return this.pick(['2026-02-30T10:00:00Z', '2026-12-01T09:00:00Z', '2026-01-01T24:00:00Z', '']);
    if (roll < 0.2) return this.pick([...SHADOWING_KEYS, ...ODD_KEYS]);
    return Array.from({ length: this.int(40) }, () => this.pick(ALPHABET)).join('');
  }

  key(): string {
    const roll = this.random();
    if (roll < 0.3) return this.pick(SHADOWING_KEYS);
    if (roll < 0.55) return this.pick(KNOWN_KEYS);
    if (roll < 0.65) return this.pick(ODD_KEYS);
    if (roll < 0.652) return 'k'.repeat(1 + this.int(100_000));
    return this.string().slice(0, 30);
  }

  number(): number {
    return this.pick([
      0,
      -1,
      10,
      90,
      30.5,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MIN_VALUE,
      1e21,
      this.int(200) - 50,
      this.random() * 1e6,
    ]);
  }

  /** Nodes still to generate for the current value: keeps every value small enough to check thousands quickly. */
  private budget = 0;

  /** JSON text of a random value, nested at most `depth` further levels. */
  json(depth: number): string {
    const roll = this.random();
    if (depth <= 0 || this.budget-- <= 0 || roll < 0.35) return this.scalar();
    if (roll < 0.45) return this.deep(1 + this.int(50));
    if (roll < 0.6) return `[${Array.from({ length: this.int(5) }, () => this.json(depth - 1)).join(',')}]`;
    if (roll < 0.61) return this.wide(100 + this.int(2_000));
    return this.object(depth, this.int(7));
  }

  /** An object with many keys (each a number): unknown fields by the thousand. */
  wide(keys: number): string {
    const prefix = this.pick([...SHADOWING_KEYS, 'k', 'reason']);
    return `{${Array.from({ length: keys }, (_, i) => `${JSON.stringify(`${prefix}${i}`)}:${i}`).join(',')}}`;
  }

  scalar(): string {
    const roll = this.random();
    if (roll < 0.15) return 'null';
    if (roll < 0.3) return this.pick(['true', 'false']);
    if (roll < 0.55) return JSON.stringify(this.number());
    return JSON.stringify(this.string());
  }

  /** A chain of nested objects or arrays `levels` deep. */
  deep(levels: number): string {
    const key = JSON.stringify(this.key().slice(0, 30));
    const [open, close] = this.random() < 0.5 ? [`{${key}:`, '}'] : ['[', ']'];
    return `${open.repeat(levels)}${this.scalar()}${close.repeat(levels)}`;
  }

  object(depth: number, keys: number): string {
    const pairs = Array.from({ length: keys }, () => `${JSON.stringify(this.key())}:${this.json(depth - 1)}`);
    return `{${pairs.join(',')}}`;
  }

  /** A value to validate: mostly random, sometimes a valid input or argument with a few random keys mixed in. */
  value(): unknown {
    this.budget = 30;
    const roll = this.random();
    let text: string;
    if (roll < 0.2) {
      const extra = Array.from({ length: 1 + this.int(3) }, () => `${JSON.stringify(this.key())}:${this.json(3)}`);
      const base =
        this.random() < 0.5
          ? '"tenantId":"acme","hostname":"acme.eu.qlikcloud.com","region":"eu"'
          : '"reason":"renewed","requestedBy":"crm"';
      text = `{${base},${extra.join(',')}}`;
    } else {
      text = this.json(6);
    }
    const value: unknown = JSON.parse(text);
    // Some objects without a prototype at all (as other decoders may produce them).
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && this.random() < 0.1) {
      Object.setPrototypeOf(value, null);
    }
    return value;
  }
}

/** Own keys of `value` that are not message fields (what validateMessageArgs must report). */
function ownKeys(value: unknown): string[] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
}

const MAX_PROBLEMS = 11; // ten problems and a "… and K more"
const MAX_FIELD = 200;
const MAX_RULE = 300;
const MAX_DESCRIPTION = 4_000;

/** What is wrong with a validator's answer, or undefined when it is a bounded, plain-JSON answer. */
function unboundedAnswer(result: { ok: true } | { ok: false; problems: InputProblem[] }): string | undefined {
  if (result.ok) return undefined;
  const { problems } = result;
  if (problems.length === 0) return 'refused with no problem';
  if (problems.length > MAX_PROBLEMS) return `${problems.length} problems`;
  for (const { field, rule } of problems) {
    if (typeof field !== 'string' || typeof rule !== 'string') return `a problem of ${typeof field}: ${typeof rule}`;
    if (field.length > MAX_FIELD) return `a field name of ${field.length} characters`;
    if (rule.length > MAX_RULE) return `a rule of ${rule.length} characters`;
  }
  const description = describeProblems(problems);
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION) {
    return `a description of ${description.length} characters`;
  }
  return undefined;
}

/**
 * Runs `check` on every value and returns the first few failures (a throw, or what `check` returned), each with the
 * value that caused it: one `expect` per test keeps 5,000 cases fast and the report readable.
 */
function failures(values: Iterable<unknown>, check: (value: unknown) => string | undefined): string[] {
  const found: string[] = [];
  for (const value of values) {
    let failure: string | undefined;
    try {
      failure = check(value);
    } catch (error) {
      failure = `threw ${String(error)}`;
    }
    if (failure) found.push(`${failure} for ${JSON.stringify(value)?.slice(0, 200)}`);
    if (found.length >= 5) break;
  }
  return found;
}

const isMessageField = (key: string) => key === 'reason' || key === 'requestedBy';

describe('validation is total (seeded fuzz)', () => {
  const fuzzer = new Fuzzer(mulberry32(SEED));
  const values = Array.from({ length: RUNS }, () => fuzzer.value());

  it(`generates a mix that covers every class of value (seed ${SEED})`, () => {
    const kinds = new Set<string>();
    const keys = new Set<string>();
    let withoutPrototype = 0;
    let large = 0;
    for (const v of values) {
      kinds.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
      for (const key of ownKeys(v)) keys.add(key.length > 1_000 ? '(long key)' : key);
      if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null) withoutPrototype++;
      if (typeof v === 'object' && JSON.stringify(v).length > 10_000) large++;
    }
    expect([...kinds].sort()).toEqual(['array', 'boolean', 'null', 'number', 'object', 'string']);
    for (const key of [...SHADOWING_KEYS.slice(0, 6), '(long key)']) expect(keys).toContain(key);
    expect(withoutPrototype).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(0);
  });

  it('validateMessageArgs never throws, reports own unknown keys, and answers in bounded form', () => {
    expect(
      failures(values, (value) => {
        const result = validateMessageArgs(value);
        if (result.ok && !ownKeys(value).every(isMessageField)) return 'accepted an unknown field';
        if (result.ok && !Object.keys(result.value).every(isMessageField)) return 'answered an unknown field';
        return unboundedAnswer(result);
      }),
    ).toEqual([]);
  });

  it('validateOffboardingInput never throws, reports own unknown keys, and answers in bounded form', () => {
    expect(
      failures(values, (value) => {
        const result = validateOffboardingInput(value, NOW);
        if (result.ok && ownKeys(value).some((k) => SHADOWING_KEYS.includes(k))) return 'accepted a shadowing key';
        return unboundedAnswer(result);
      }),
    ).toEqual([]);
  });

  it('the signal path keeps a bounded, valid argument for any value, with a note when it was malformed', () => {
    expect(
      failures(values, (value) => {
        const args = sanitize(value);
        // What the signal records is itself a valid argument: string reason and requestedBy within their limits.
        if (!validateMessageArgs(args).ok) return `recorded an invalid argument ${JSON.stringify(args).slice(0, 200)}`;
        if (!validateMessageArgs(value).ok && !args.reason?.startsWith('(malformed argument: ')) return 'no note';
        return undefined;
      }),
    ).toEqual([]);
  });

  it('describeProblems stays bounded for any list of problems', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({
      field: `f${i}${'x'.repeat(i % 7 === 0 ? 10_000 : 1)}`,
      rule: 'r',
    }));
    expect(describeProblems(many).length).toBeLessThanOrEqual(MAX_DESCRIPTION);
    expect(describeProblems(many)).toMatch(/; \(more\): 99990 more problems not shown$/);
    expect(describeProblems([])).toBe('');
  });
});

describe('shapes that once broke validation', () => {
  const shadowing = JSON.parse(
    '{"__proto__":{"a":1},"constructor":"x","toString":2,"valueOf":1,"hasOwnProperty":3,"isPrototypeOf":{"toString":1}}',
  ) as unknown;

  it.each([
    ['keys that shadow Object.prototype members', shadowing, /^__proto__: is not a known field; constructor: is not/],
    ['a key of 100,000 characters', { ['k'.repeat(100_000)]: 1 }, /^k{20,100}… \(100000 characters\): is not a known/],
    ['a key with a line break', { 'a\nb': 1 }, /^a\\u000ab: is not a known field$/],
    [
      '20,000 unknown keys',
      Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])),
      /; \(more\): 19990 more problems not shown$/,
    ],
    [
      'an object without a prototype',
      Object.assign(Object.create(null) as object, { reason: 5 }),
      /^reason: must be a string \(got number\)$/,
    ],
    ['null', null, /^\(argument\): must be an object .*\(got null\)$/],
    ['an array', ['cancel'], /^\(argument\): must be an object .*\(got array\)$/],
  ])('validateMessageArgs refuses %s with a bounded message', (_name, value, message) => {
    const result = validateMessageArgs(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(describeProblems(result.problems)).toMatch(message);
  });

  it('validateOffboardingInput reads own properties only', () => {
    const valid = { tenantId: 'acme', hostname: 'acme.eu.qlikcloud.com', region: 'eu' };
    const inherited = Object.create(valid) as object;
    const result = validateOffboardingInput(inherited, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.field)).toEqual(['tenantId', 'hostname', 'region']);
    const noPrototype = Object.assign(Object.create(null) as object, valid);
    expect(validateOffboardingInput(noPrototype, NOW)).toEqual({ ok: true, value: valid });
  });

  it('sanitize keeps the valid fields of a malformed signal argument and notes what was wrong', () => {
    expect(sanitize({ reason: 'renewed', requestedBy: 'crm', colour: 'red' })).toEqual({
      reason: '(malformed argument: colour: is not a known field) renewed',
      requestedBy: 'crm',
    });
    expect(sanitize(shadowing)).toEqual({
      reason: expect.stringMatching(/^\(malformed argument: __proto__: is not a known field; constructor: is not/),
    });
    expect(sanitize(undefined)).toEqual({});
    expect(sanitize({ reason: 'x'.repeat(5_000) }).reason).toBe(
      '(malformed argument: reason: must be at most 1000 characters (got 5000))',
    );
  });
});
