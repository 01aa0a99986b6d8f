/**
 * Free TCP ports on loopback, for the servers that need a fixed port (the dev server and its Web UI, a worker's
 * metrics endpoint) and for addresses where nothing must listen.
 */
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago: the OS hands out a fresh one, which is closed again before returning (a small
 * race, fine for tests and the benchmark). Nothing listens on it afterwards, so it also serves as a port whose
 * connections are refused.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
