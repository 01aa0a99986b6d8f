/**
 * A customer-lifecycle system's webhook endpoint, as a receiver should write one: it checks the signature with the
 * product's own `verifySignature` (401 when it fails), dedupes by Idempotency-Key, and answers what the test scripts.
 * The benchmark starts it without a secret and without keeping deliveries: it only counts the reports, and neither
 * spends CPU on signatures beside the workers it measures nor holds tens of thousands of bodies.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature, type ReportPayload } from '../src/reports';

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the signature verified (unverified deliveries are answered 401 and never processed). */
  verified: boolean;
}

/** The answer to the n-th delivery (0-based), default 200; `'hang'` never answers (until the receiver closes). */
export type Script = (n: number, delivery: Delivery) => { status: number; headers?: Record<string, string> } | 'hang';

export interface Receiver {
  url: string;
  /** Every request received, in order. */
  deliveries: Delivery[];
  /** Verified events that were accepted (2xx), each Idempotency-Key once: what the receiving system acts on. */
  processed: ReportPayload[];
  script(script: Script): void;
  /** Accepted deliveries per workflow ID and event kind, repeats included: `{ 'offboard-tenant-x': { 'final-report': 1 } }`. */
  received(): Map<string, Record<string, number>>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** Keep every delivery and processed event (default); off for the benchmark, which only reads `received()`. */
  keepDeliveries?: boolean;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** Starts the receiver; with `secret` undefined it verifies nothing (every delivery counts as verified). */
export async function startReceiver(secret: string | undefined, options: ReceiverOptions = {}): Promise<Receiver> {
  const keep = options.keepDeliveries ?? true;
  let script: Script = () => ({ status: 200 });
  let count = 0;
  const deliveries: Delivery[] = [];
  const processed: ReportPayload[] = [];
  const seenKeys = new Set<string>();
  const counts = new Map<string, Record<string, number>>();
  const countReport = (body: string): void => {
    try {
      const report = JSON.parse(body) as { workflowId?: string; event?: string };
      const perWorkflow = counts.get(report.workflowId ?? '?') ?? {};
      perWorkflow[report.event ?? '?'] = (perWorkflow[report.event ?? '?'] ?? 0) + 1;
      counts.set(report.workflowId ?? '?', perWorkflow);
    } catch {
      // Not JSON: not a report.
    }
  };

  const answer = (res: ServerResponse, status: number, headers: Record<string, string> = {}): void => {
    res.writeHead(status, headers);
    res.end();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified =
        secret === undefined ||
        verifySignature({
          secret,
          body,
          timestamp: header(req.headers, 'X-Offboarding-Timestamp'),
          signature: header(req.headers, 'X-Offboarding-Signature'),
        });
      const delivery: Delivery = { headers: req.headers, body, verified };
      if (keep) deliveries.push(delivery);
      const n = count++;
      if (!verified) return answer(res, 401);
      const scripted = script(n, delivery);
      if (scripted === 'hang') return;
      if (scripted.status >= 200 && scripted.status < 300) {
        countReport(body);
        const key = header(req.headers, 'Idempotency-Key') ?? '';
        // A repeat delivery is acknowledged but not acted on again.
        if (keep && !seenKeys.has(key)) {
          seenKeys.add(key);
          processed.push(JSON.parse(body) as ReportPayload);
        }
      }
      answer(res, scripted.status, scripted.headers);
    });
  });
  // The product's deliveries reuse their connection: keep it open between reports.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/offboarding`,
    deliveries,
    processed,
    script: (s) => {
      script = s;
    },
    received: () => counts,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
