/**
 * A webhook receiver for the lifecycle reports, so that the product runs as deployed (reports on) and the benchmark
 * can count "the report" among each tenant's calls. It answers 204 at once and keeps only counts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  readonly url: string;
  /** Reports received per workflow ID and event kind, e.g. `{ 'offboard-tenant-x': { 'final-report': 1 } }`. */
  received(): Map<string, Record<string, number>>;
  close(): Promise<void>;
}

/** The shared secret the bench's workers sign with (the receiver does not verify: it only counts). */
export const BENCH_WEBHOOK_SECRET = 'bench-webhook-secret-not-a-real-one';

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const counts = new Map<string, Record<string, number>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { workflowId?: string; event?: string };
        const perWorkflow = counts.get(body.workflowId ?? '?') ?? {};
        perWorkflow[body.event ?? '?'] = (perWorkflow[body.event ?? '?'] ?? 0) + 1;
        counts.set(body.workflowId ?? '?', perWorkflow);
      } catch {
        // Not JSON: not a report; still answered so that nothing retries against the benchmark.
      }
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/reports`,
    received: () => counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
