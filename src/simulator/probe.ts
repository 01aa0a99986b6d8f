/**
 * The tenant host's `POST /oauth/token`, which the product calls without credentials to see what users
 * see: an OAuth client error while the tenant is active, the deactivated error during the grace
 * period, and "no such tenant" once purged. Not rate-limited: Qlik's limits are per client, and the
 * probe carries none.
 */
import { qlikError, type Answer } from './answers';
import type { RouteContext } from './context';

const DEACTIVATED_TITLES = {
  TENANT_DEACTIVATED: 'Tenant has been deactivated. Contact your administrator for more details.',
  TENANT_DISABLED: 'Tenant is disabled. Contact your administrator for more details.',
} as const;

/** What a hostname that maps to no tenant answers, per the `purgedAnswer` setting. */
function purgedAnswer(ctx: RouteContext): Answer {
  switch (ctx.settings.purgedAnswer) {
    case 'reset':
      return { status: 0, drop: true };
    case '404':
      return qlikError(404, ctx.traceId(), 'HTTP-404', 'Not Found');
    default:
      return qlikError(401, ctx.traceId(), 'LOGIN-2', 'No authentication configured for this hostname');
  }
}

/** Answers a probe of `hostname`. */
export function handleProbe(ctx: RouteContext, hostname: string): Answer {
  const t = ctx.state.tenantByHostname(hostname);
  if (!t || t.status === 'deleted') return purgedAnswer(ctx);
  if (ctx.state.hostSeesDisabled(t)) {
    const code = ctx.settings.deactivatedCode;
    // The tutorial's body: title, code, status, no detail.
    return qlikError(401, ctx.traceId(), code, DEACTIVATED_TITLES[code]);
  }
  // The tenant is up: it refuses the credentials the probe does not send (or sends wrong).
  return qlikError(401, ctx.traceId(), 'OAUTH-14', 'Invalid client_id', 'OAuth client is not authorized');
}
