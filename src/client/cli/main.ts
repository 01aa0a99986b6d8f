/** The `qlik-offboard` program: runs the CLI on the process's arguments and exits with its code. */
import { createInterface } from 'node:readline';
import { runCli } from './run-cli';

/** One line from the process's stdin (read only when a verb asks a question). */
function readLine(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      resolve(line);
      lines.close();
    });
    lines.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: { isTTY: process.stdin.isTTY === true, readLine },
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
