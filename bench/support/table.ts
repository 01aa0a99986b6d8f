/** Markdown output: tables and the number formats the benchmark prints. */

/** A markdown table; the first row is the header. Pipes inside cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${header.map(() => '---').join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** `—` for a value that could not be measured. */
export const NA = '—';

export function fixed(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? NA : value.toFixed(digits);
}

export function integer(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? NA : Math.round(value).toLocaleString('en-US');
}

export function seconds(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? NA : `${(ms / 1000).toFixed(1)} s`;
}

export function millis(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return NA;
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export function percent(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? NA : `${(ratio * 100).toFixed(1)} %`;
}

export function mebibytes(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? NA : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function kibibytes(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? NA : `${(bytes / 1024).toFixed(1)} KB`;
}

/** `met` / `NOT met` for a target, or `—` when the value is missing. */
export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? NA : ok ? 'met' : '**NOT met**';
}

/** A list of values from the repetitions, for the "runs" column: `31.2 / 30.9 / 31.5`. */
export function runs(values: readonly (number | undefined)[], format: (v: number | undefined) => string): string {
  return values.map(format).join(' / ');
}
