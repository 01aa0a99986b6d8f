/**
 * The registration endpoint's `POST /oauth/token`: client-credentials grant for region-level OAuth
 * clients, with the error answers Qlik gives for unknown, wrong and disabled credentials.
 */
import { json, qlikError, rateLimited, type Answer } from './answers';
import type { RouteContext, SimRequest } from './context';
import { parseJsonOrForm } from './http-io';

/** The token answer; `expires_in` may be missing, as Qlik's documentation warns. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_at: string;
  expires_in?: number;
}

/** Credentials may also come as HTTP Basic auth (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { id?: string; secret?: string } {
  const match = /^basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return {};
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return {};
  }
}

function field(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Handles a token request to `region`'s registration endpoint. */
export function handleToken(ctx: RouteContext, region: string, req: SimRequest): Answer {
  const refuse = (status: number, code: string, title: string, detail: string, clientId?: string): Answer => ({
    ...qlikError(status, ctx.traceId(), code, title, detail),
    applied: false,
    clientId,
  });

  const parsed = parseJsonOrForm(req.body, req.headers['content-type']);
  if (!parsed.ok) return refuse(400, 'OAUTH-1', 'Invalid request', parsed.problem);
  const basic = basicCredentials(req.headers.authorization);
  const clientId = field(parsed.value.client_id) ?? basic.id;
  const secret = field(parsed.value.client_secret) ?? basic.secret;
  if (!clientId) return refuse(400, 'OAUTH-1', 'Invalid request', 'client_id is required.');

  // Token calls count against the client's Tier 2 budget, recognised by the client_id sent.
  const limited = ctx.limiter.take(clientId, 2, ctx.now());
  if (limited) return { ...rateLimited(limited.retryAfterS), applied: false, clientId };

  if (parsed.value.grant_type !== 'client_credentials') {
    return refuse(400, 'OAUTH-1', 'Invalid request', 'grant_type must be client_credentials.', clientId);
  }
  const client = ctx.state.client(clientId);
  // A client of another region is unknown here: each region's registration endpoint has its own clients.
  if (!client || client.region !== region) {
    return refuse(400, 'OAUTH-14', 'Invalid client_id', 'OAuth client is not authorized', clientId);
  }
  if (secret !== client.clientSecret) {
    return refuse(401, 'OAUTH-5', 'Unauthorized', 'Invalid client credentials.', clientId);
  }
  if (client.disabled) return refuse(403, 'OAUTH-14', 'Forbidden', 'OAuth client is disabled.', clientId);

  const { token, expiresAt } = ctx.state.issueToken(client);
  const body: TokenResponse = {
    access_token: token,
    token_type: 'bearer',
    expires_at: new Date(expiresAt).toISOString(),
  };
  if (!ctx.settings.omitExpiresIn) body.expires_in = Math.round(ctx.settings.tokenLifetimeMs / 1000);
  return json(200, body, { applied: true, clientId });
}
