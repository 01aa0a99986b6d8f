/**
 * Asking a person before acting on many runs: on a terminal only. Without one, nobody can answer, and the verbs that
 * ask act only with `--yes`.
 */
import type { Context } from './context';

/** True when a person can answer a question on the CLI's input. */
export function canAsk(ctx: Context): boolean {
  return ctx.interactive;
}

/** Writes `question` to stderr and reads one line; true only for `y` or `yes` (any case). End of input is a no. */
export async function confirm(ctx: Context, question: string): Promise<boolean> {
  const answer = await ctx.ask(`${question} [y/N] `);
  return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
}
