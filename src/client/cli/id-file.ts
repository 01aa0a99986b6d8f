/**
 * A file of tenant IDs for `cancel --file` and `reactivate --file`: one ID per line; blank lines and `#` comments
 * (whole lines, or after an ID) are ignored. Every line is checked before anything is sent: a bad line is reported
 * with its number and nothing is sent.
 */
import { TENANT_ID_PATTERN } from '../../shared/contract';

/** One tenant ID and the line it is on (1-based). */
export interface FileTenantId {
  tenantId: string;
  line: number;
}

/** A line that is not a tenant ID. */
export interface IdFileProblem {
  line: number;
  rule: string;
}

export type IdFile =
  | { ok: true; ids: FileTenantId[]; duplicates: FileTenantId[] }
  | { ok: false; problems: IdFileProblem[]; /** Bad lines beyond those listed. */ more: number };

/** At most this many bad lines are listed (the rest are counted). */
const MAX_LISTED = 20;
const MAX_SHOWN = 80;

/**
 * The tenant IDs of `text`, in file order, each once (a repeat is listed in `duplicates`, not acted on twice), or
 * every bad line.
 */
export function parseTenantIdFile(text: string): IdFile {
  const ids: FileTenantId[] = [];
  const duplicates: FileTenantId[] = [];
  const seen = new Set<string>();
  const problems: IdFileProblem[] = [];
  let more = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    // Tenant IDs hold no `#`, so whatever follows one is a comment.
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return;
    if (!TENANT_ID_PATTERN.test(content)) {
      if (problems.length < MAX_LISTED) problems.push({ line, rule: notAnId(content) });
      else more++;
      return;
    }
    if (seen.has(content)) duplicates.push({ tenantId: content, line });
    else {
      seen.add(content);
      ids.push({ tenantId: content, line });
    }
  });
  return problems.length > 0 ? { ok: false, problems, more } : { ok: true, ids, duplicates };
}

function notAnId(content: string): string {
  const shown = JSON.stringify(content.length > MAX_SHOWN ? `${content.slice(0, MAX_SHOWN)}…` : content);
  const hint = /[\s,;]/.test(content) ? ' (one ID per line, nothing else on it)' : '';
  return `${shown} is not a tenant ID: must be 1-64 characters of A-Z a-z 0-9 _ -${hint}`;
}
