/**
 * A registration endpoint that answers with redirects, and a "thief" server they point at: a client that follows
 * the redirect would hand the thief its client secret (token request) or its access token (deactivate).
 * - `/register/eu/oauth/token` → 307 to the thief;
 * - `/register/us/oauth/token` → a token; `/register/us/api/v1/tenants/…/actions/…` → 307 to the thief.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RedirectingRegistration {
  /** For `QLIK_REGISTER_URL_TEMPLATE`. */
  registerUrlTemplate: string;
  /** What the registration endpoint received. */
  received: RecordedRequest[];
  /** What the redirect target received: must stay empty. */
  stolen: RecordedRequest[];
  /** The access token it hands out for region `us`. */
  usToken: string;
  close(): Promise<void>;
}

async function listen(handler: (req: RecordedRequest, res: import('node:http').ServerResponse) => void) {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => handler({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Starts both servers on loopback. */
export async function startRedirectingRegistration(): Promise<RedirectingRegistration> {
  const received: RecordedRequest[] = [];
  const stolen: RecordedRequest[] = [];
  const usToken = `redirect-test-TOKEN-${Math.random().toString(36).slice(2)}`;
  const thief = await listen((req, res) => {
    stolen.push(req);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"stolen","expires_in":3600}');
  });
  const registration = await listen((req, res) => {
    received.push(req);
    if (req.url === '/register/us/oauth/token') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: usToken, token_type: 'bearer', expires_in: 3600 }));
      return;
    }
    res.writeHead(307, { location: `${thief.url}/collect${req.url}` }).end();
  });
  return {
    registerUrlTemplate: `${registration.url}/register/{region}`,
    received,
    stolen,
    usToken,
    async close() {
      for (const { server } of [registration, thief]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
