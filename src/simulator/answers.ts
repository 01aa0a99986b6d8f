/**
 * The answers the simulated Qlik sends, built as data first (so handlers stay synchronous and
 * testable) and typed with Qlik's own SDK types, so a drift from Qlik's schema fails the type check.
 */
import type { Errors, Error as QlikError } from '@qlik/api/tenants' with { 'resolution-mode': 'import' };

/** An answer to send, or `drop` to reset the connection instead. */
export interface Answer {
  status: number;
  /** A JSON body; `text` is used instead when set. */
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** For state-changing routes: whether the change took effect. */
  applied?: boolean;
  /** Reset the connection without answering (logged with status 0). */
  drop?: boolean;
  retryAfterS?: number;
  /** The OAuth client the request was attributed to, for the log. */
  clientId?: string;
}

/** Qlik's 429 body, as documented: no `status` and no `traceId`. */
type RateLimitBody = { errors: Omit<QlikError, 'status'>[] };

/** A JSON answer. */
export function json(status: number, body: unknown, extra: Partial<Answer> = {}): Answer {
  return { status, json: body, ...extra };
}

/** Qlik's standard error body: `{"errors":[{code,title,detail?,status}],"traceId"}`. */
export function qlikError(status: number, traceId: string, code: string, title: string, detail?: string): Answer {
  const error: QlikError = { code, title, status: String(status) };
  if (detail !== undefined) error.detail = detail;
  const body: Errors = { errors: [error], traceId };
  return json(status, body);
}

/** Qlik's rate-limit answer with its `retry-after` header. */
export function rateLimited(retryAfterS: number): Answer {
  const body: RateLimitBody = {
    errors: [
      {
        code: 'HTTP-429',
        title: 'API rate limit reached.',
        detail: `You need to wait ${retryAfterS} seconds until limit is lifted.`,
      },
    ],
  };
  return json(429, body, { headers: { 'retry-after': String(retryAfterS) }, retryAfterS });
}

/**
 * A server error as it reaches a client: 500 and 503 from Qlik's services (JSON), 502 from the gateway
 * in front of them (HTML), so a client must not assume every error body is JSON.
 */
export function serverError(status: 500 | 502 | 503, traceId: string): Answer {
  if (status === 502) {
    return {
      status,
      contentType: 'text/html',
      text: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n',
    };
  }
  const title = status === 500 ? 'Internal Server Error' : 'Service Unavailable';
  return qlikError(status, traceId, `HTTP-${status}`, title);
}

/** Titles of the refusals a fault can inject. */
const REFUSAL_TITLES = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
} as const;

/** A status an injected refusal may answer with. */
export type RefusalStatus = keyof typeof REFUSAL_TITLES;

/**
 * An injected refusal in Qlik's standard error body. A 404 from the registration endpoint carries the tenant
 * routes' own code (`TENANTS-8`), so that it reads like the real "tenant not found".
 */
export function refusal(status: RefusalStatus, traceId: string, onTenantRoute: boolean): Answer {
  if (status === 404 && onTenantRoute) return qlikError(404, traceId, 'TENANTS-8', 'Not found', 'Tenant not found.');
  return qlikError(status, traceId, `HTTP-${status}`, REFUSAL_TITLES[status]);
}
