/**
 * The simulator's command line on `parseArgs` tokens reads the arguments as the hand-written parser before it did:
 * in order, the first problem reported, `--help` ending the reading where it stands, and the same messages for the
 * forms `parseArgs` would otherwise accept or word differently.
 */
import { CliUsageError, parseCliArgs } from '../../src/simulator/cli-args';

describe('simulator CLI arguments: order and odd forms', () => {
  it('stops at --help or -h: flags before it are checked, those after it are not', () => {
    expect(parseCliArgs(['--help', '--bogus'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-h', 'stray'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--help=no'])).toEqual({ kind: 'help' });
    expect(() => parseCliArgs(['--bogus', '--help'])).toThrow('unknown flag --bogus');
    expect(() => parseCliArgs(['--day-ms', 'abc', '--help'])).toThrow("--day-ms: expected a number, got 'abc'");
  });

  it.each([
    [['-x'], "unexpected argument '-x'"],
    [['-hx'], "unexpected argument '-hx'"],
    [['-'], "unexpected argument '-'"],
    [['--', '--port', '1'], "unexpected argument '--'"],
    [['--Port', '1'], "unexpected argument '--Port'"],
    [['--port', '1', 'extra'], "unexpected argument 'extra'"],
    [['--omit-expires-in', 'true'], "unexpected argument 'true'"],
    [['--bogus=1'], 'unknown flag --bogus'],
    [['---port', '1'], 'unknown flag ---port'],
    [['--constructor'], 'unknown flag --constructor'],
    [['--port', '--seed', '1'], '--port: a value is required'],
    [['--port', '-h'], "--port: expected a number, got '-h'"],
    [['--port='], "--port: expected a number, got ''"],
    [['--port=--x'], "--port: expected a number, got '--x'"],
    [['--omit-expires-in='], "--omit-expires-in: expected true or false, got ''"],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('takes a value that starts with a single dash, an inline value with "=" in it, and the last of a repeated flag', () => {
    expect(() => parseCliArgs(['--day-ms', '-5'])).toThrow('--day-ms: must be a number > 0');
    expect(parseCliArgs(['--seed-file=a=b.json', '--seed-file', '-'])).toEqual({
      kind: 'run',
      seedFile: '-',
      options: {},
    });
    expect(parseCliArgs(['--port=8090', '--port', '8091', '--omit-expires-in', '--omit-expires-in=false'])).toEqual({
      kind: 'run',
      seedFile: undefined,
      options: { port: 8091, omitExpiresIn: false },
    });
    expect(parseCliArgs(['--tier1-per-minute', 'off'])).toEqual({
      kind: 'run',
      seedFile: undefined,
      options: { tier1PerMinute: 0 },
    });
  });
});
