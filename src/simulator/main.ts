/**
 * The standalone simulator: `node dist/src/simulator/main.js --port 8090 --seed-file seed.json …`.
 * Prints its URL and the two URL templates (as environment assignments the worker understands), and
 * runs until SIGINT or SIGTERM.
 */
import { CliUsageError, helpText, parseCliArgs } from './cli-args';
import { loadSeedFile, SeedFileError } from './seed-file';
import { startSimulator } from './server';
import type { SimulatorOptions } from './types';

/** Exit codes: 0 stopped by a signal (or --help), 1 could not start, 2 bad flags or seed file. */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  let options: SimulatorOptions;
  try {
    const command = parseCliArgs(argv);
    if (command.kind === 'help') {
      process.stdout.write(helpText());
      return 0;
    }
    const seeded = command.seedFile === undefined ? {} : await loadSeedFile(command.seedFile);
    // Flags win over the seed file's options.
    options = { ...seeded, ...command.options };
  } catch (err) {
    if (err instanceof CliUsageError || err instanceof SeedFileError) {
      process.stderr.write(`error: ${err.message}\nRun with --help for the list of flags.\n`);
      return 2;
    }
    throw err;
  }

  let sim;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    process.stderr.write(`error: cannot start the simulator: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stdout.write(
    [
      `Qlik Cloud simulator listening on ${sim.url}`,
      `QLIK_REGISTER_URL_TEMPLATE=${sim.registerUrlTemplate}`,
      `QLIK_TENANT_URL_TEMPLATE=${sim.tenantUrlTemplate}`,
      '',
    ].join('\n'),
  );
  const running = sim;
  const stop = (signal: string): void => {
    process.stdout.write(`${signal}: stopping\n`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Keeps running: the server's listening handle holds the process open until a signal arrives.
  return undefined;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
