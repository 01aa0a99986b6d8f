/**
 * A tiny real HTTP server on 127.0.0.1 for the Qlik client's tests (a stand-in far simpler than the simulator): it
 * records what it received and answers through a handler each test sets. Paths follow the templates
 * `/register/{region}` and `/tenant/{hostname}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QlikClientOptions } from '../src/qlik/create-qlik-client';

/** Qlik client options aimed at `server`: the eu client with `secret`, and a 2 s request timeout. */
export function clientOptionsFor(server: TestServer, secret: string): QlikClientOptions {
  return {
    registerUrlTemplate: server.registerUrlTemplate,
    tenantUrlTemplate: server.tenantUrlTemplate,
    credentials: () => ({ clientId: 'client-eu', clientSecret: secret }),
    requestTimeoutMs: 2_000,
  };
}

/** After a test: closes its Qlik client (if it made one) and the server. */
export async function closeClientAndServer(client: { close(): Promise<void> } | undefined, server: TestServer) {
  await client?.close();
  await server.close();
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  url: string;
  registerUrlTemplate: string;
  tenantUrlTemplate: string;
  received: Received[];
  /** Replaces the handler (default: 404 to everything). */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** Sends a JSON answer. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
}

/** Qlik's standard error body. */
export function qlikError(code: string, title: string, traceId = `trace-${code}`, detail?: string): unknown {
  return { errors: [{ code, title, ...(detail ? { detail } : {}), status: '400' }], traceId };
}

export async function startTestServer(initial?: Handler): Promise<TestServer> {
  let handler: Handler = initial ?? ((_req, res) => json(res, 404, qlikError('NOT_FOUND', 'Not found')));
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      Promise.resolve(handler(r, res)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : undefined);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    registerUrlTemplate: `${url}/register/{region}`,
    tenantUrlTemplate: `${url}/tenant/{hostname}`,
    received,
    handle: (h) => {
      handler = h;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
