/**
 * The HTTP plumbing under the Qlik client (`src/qlik/`) and the webhook reports (`src/reports/`): one POST with
 * undici under a deadline, what a `retry-after` header asks for, and the code of a transport failure. What an answer
 * or a failure means is each caller's own mapping (`src/qlik/errors.ts`, `src/reports/failures.ts`), not this file's.
 *
 * undici's `request` never follows redirects (that needs an interceptor): a 3xx comes back as an answer, and neither
 * a bearer token nor a signed report is ever re-sent to another host.
 */
import { request, type Dispatcher } from 'undici';

/** Thrown when the per-request timeout fires; `code` is what the callers' error mappings key on. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

export interface PostOptions {
  url: string;
  headers: Record<string, string>;
  /** Sent byte for byte as given (a signed body must not be re-serialised). */
  body: string;
  timeoutMs: number;
  /** The caller's cancellation (an activity's cancellation signal). */
  signal?: AbortSignal;
  /** Default: undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

/** An answer, whatever its status. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** An answer with its body as text. */
export interface HttpTextAnswer extends HttpAnswer {
  text: string;
}

// Qlik's answers are small; a larger one is not something this client needs to read in full.
const MAX_TEXT_BYTES = 1024 * 1024;
const MAX_DISCARDED_BYTES = 64 * 1024;

/** The caller's abort reason, as an Error that Temporal and callers recognise. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** POSTs and reads the answer's body as text (its first megabyte; the rest is dropped). See {@link post}. */
export function postReadingText(options: PostOptions): Promise<HttpTextAnswer> {
  return post(options, async (body) => ({ text: await readCapped(body) }));
}

/** POSTs and discards the answer's body (an answer that means nothing beyond its status). See {@link post}. */
export function postDiscardingBody(options: PostOptions): Promise<HttpAnswer> {
  // undici keeps the connection busy until the body is consumed.
  return post(options, async (body) => {
    await body.dump({ limit: MAX_DISCARDED_BYTES });
    return {};
  });
}

/**
 * POSTs under a deadline: the caller's signal combined with the per-request timeout. The answer's body is always
 * consumed by `consume`, since undici leaks unread bodies. Throws the caller's abort reason when `signal` aborts,
 * {@link RequestTimeoutError} when the deadline passes, and undici's error for any transport failure.
 */
async function post<Extra extends object>(
  options: PostOptions,
  consume: (body: Dispatcher.ResponseData['body']) => Promise<Extra>,
): Promise<HttpAnswer & Extra> {
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
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      method: 'POST',
      headers: options.headers,
      body: options.body,
      signal: controller.signal,
      // Our own timer is the deadline; undici's would otherwise default to 5 minutes each.
      headersTimeout: timeoutMs + 1_000,
      bodyTimeout: timeoutMs + 1_000,
    });
    const extra = await consume(response.body);
    return { status: response.statusCode, headers: response.headers, ...extra };
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
    if (size > MAX_TEXT_BYTES) {
      // Leaving the loop destroys the stream, which releases the connection.
      break;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Used when a `retry-after` is garbled (and, by the Qlik client, when a 429 carries none). */
export const DEFAULT_RETRY_AFTER_MS = 1_000;
// A garbled or hostile header must not park a workflow for days; Qlik's window is 5 minutes.
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Milliseconds to wait from a `retry-after` value (delta-seconds or an HTTP date); a default when absent or garbled. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return DEFAULT_RETRY_AFTER_MS;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(raw)) {
    ms = Math.ceil(Number(raw) * 1000);
  } else {
    const date = Date.parse(raw);
    if (!/[a-z]/i.test(raw) || !Number.isFinite(date)) return DEFAULT_RETRY_AFTER_MS;
    ms = date - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/**
 * The most telling error code of a transport failure: the OS code (`ECONNRESET`) over undici's wrapper code
 * (`UND_ERR_SOCKET`), looking through `cause` and into an AggregateError (happy eyeballs tries several addresses).
 * `UNKNOWN` when there is no code at all. Only the code is taken: an error's message may quote the URL.
 */
export function networkErrorCode(err: unknown): string {
  const codes: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (typeof e !== 'object' || e === null || depth > 4) return;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((e as { cause?: unknown }).cause, depth + 1);
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) visit(inner[0], depth + 1);
  };
  visit(err, 0);
  return codes.find((c) => /^E[A-Z_]+$/.test(c)) ?? codes[0] ?? 'UNKNOWN';
}
