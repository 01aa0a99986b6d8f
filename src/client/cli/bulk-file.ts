/**
 * Reading a bulk file: CSV with a header row of the contract's field names, or JSON Lines (one input object per
 * line). Every row is validated before anything starts, and every problem is reported with its line number.
 */
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

/** CSV records (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks) with their first line. */
export function parseCsvRecords(text: string): Array<{ line: number; cells: string[] }> {
  const records: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cellText = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endRecord = () => {
    cells.push(cellText);
    // A blank line is not a record.
    if (!(cells.length === 1 && cells[0].trim() === '')) records.push({ line: recordLine, cells });
    cells = [];
    cellText = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cellText += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cellText += c;
      }
    } else if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      cells.push(cellText);
      cellText = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cellText += c;
      fieldStarted = true;
    }
  }
  if (cellText !== '' || cells.length > 0) endRecord();
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

function csvRows(text: string): { header: InputProblem[]; rows: BulkRow[] } {
  const [headerRecord, ...records] = parseCsvRecords(text);
  if (!headerRecord) return { header: [], rows: [] };
  const columns = headerRecord.cells.map((name) => name.trim());
  const header: InputProblem[] = [];
  columns.forEach((name, i) => {
    if (!FIELDS.has(name))
      header.push({ field: name || `(column ${i + 1})`, rule: 'is not a known field (CSV header)' });
    else if (columns.indexOf(name) !== i) header.push({ field: name, rule: 'appears twice in the CSV header' });
  });
  const rows = records.map(({ line, cells }): BulkRow => {
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
  return { header, rows };
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
  /** Problems of the CSV header (line 1): they make every row unusable. */
  headerProblems: InputProblem[];
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
  const format = detectFormat(fileName, text);
  const { header, rows } = format === 'csv' ? csvRows(text) : { header: [], rows: jsonLinesRows(text) };
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
  return { format, valid, invalid, headerProblems: header };
}
