/**
 * Reading a bulk file: CSV with a header row of the contract's field names (as spreadsheet programs write it: `,`,
 * `;` or tab between cells; read with csv-parse), or JSON Lines (one input object per line). Every row is validated
 * before anything starts, and every problem is reported with its line number.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { INPUT_FIELDS, workflowIdFor, type OffboardingInput } from '../../shared/contract';
import { validateOffboardingInput, type InputProblem } from '../../shared/input';
import { numberOrText } from './args';

/** One data row: where it starts in the file, and the raw object it describes (before validation). */
export interface BulkRow {
  line: number;
  raw: unknown;
  /** Set when the row could not even be read as an object (bad JSON, wrong number of CSV cells). */
  problems?: InputProblem[];
}

/** A row that passed validation. */
export interface ValidRow {
  line: number;
  input: OffboardingInput;
}

/** A row that did not, with every problem. */
export interface InvalidRow {
  line: number;
  tenantId?: string;
  problems: InputProblem[];
}

const FIELDS: ReadonlySet<string> = new Set(INPUT_FIELDS);

/** The cell separators a spreadsheet program writes: `,`; `;` where the comma is the decimal mark; tab. */
export type CsvDelimiter = ',' | ';' | '\t';
const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

/** One CSV record, with the physical line it starts on. `problem` says why a record could not be read. */
export interface CsvRecord {
  line: number;
  cells: string[];
  problem?: string;
}

/**
 * The delimiter of a file: the one of `,` `;` tab that its header (first non-blank line) holds most often outside
 * quotes; `,` when there is none. The header names the contract's fields, which hold none of them.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const header =
    text
      .replace(/^\uFEFF/, '')
      .split(/\r\n|\n|\r/)
      .find((line) => line.trim() !== '') ?? '';
  const unquoted = header.replace(/"[^"]*"/g, '');
  const count = (d: string) => unquoted.split(d).length - 1;
  return DELIMITERS.reduce((best, d) => (count(d) > count(best) ? d : best));
}

/** Line breaks in `bytes` (CRLF, LF or CR each once), for physical line numbers. */
function lineBreaks(bytes: Buffer): number {
  let breaks = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) breaks++;
  }
  return breaks;
}

/**
 * CSV records as spreadsheet programs write them (RFC 4180: quoted fields may hold the delimiter, quotes as "" and
 * line breaks; CRLF, LF or CR; a UTF-8 byte-order mark), each with the physical line it starts on. Rows whose cells
 * are all blank (blank lines, or `;;;` below the data) are not records. A quote left open ends the records with one
 * that has a `problem`.
 */
