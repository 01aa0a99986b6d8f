/**
 * Serves one request on a Qlik route: records it, reads it, lets the fault plan have its say, runs the
 * route's handler and sends (or drops) the answer, then completes the log entry with what happened.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { qlikError, rateLimited, refusal, serverError, type Answer, type RefusalStatus } from './answers';
import type { RouteContext, SimRequest } from './context';
import type { Delays } from './delays';
import type { FaultDecision, FaultPlan } from './faults';
import { BodyTooLargeError, dropConnection, flatHeaders, readBody, sendAnswer } from './http-io';
import { handleProbe } from './probe';
import type { RequestLog } from './request-log';
import { matchRoute, type RouteMatch } from './router';
import { handleDeactivate, handleGetTenant, handleReactivate } from './tenant-routes';
import { handleToken } from './token-route';
import type { RequestLogEntry } from './types';

/** What the Qlik-route handler needs from the simulator. */
export interface QlikHandlerDeps {
  ctx: RouteContext;
  log: RequestLog;
  faults: FaultPlan;
  delays: Delays;
}

type KnownRoute = Exclude<RouteMatch, { route: 'unknown' }>;

/** Routes whose calls change state: their log entries always say whether the change took effect. */
const STATE_CHANGING = new Set(['token', 'deactivate', 'reactivate']);

function dispatch(ctx: RouteContext, match: KnownRoute, req: SimRequest): Answer {
  switch (match.route) {
    case 'token':
      return handleToken(ctx, match.region, req);
    case 'deactivate':
      return handleDeactivate(ctx, match, req);
    case 'reactivate':
      return handleReactivate(ctx, match, req);
    case 'getTenant':
      return handleGetTenant(ctx, match, req);
    case 'probe':
      return handleProbe(ctx, match.hostname);
  }
}

/** The answer an injected fault gives instead of the route's own, if it pre-empts the route. */
function preemptingAnswer(ctx: RouteContext, fault: FaultDecision, route: KnownRoute['route']): Answer | undefined {
  switch (fault.kind) {
    case '429':
      return rateLimited(fault.retryAfterS);
    case '500':
    case '502':
    case '503':
      return serverError(Number(fault.kind) as 500 | 502 | 503, ctx.traceId());
    case '400':
    case '403':
    case '404':
    case '409':
    case '412':
      return refusal(Number(fault.kind) as RefusalStatus, ctx.traceId(), route !== 'token' && route !== 'probe');
    case 'reset':
      return { status: 0, drop: true };
    default:
      return undefined;
  }
}

/** Handles requests on the Qlik routes. */
export class QlikHandler {
  constructor(private readonly deps: QlikHandlerDeps) {}

  /** Serves one request; never rejects (a bug becomes a logged 500). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { ctx, log } = this.deps;
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const entry = log.start({
      at: ctx.now(),
      method,
      path: url,
      route: 'unknown',
      headers: flatHeaders(req),
      body: '',
    });
    try {
      entry.body = await readBody(req);
    } catch (err) {
      const tooLarge = err instanceof BodyTooLargeError;
      if (!tooLarge) return this.finish(entry, req, res, { status: 0, drop: true });
      return this.finish(entry, req, res, qlikError(413, ctx.traceId(), 'HTTP-413', 'Payload Too Large'));
    }
    try {
      await this.route(entry, req, res, method, url);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      this.finish(entry, req, res, qlikError(500, ctx.traceId(), 'HTTP-500', 'Simulator error', detail));
    }
  }

  private async route(
    entry: RequestLogEntry,
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: string,
  ): Promise<void> {
    const { ctx, faults, delays } = this.deps;
    const match = matchRoute(method, url);
    entry.route = match.route;
    if (match.route === 'unknown') {
      return this.finish(entry, req, res, qlikError(404, ctx.traceId(), 'HTTP-404', 'Not Found'));
    }
    const simReq: SimRequest = { headers: entry.headers, body: entry.body };
    const confirmHost = entry.headers['qlik-confirm-hostname'];
    if ('region' in match) entry.region = match.region;
    if ('tenantId' in match) entry.tenantId = match.tenantId;
    if (match.route === 'probe') {
      entry.hostname = match.hostname;
      const owner = ctx.state.tenantByHostname(match.hostname);
      if (owner) entry.tenantId = owner.id;
    } else if (confirmHost !== undefined) {
      entry.hostname = confirmHost;
    }

    const target = { route: match.route, tenantId: entry.tenantId, hostname: entry.hostname, region: entry.region };
    const fault = faults.decide(target);
    if (fault) entry.fault = fault.kind;
    const preempted = fault && preemptingAnswer(ctx, fault, match.route);
    if (preempted) return this.finish(entry, req, res, preempted);

    if (fault?.kind === 'slow') {
      // A closing simulator cancels the wait; the request then ends as dropped, nothing applied.
      const completed = await delays.wait(fault.delayMs);
      if (!completed) return this.finish(entry, req, res, { status: 0, drop: true });
    }
    const answer = dispatch(ctx, match, simReq);
    // 'lost': the change is made, then the answer never reaches the client.
    this.finish(entry, req, res, fault?.kind === 'lost' ? { ...answer, drop: true } : answer);
  }

  private finish(entry: RequestLogEntry, req: IncomingMessage, res: ServerResponse, answer: Answer): void {
    delete entry.pending;
    if (answer.drop) {
      entry.status = 0;
      dropConnection(req);
    } else {
      entry.status = answer.status;
      if (!sendAnswer(res, answer)) entry.clientGone = true;
    }
    if (STATE_CHANGING.has(entry.route)) entry.applied = answer.applied ?? false;
    if (answer.retryAfterS !== undefined) entry.retryAfterS = answer.retryAfterS;
    if (answer.clientId !== undefined) entry.clientId = answer.clientId;
    else if (entry.route === 'token') entry.clientId = tokenClientId(entry.body);
  }
}

/** For a token call pre-empted by a fault, the client_id it carried, if readable. */
function tokenClientId(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const id = (parsed as { client_id?: unknown } | null)?.client_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return new URLSearchParams(body).get('client_id') ?? undefined;
  }
}
