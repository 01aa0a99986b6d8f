/**
 * One JSON POST with undici under a deadline: the caller's AbortSignal (activity cancellation) combined with the
 * per-request timeout. The body of every answer is read (or discarded) here, since undici leaks unread bodies.
 */
import { request, type Dispatcher } from 'undici';
import type { HttpAnswer } from './errors';

/** Thrown when the per-request timeout fires; `code` is what the error mapping keys on. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

export interface PostJsonOptions {
  dispatcher: Dispatcher;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
}

// Qlik's answers are small; a larger one is not something this client needs to read in full.
const MAX_BODY_BYTES = 1024 * 1024;

/** The caller's abort reason, as an Error that Temporal and callers recognise. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * POSTs `body` as JSON and returns the answer, whatever its status. Redirects are not followed (undici's `request`
 * never follows them without an interceptor). Throws the caller's abort reason when `signal` aborts,
 * {@link RequestTimeoutError} when the deadline passes, and undici's error for any transport failure.
 */
export async function postJson(options: PostJsonOptions): Promise<HttpAnswer> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) throw abortReason(signal);

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new RequestTimeoutError(timeoutMs));
  }, timeoutMs);
  const onCallerAbort = (): void => controller.abort(signal ? abortReason(signal) : undefined);
  signal?.addEventListener('abort', onCallerAbort, { once: true });

  try {
    const response = await request(options.url, {
      dispatcher: options.dispatcher,
      method: 'POST',
      headers: options.headers,
      body: JSON.stringify(options.body),
      signal: controller.signal,
      // Our own timer is the deadline; undici's would otherwise default to 5 minutes each.
      headersTimeout: timeoutMs + 1_000,
      bodyTimeout: timeoutMs + 1_000,
    });
    const text = await readCapped(response.body);
    return { status: response.statusCode, headers: response.headers, text };
  } catch (err) {
    if (signal?.aborted) throw abortReason(signal);
    if (timedOut) throw new RequestTimeoutError(timeoutMs);
    throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      // Leaving the loop destroys the stream, which releases the connection.
      break;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
