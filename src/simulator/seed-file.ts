/**
 * Reads the standalone simulator's `--seed-file`: the clients, tenants, fault rules and options to
 * start with, as JSON `{ clients?, tenants?, faults?, options? }`.
 */
import { readFile } from 'node:fs/promises';
import type { SimulatorOptions } from './types';
import { SimulatorInputError, validateClients, validateFaults, validateOptions, validateTenants } from './validate';

const SEED_KEYS = ['clients', 'tenants', 'faults', 'options'];

/** A seed file that cannot be read or is not what it should be; the message names the file and field. */
export class SeedFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedFileError';
  }
}

/** Checks parsed seed-file content and turns it into simulator options. */
export function parseSeed(content: unknown): SimulatorOptions {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new SimulatorInputError('(top level)', 'must be a JSON object { clients, tenants, faults?, options? }');
  }
  const seed = content as Record<string, unknown>;
  for (const key of Object.keys(seed)) {
    if (!SEED_KEYS.includes(key))
      throw new SimulatorInputError(key, `unknown field (expected ${SEED_KEYS.join(', ')})`);
  }
  const options: SimulatorOptions = {};
  if (seed.options !== undefined) {
    const opts = validateOptions(seed.options, 'options');
    for (const key of ['clients', 'tenants', 'faults'] as const) {
      if (opts[key] !== undefined) throw new SimulatorInputError(`options.${key}`, `belongs at the top level`);
    }
    Object.assign(options, opts);
  }
  if (seed.clients !== undefined) options.clients = validateClients(seed.clients, 'clients');
  if (seed.tenants !== undefined) options.tenants = validateTenants(seed.tenants, 'tenants');
  if (seed.faults !== undefined) options.faults = validateFaults(seed.faults, 'faults');
  return options;
}

/** Reads and checks a seed file. */
export async function loadSeedFile(path: string): Promise<SimulatorOptions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SeedFileError(`--seed-file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (err) {
    throw new SeedFileError(`--seed-file ${path}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return parseSeed(content);
  } catch (err) {
    if (err instanceof SimulatorInputError) throw new SeedFileError(`--seed-file ${path}: ${err.message}`);
    throw err;
  }
}
