/**
 * Asking a person before acting on many runs: on a terminal only. Without one, nobody can answer, and the verbs that
 * ask act only with `--yes`.
 */
import { createInterface } from 'node:readline';
import type { Context } from './context';

/** True when a person can answer a question on the CLI's input. */
export function canAsk(ctx: Context): boolean {
  return ctx.io.stdin?.isTTY === true;
}

/** Writes `question` to stderr and reads one line; true only for `y` or `yes` (any case). */
export async function confirm(ctx: Context, question: string): Promise<boolean> {
  const input = ctx.io.stdin;
  if (!input) return false;
  ctx.io.stderr.write(`${question} [y/N] `);
  const lines = createInterface({ input, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      // End of input (Ctrl-D) is a no.
      lines.once('close', () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    lines.close();
  }
}
