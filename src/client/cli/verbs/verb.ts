/** The shape of one CLI verb. */
import type { OptionSpecs } from '../args';
import type { Context } from '../context';
import type { ExitCode } from '../io';

export type FlagValues = Record<string, string | boolean | undefined>;

export interface Verb {
  name: string;
  /** One line for the verb list of `qlik-offboard --help`. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  options: OptionSpecs;
  /** Names of the positional arguments, required unless the name ends in `?` (optional ones come last). */
  positionals?: string[];
  run(ctx: Context, values: FlagValues, positionals: string[]): Promise<ExitCode>;
}

/** A string flag's value (parseArgs guarantees the type for `type: 'string'` options). */
export function text(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
