/**
 * One POST of an already-serialised body with undici, under a deadline. The body must go out byte for byte as it was
 * signed, hence a string here rather than an object. undici's `request` never follows redirects (that needs an
 * interceptor), so a 3xx comes back as an answer and the signed report is never re-sent to another host.
 */
import { request, type Dispatcher } from 'undici';

/** The per-request deadline passed; `code` is what the failure message names. */
export class WebhookTimeoutError extends Error {
  override readonly name = 'WebhookTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

export interface PostOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Activity cancellation. */
  signal?: AbortSignal;
  /** Default: undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

export interface PostAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * POSTs and returns the status and headers, whatever the status; the answer body is discarded (a receiver's answer
 * means nothing beyond its status). Throws {@link WebhookTimeoutError}, the caller's abort reason, or undici's error.
 */
export async function postSigned(options: PostOptions): Promise<PostAnswer> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) throw signal.reason;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new WebhookTimeoutError(timeoutMs));
  }, timeoutMs);
  const onCallerAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const response = await request(options.url, {
      method: 'POST',
      headers: options.headers,
      body: options.body,
      signal: controller.signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      // Our own timer is the deadline; undici's would otherwise default to 5 minutes each.
      headersTimeout: timeoutMs + 1_000,
      bodyTimeout: timeoutMs + 1_000,
    });
    // Read and drop the body: undici keeps the connection busy until it is consumed.
    await response.body.dump({ limit: 64 * 1024 });
    return { status: response.statusCode, headers: response.headers };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) throw new WebhookTimeoutError(timeoutMs);
    throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}
