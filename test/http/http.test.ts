import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors as undiciErrors } from 'undici';
import {
  networkErrorCode,
  parseRetryAfter,
  postDiscardingBody,
  postReadingText,
  RequestTimeoutError,
} from '../../src/http';

// parseRetryAfter's and networkErrorCode's main cases are in test/qlik/errors.test.ts; these are the rest.

describe('parseRetryAfter', () => {
  it('reads the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '60'])).toBe(3_000);
  });
  it('rounds fractional seconds up', () => {
    expect(parseRetryAfter('1.0001')).toBe(1_001);
  });
});

describe('networkErrorCode', () => {
  it("keeps undici's code when nothing below it is an OS code", () => {
    expect(networkErrorCode(new undiciErrors.SocketError('other side closed'))).toBe('UND_ERR_SOCKET');
  });
  it('names our own deadline ETIMEDOUT', () => {
    expect(networkErrorCode(new RequestTimeoutError(100))).toBe('ETIMEDOUT');
  });
  it('says UNKNOWN for an error without a code, whatever its name', () => {
    expect(networkErrorCode(new TypeError('fetch failed'))).toBe('UNKNOWN');
  });
});

describe('postReadingText and postDiscardingBody', () => {
  let server: Server;
  let url: string;
  let handle: (req: IncomingMessage, res: ServerResponse) => void;
  const received: { method?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method, body });
        handle(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  });
  afterEach(() => {
    received.length = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the body as given and returns the answer, a redirect included (never followed)', async () => {
    handle = (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end('moved');
    const answer = await postReadingText({ url, headers: {}, body: '{"a":1}', timeoutMs: 2_000 });
    expect(answer).toMatchObject({ status: 302, text: 'moved' });
    expect(answer.headers.location).toBe('http://127.0.0.1:1/elsewhere');
    expect(received).toEqual([{ method: 'POST', body: '{"a":1}' }]);
  });

  it('discards the body when asked to', async () => {
    handle = (_req, res) => res.writeHead(202, { 'retry-after': '5' }).end('ignored');
    const answer = await postDiscardingBody({ url, headers: {}, body: 'signed', timeoutMs: 2_000 });
    expect(answer).toEqual({ status: 202, headers: expect.objectContaining({ 'retry-after': '5' }) });
  });

  it('throws RequestTimeoutError when no complete answer arrives in time', async () => {
    handle = (_req, res) => res.writeHead(200).write('partial');
    await expect(postReadingText({ url, headers: {}, body: '', timeoutMs: 200 })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
  });

  it("throws the caller's abort reason, and sends nothing when already aborted", async () => {
    handle = () => undefined;
    const reason = new Error('cancelled by the test');
    const controller = new AbortController();
    const pending = postDiscardingBody({ url, headers: {}, body: '', timeoutMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);

    received.length = 0;
    await expect(
      postDiscardingBody({ url, headers: {}, body: '', timeoutMs: 5_000, signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(received).toEqual([]);
  });
});
