/**
 * Whether a start joins the open run or conflicts with it: inputs are compared after normalisation, so that
 * `ACME.eu.qlikcloud.com` and `acme.eu.qlikcloud.com`, or two spellings of the same instant, are the same input.
 */
import { INPUT_FIELDS as FIELDS } from '../shared/contract';

/** The comparable form of one field's value (undefined when the field has no effect). */
function normalised(field: string, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (field === 'hostname' && typeof value === 'string') return value.toLowerCase();
  if (field === 'notBefore' && typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isNaN(at) ? value : at;
  }
  // `dryRun: false` and no `dryRun` run the same way.
  if (field === 'dryRun') return value === true ? true : undefined;
  return value;
}

/**
 * The fields whose values differ between two inputs, in the contract's order (unknown fields of a raw input that
 * bypassed validation count too). Empty when the inputs are the same.
 */
export function differingFields(a: unknown, b: unknown): string[] {
  const left = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
  const right = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
  const extra = [...new Set([...Object.keys(left), ...Object.keys(right)])].filter(
    (field) => !(FIELDS as string[]).includes(field),
  );
  return [...FIELDS, ...extra].filter(
    (field) => JSON.stringify(normalised(field, left[field])) !== JSON.stringify(normalised(field, right[field])),
  );
}
