/**
 * The secrets scan: export workflow histories as Temporal's JSON (what `temporal workflow show --output json` and
 * the Web UI's download produce), decode every payload in them (payload `data` is bytes, base64 in JSON), and look
 * for client secrets and access tokens there, in the worker's logs and in what reached tenant hosts.
 */
import type { Client } from '@temporalio/client';
import type { RequestLogEntry } from '../../src/simulator';
import { historyToJson, type History } from '../../harness/replay/history-json';
import { accessTokensSeen } from './request-log';

/** One exported history: the JSON text and every payload in it, decoded. */
export interface ExportedHistory {
  workflowId: string;
  json: string;
  /** `data` and `metadata` values of every payload, base64-decoded to UTF-8. */
  decodedPayloads: string[];
}

const decodeBase64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** Payloads appear at any depth (inputs, results, failures' details, search attributes, markers). */
function collectPayloads(value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectPayloads(item, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  const metadata = record.metadata;
  if (typeof metadata === 'object' && metadata !== null && 'encoding' in metadata) {
    if (typeof record.data === 'string') out.push(decodeBase64(record.data));
    for (const meta of Object.values(metadata)) if (typeof meta === 'string') out.push(decodeBase64(meta));
  }
  for (const child of Object.values(record)) collectPayloads(child, out);
}

/** Decodes the payloads of a history in Temporal's JSON form. */
export function decodePayloads(historyJson: string): string[] {
  const out: string[] = [];
  collectPayloads(JSON.parse(historyJson), out);
  return out;
}

/** Every workflow history matching `query` (all by default), exported and decoded. */
export async function exportHistories(client: Client, query?: string): Promise<ExportedHistory[]> {
  const histories: ExportedHistory[] = [];
  for await (const { workflowId, history } of client.workflow.list(query ? { query } : {}).intoHistories()) {
    const json = historyToJson(history as History);
    histories.push({ workflowId, json, decodedPayloads: decodePayloads(json) });
  }
  return histories;
}

/** Where a needle was found. */
export interface Leak {
  needle: string;
  where: string;
}

/** The needles found in the exported histories (raw JSON and decoded payloads) and in the log lines. */
export function findLeaks(
  needles: readonly string[],
  histories: ExportedHistory[],
  logLines: readonly string[],
): Leak[] {
  const leaks: Leak[] = [];
  const real = needles.filter((n) => n.length >= 8);
  for (const history of histories) {
    for (const needle of real) {
      if (history.json.includes(needle)) leaks.push({ needle, where: `history ${history.workflowId} (JSON)` });
      if (history.decodedPayloads.some((p) => p.includes(needle))) {
        leaks.push({ needle, where: `history ${history.workflowId} (decoded payload)` });
      }
    }
  }
  for (const [index, line] of logLines.entries()) {
    for (const needle of real) if (line.includes(needle)) leaks.push({ needle, where: `log line ${index + 1}` });
  }
  return leaks;
}

/** Requests to tenant hosts (probes) that carried a needle in a header or the body. */
export function tenantHostLeaks(log: RequestLogEntry[], needles: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const entry of log.filter((r) => r.route === 'probe')) {
    const text = `${JSON.stringify(entry.headers)}\n${entry.body}`;
    for (const needle of needles)
      if (needle && text.includes(needle)) leaks.push({ needle, where: `probe #${entry.seq} to ${entry.hostname}` });
  }
  return leaks;
}

/** Masks a leaked value in a failure message, so that the test report does not print the secret it found. */
export function describeLeaks(leaks: Leak[]): string[] {
  return leaks.map((l) => `${l.needle.slice(0, 4)}… in ${l.where}`);
}

/** What {@link scanForLeaks} looked at and found. */
export interface LeakScan {
  /** Leaks, described without printing the secret. */
  leaks: string[];
  histories: ExportedHistory[];
  /** How many distinct secrets and access tokens were looked for. */
  needles: number;
}

/**
 * Exports every history matching `query`, and looks there, in `logLines` and in the probes of `requestLog` for
 * `secrets` and for every access token the simulator saw in an `authorization` header.
 */
export async function scanForLeaks(options: {
  client: Client;
  query?: string;
  logLines: readonly string[];
  requestLog: RequestLogEntry[];
  secrets: readonly string[];
}): Promise<LeakScan> {
  const needles = [...options.secrets, ...accessTokensSeen(options.requestLog)];
  const histories = await exportHistories(options.client, options.query);
  const leaks = [...findLeaks(needles, histories, options.logLines), ...tenantHostLeaks(options.requestLog, needles)];
  return { leaks: describeLeaks(leaks), histories, needles: needles.length };
}

/** The leak scan as the last test of a file: `defineLeakScan(() => ({ … }))` with what the file produced. */
export function defineLeakScan(
  sources: () => {
    client: Client;
    logLines: readonly string[];
    requestLog: RequestLogEntry[];
    secrets: readonly string[];
    query?: string;
  },
): void {
  describe('secrets after every scenario of this file', () => {
    it('no client secret or access token appears in any exported history (payloads decoded), log line, or probe', async () => {
      const scan = await scanForLeaks(sources());
      expect(scan.histories.length).toBeGreaterThan(0);
      expect(scan.leaks).toEqual([]);
    }, 60_000);
  });
}
