/**
 * Bearer-token checks and rate limiting for the registration API routes: the two gates every
 * deactivate, reactivate and tenant read passes before the tenant is even looked up.
 */
import { qlikError, rateLimited, type Answer } from './answers';
import type { RouteContext, SimRequest } from './context';
import type { RateTier } from './rate-limit';
import type { SimClient } from './types';

/** Who is calling, or the answer that refuses the call. */
export type Caller = { ok: true; client: SimClient } | { ok: false; answer: Answer };

/**
 * Accepts a live token issued by this region's registration endpoint; a token of another region is as
 * good as none (Qlik's regions are separate deployments), then counts the call against the client's limit.
 */
export function authorize(ctx: RouteContext, region: string, req: SimRequest, tier: RateTier): Caller {
  const match = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  const token = match ? ctx.state.token(match[1]) : undefined;
  const client = token ? ctx.state.client(token.clientId) : undefined;
  if (!token || !client || token.region !== region) {
    const detail = match ? 'The access token is invalid or has expired.' : 'A bearer token is required.';
    return { ok: false, answer: qlikError(401, ctx.traceId(), 'HTTP-401', 'Unauthorized', detail) };
  }
  const limited = ctx.limiter.take(client.clientId, tier, ctx.now());
  if (limited) return { ok: false, answer: { ...rateLimited(limited.retryAfterS), clientId: client.clientId } };
  return { ok: true, client };
}