export function parseCsvRecords(text: string, delimiter: CsvDelimiter = detectDelimiter(text)): CsvRecord[] {
  const bytes = Buffer.from(text, 'utf8');
  const records: CsvRecord[] = [];
  // csv-parse counts a CRLF inside quotes as two lines, so lines are counted here, from its byte offsets: a record
  // starts where the one before it (a blank one included) ended.
  let start = 0;
  let line = 1;
  try {
    parse(bytes, {
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      bom: true,
      // Our own checks name the line and the field: a row with a different number of cells, a quote inside an
      // unquoted cell (kept as text, as before).
      relax_column_count: true,
      relax_quotes: true,
      on_record: (cells: string[], info) => {
        const recordLine = line;
        line += lineBreaks(bytes.subarray(start, info.bytes));
        start = info.bytes;
        if (cells.some((cell) => cell.trim() !== '')) records.push({ line: recordLine, cells });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const problem =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'opens a quote that is never closed'
        : `cannot be read as CSV (${error.message})`;
    records.push({ line, cells: [], problem });
  }
  return records;
}

/** A CSV cell as the contract's value: empty → absent, numbers and booleans from their text. */
function csvValue(field: string, cell: string): unknown {
  const value = cell.trim();
  if (value === '') return undefined;
  if (field === 'purgeAfterDays') return numberOrText(value);
  if (field === 'dryRun') return value === 'true' ? true : value === 'false' ? false : value;
  // Text fields keep their spaces: a reason may begin with one.
  return field === 'reason' ? cell : value;
}

function csvRows(text: string): { headerLine: number; header: InputProblem[]; rows: BulkRow[] } {
  const [headerRecord, ...records] = parseCsvRecords(text);
  if (!headerRecord) return { headerLine: 1, header: [], rows: [] };
  if (headerRecord.problem) {
    return { headerLine: headerRecord.line, header: [{ field: '(header)', rule: headerRecord.problem }], rows: [] };
  }
  const columns = headerRecord.cells.map((name) => name.trim());
  const header: InputProblem[] = [];
  columns.forEach((name, i) => {
    if (!FIELDS.has(name))
      header.push({ field: name || `(column ${i + 1})`, rule: 'is not a known field (CSV header)' });
    else if (columns.indexOf(name) !== i) header.push({ field: name, rule: 'appears twice in the CSV header' });
  });
  const rows = records.map(({ line, cells, problem }): BulkRow => {
    if (problem) return { line, raw: undefined, problems: [{ field: '(row)', rule: problem }] };
    if (cells.length !== columns.length) {
      return {
        line,
        raw: undefined,
        problems: [{ field: '(row)', rule: `has ${cells.length} cells; the header has ${columns.length}` }],
      };
    }
    const raw: Record<string, unknown> = {};
    columns.forEach((name, i) => {
      const value = csvValue(name, cells[i]);
      if (value !== undefined && FIELDS.has(name)) raw[name] = value;
    });
    return { line, raw };
  });
  return { headerLine: headerRecord.line, header, rows };
}

function jsonLinesRows(text: string): BulkRow[] {
  const rows: BulkRow[] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    if (lineText.trim() === '') return;
    try {
      rows.push({ line: index + 1, raw: JSON.parse(lineText) });
    } catch (error) {
      rows.push({
        line: index + 1,
        raw: undefined,
        problems: [{ field: '(line)', rule: `must be one JSON object per line (${(error as Error).message})` }],
      });
    }
  });
  return rows;
}

/** JSON Lines when the name says so (.jsonl, .ndjson, .json) or the first character is `{`; CSV otherwise. */
export function detectFormat(fileName: string, text: string): 'csv' | 'jsonl' {
  if (/\.(jsonl|ndjson|json)$/i.test(fileName)) return 'jsonl';
  if (/\.csv$/i.test(fileName)) return 'csv';
  return text.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

/** The outcome of checking a whole file. */
export interface CheckedFile {
  format: 'csv' | 'jsonl';
  valid: ValidRow[];
  invalid: InvalidRow[];
  /** Problems of the CSV header: they make every row unusable. */
  headerProblems: InputProblem[];
  /** The line the CSV header is on (1 unless blank lines come first). */
  headerLine: number;
}

/**
 * Reads and validates every row. `dryRun` makes every row a dry run. A tenant that appears twice (for the same
 * kind of run) is a problem of the later row: the file must say one thing per tenant.
 */
export function checkBulkFile(
  fileName: string,
  text: string,
  options: { dryRun?: boolean; nowMs?: number } = {},
): CheckedFile {
  // Spreadsheet programs and Windows editors begin UTF-8 files with a byte-order mark; it is no part of the data.
  const content = text.replace(/^\uFEFF/, '');
  const format = detectFormat(fileName, content);
  const { headerLine, header, rows } =
    format === 'csv' ? csvRows(content) : { headerLine: 1, header: [], rows: jsonLinesRows(content) };
  const valid: ValidRow[] = [];
  const invalid: InvalidRow[] = [];
  const firstLine = new Map<string, number>();
  const nowMs = options.nowMs ?? Date.now();
  for (const row of rows) {
    const rawTenant = (row.raw as { tenantId?: unknown } | undefined)?.tenantId;
    const tenantId = typeof rawTenant === 'string' ? rawTenant.slice(0, 64) : undefined;
    if (row.problems) {
      invalid.push({ line: row.line, tenantId, problems: row.problems });
      continue;
    }
    const raw =
      options.dryRun && typeof row.raw === 'object' && row.raw !== null && !Array.isArray(row.raw)
        ? { ...row.raw, dryRun: true }
        : row.raw;
    const validated = validateOffboardingInput(raw, nowMs);
    if (!validated.ok) {
      invalid.push({ line: row.line, tenantId, problems: validated.problems });
      continue;
    }
    const id = workflowIdFor(validated.value.tenantId, validated.value.dryRun === true);
    const first = firstLine.get(id);
    if (first !== undefined) {
      invalid.push({
        line: row.line,
        tenantId,
        problems: [{ field: 'tenantId', rule: `appears again (first on line ${first}): one row per tenant` }],
      });
      continue;
    }
    firstLine.set(id, row.line);
    valid.push({ line: row.line, input: validated.value });
  }
  return { format, valid, invalid, headerProblems: header, headerLine };
}
