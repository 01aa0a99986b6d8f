/** The `qlik-offboard` program: runs the CLI on the process's arguments and exits with its code. */
import { runCli } from './run-cli';

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // runCli turns every error into an exit code; this is a last resort.
    process.stderr.write(`qlik-offboard: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
