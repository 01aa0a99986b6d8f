/**
 * The registration endpoint's tenant routes: deactivate, reactivate and read. Checks run in the order
 * a client meets them — token, rate limit, body, tenant, hostname confirmation — so each error answer
 * can be produced on its own.
 */
import type { Tenant, TenantDeactivateResponse } from '@qlik/api/tenants' with { 'resolution-mode': 'import' };
import { json, qlikError, type Answer } from './answers';
import { authorize } from './auth';
import type { RouteContext, SimRequest } from './context';
import { parseJsonObject } from './http-io';
import type { TenantRecord } from './state';
import type { SimClient } from './types';

/** Qlik's default grace period when `purgeAfterDays` is not sent. */
const DEFAULT_PURGE_AFTER_DAYS = 30;

/** Datacenters of the documented regions (from `@qlik/api`'s TenantCreationRequest). */
const DATACENTERS: Record<string, string> = {
  us: 'us-east-1',
  eu: 'eu-west-1',
  ap: 'ap-southeast-1',
  sg: 'ap-southeast-2',
  de: 'eu-central-1',
  uk: 'eu-west-2',
  jp: 'ap-northeast-1',
};

/** A tenant action or read, as routed. */
export interface TenantCall {
  region: string;
  tenantId: string;
}

function notFound(ctx: RouteContext, tenantId: string): Answer {
  return qlikError(404, ctx.traceId(), 'TENANTS-8', 'Not found', `Tenant ${tenantId} not found.`);
}

/**
 * The tenant, if this region's endpoint can act on it. Past its purge date it counts as gone even while
 * the purge itself lags: Qlik allows reactivation only until the date.
 */
function findTenant(ctx: RouteContext, call: TenantCall, allowPastPurgeDate = false): TenantRecord | undefined {
  const t = ctx.state.tenant(call.tenantId);
  if (!t || t.region !== call.region || t.status === 'deleted') return undefined;
  if (!allowPastPurgeDate && ctx.state.isGone(t)) return undefined;
  return t;
}

/** Hostnames are case-insensitive; a missing header fails the precondition too. */
function hostnameMismatch(ctx: RouteContext, t: TenantRecord, req: SimRequest): Answer | undefined {
  const confirm = req.headers['qlik-confirm-hostname']?.trim().toLowerCase();
  if (confirm && t.hostnames.some((h) => h.toLowerCase() === confirm)) return undefined;
  const detail = confirm
    ? 'The qlik-confirm-hostname header does not match a hostname of the tenant.'
    : 'The qlik-confirm-hostname header is required.';
  return qlikError(412, ctx.traceId(), 'HTTP-412', 'Precondition Failed', detail);
}

function badRequest(ctx: RouteContext, detail: string): Answer {
  return qlikError(400, ctx.traceId(), 'HTTP-400', 'Bad Request', detail);
}

/** What one of the two action routes adds to the checks they share. */
interface TenantAction {
  /** The action's own body fields, checked after the body parses and before the tenant is looked up. */
  checkBody?(body: Record<string, unknown>, client: SimClient): Answer | undefined;
  /** The action on a tenant that passed every check: its answer, with `applied` set. */
  apply(t: TenantRecord, body: Record<string, unknown>): Answer;
}

/**
 * `POST …/actions/{deactivate|reactivate}`: the checks in the order Qlik runs them — token and rate limit, body,
 * the action's own fields, tenant, hostname confirmation — then the action. A refusal is never `applied`.
 */
function handleTenantAction(ctx: RouteContext, call: TenantCall, req: SimRequest, action: TenantAction): Answer {
  const caller = authorize(ctx, call.region, req, 2);
  if (!caller.ok) return { ...caller.answer, applied: false };
  const clientId = caller.client.clientId;
  const refuse = (answer: Answer): Answer => ({ ...answer, applied: false, clientId });

  const parsed = parseJsonObject(req.body);
  if (!parsed.ok) return refuse(badRequest(ctx, parsed.problem));
  const bodyProblem = action.checkBody?.(parsed.value, caller.client);
  if (bodyProblem) return refuse(bodyProblem);
  const t = findTenant(ctx, call);
  if (!t) return refuse(notFound(ctx, call.tenantId));
  const mismatch = hostnameMismatch(ctx, t, req);
  if (mismatch) return refuse(mismatch);
  return { ...action.apply(t, parsed.value), clientId };
}

