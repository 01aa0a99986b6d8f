/**
 * The demo's final report: a table of how each path ended, then where to look in the Web UI and what went wrong
 * where something did. Plain text, so it reads the same in a terminal and in a CI log.
 */
import { COUNTED_ROUTES, type DemoResult } from './checks';
import { DEMO_REQUESTED_BY } from './scenarios';
import { shortDate } from './watch';

/** `deactivate 1, probe 5`, or `none`. */
export function formatCalls(calls: DemoResult['calls']): string {
  const parts = COUNTED_ROUTES.filter((route) => calls[route] > 0).map((route) => `${route} ${calls[route]}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** Lays rows out in columns separated by two spaces, with a rule under the header. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The Web UI page of one workflow. */
export function workflowUrl(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The Web UI's workflow list filtered by a visibility query, e.g. on the contract's search attributes. */
export function listUrl(uiUrl: string, namespace: string, query: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** The whole report, ready to print. */
export function formatReport(results: DemoResult[], ui: { uiUrl: string; namespace: string }): string {
  const table = formatTable(
    ['path', 'tenant', 'ended in', 'expected', 'purge date', 'calls Qlik received', 'ok'],
    results.map((r) => [
      r.scenario.path,
      r.scenario.tenant.id,
      r.outcome ?? r.failureType ?? '—',
      r.scenario.expect.outcome ?? r.scenario.expect.failureType ?? '—',
      shortDate(r.status?.estimatedPurgeDate),
      formatCalls(r.calls),
      r.problems.length === 0 ? 'yes' : 'NO',
    ]),
  );
  const lines = [table, '', 'In the Web UI (history, status query, search attributes):'];
  const width = Math.max('all demos'.length, ...results.map((r) => r.scenario.path.length));
  for (const r of results)
    lines.push(`  ${r.scenario.path.padEnd(width)}  ${workflowUrl(ui.uiUrl, ui.namespace, r.workflowId)}`);
  // Filtering on a search attribute is how dashboards find offboardings; the demo's runs say requestedBy "demo".
  lines.push(
    `  ${'all demos'.padEnd(width)}  ${listUrl(ui.uiUrl, ui.namespace, `QlikRequestedBy="${DEMO_REQUESTED_BY}"`)}`,
  );
  for (const r of results.filter((r) => r.failureMessage)) {
    lines.push('', `${r.scenario.path}: ${r.failureType}: ${r.failureMessage}`);
  }
  const failed = results.filter((r) => r.problems.length > 0);
  if (failed.length > 0) {
    lines.push('', 'NOT AS EXPECTED:');
    for (const r of failed) for (const problem of r.problems) lines.push(`  ${r.scenario.path}: ${problem}`);
  } else {
    lines.push('', `All ${results.length} paths ended as expected.`);
  }
  return lines.join('\n');
}