/** `POST …/actions/deactivate`: disables the tenant, or resets the countdown of a disabled one. */
export function handleDeactivate(ctx: RouteContext, call: TenantCall, req: SimRequest): Answer {
  return handleTenantAction(ctx, call, req, {
    checkBody(body, client) {
      const days = body.purgeAfterDays;
      if (days === undefined) return undefined;
      if (!(typeof days === 'number' && Number.isInteger(days) && days >= 10 && days <= 90)) {
        return badRequest(ctx, 'purgeAfterDays must be an integer between 10 and 90.');
      }
      if (client.oem === false) {
        return qlikError(403, ctx.traceId(), 'HTTP-403', 'Forbidden', 'purgeAfterDays is only available to OEMs.');
      }
      return undefined;
    },
    apply(t, body) {
      // checkBody let only an integer from 10 to 90 through, or nothing.
      const days = body.purgeAfterDays as number | undefined;
      const purgeAt = ctx.state.deactivate(t, days ?? DEFAULT_PURGE_AFTER_DAYS);
      const answer: TenantDeactivateResponse = { id: t.id, status: 'disabled' };
      // A tenant's own answer (a skewed or sentinel date) stands in for the real one; the purge itself is unchanged.
      const answered = t.purgeDateAnswer ?? (ctx.settings.omitPurgeDate ? undefined : new Date(purgeAt).toISOString());
      if (answered !== undefined) answer.estimatedPurgeDate = answered;
      return json(200, answer, { applied: true });
    },
  });
}

/** `POST …/actions/reactivate`: makes a disabled tenant active again, until its purge date. */
export function handleReactivate(ctx: RouteContext, call: TenantCall, req: SimRequest): Answer {
  return handleTenantAction(ctx, call, req, {
    apply(t) {
      const wasActive = t.status === 'active';
      if (wasActive && ctx.settings.reactivateWhenActive === 'reject') {
        return { ...badRequest(ctx, 'The tenant is not deactivated.'), applied: false };
      }
      if (!wasActive) ctx.state.reactivate(t);
      // Qlik's documentation shows both bodies; the simulator gives whichever it is told to.
      const answer = ctx.settings.reactivateAnswer === 'empty' ? {} : { id: t.id, status: 'active' as const };
      return json(200, answer, { applied: !wasActive });
    },
  });
}

/** The Tenant object, as `@qlik/api` types it (there is no purge date in it). */
function toQlikTenant(ctx: RouteContext, t: TenantRecord): Tenant {
  return {
    id: t.id,
    name: t.name,
    hostnames: [...t.hostnames],
    region: t.region,
    datacenter: DATACENTERS[t.region] ?? t.region,
    created: new Date(t.created).toISOString(),
    lastUpdated: new Date(t.lastUpdated).toISOString(),
    createdByUser: 'simulator',
    status: t.status,
    statusLastUpdatedAt: new Date(t.statusLastUpdatedAt).toISOString(),
    links: {
      self: { href: `${ctx.baseUrl()}/register/${t.region}/api/v1/tenants/${encodeURIComponent(t.id)}` },
    },
  };
}

/** `GET /api/v1/tenants/{id}` (Tier 1): the tenant until it is deleted. */
export function handleGetTenant(ctx: RouteContext, call: TenantCall, req: SimRequest): Answer {
  const caller = authorize(ctx, call.region, req, 1);
  if (!caller.ok) return caller.answer;
  const t = findTenant(ctx, call, true);
  const answer = t ? json(200, toQlikTenant(ctx, t)) : notFound(ctx, call.tenantId);
  return { ...answer, clientId: caller.client.clientId };
}
