/**
 * Shared fixtures for the simulator tests: a client and tenants, and thin HTTP helpers that talk to a
 * simulator the way the product will (undici, real sockets).
 */
import { request } from 'undici';
import type { SimClient, Simulator, SimTenantSeed } from '../../src/simulator';

export const CLIENT: SimClient = { region: 'eu', clientId: 'eu-client', clientSecret: 'eu-secret' };
export const US_CLIENT: SimClient = { region: 'us', clientId: 'us-client', clientSecret: 'us-secret' };
export const TENANT: SimTenantSeed = {
  id: 'tenant-1',
  name: 'acme',
  hostnames: ['acme.eu.qlikcloud.com', 'acme-alias.eu.qlikcloud.com'],
  region: 'eu',
};
export const DAY_MS = 1000;
/** A fixed start for manual clocks: 2026-01-01T00:00:00.000Z. */
export const T0 = Date.UTC(2026, 0, 1);

/** A decoded answer. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary answers
}

/** Sends a request and reads the whole answer. */
export async function call(
  url: string,
  init: { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const hasBody = init.body !== undefined;
  const res = await request(url, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: {
      ...(hasBody && typeof init.body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: !hasBody ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** `{register}` for a region. */
export function registerUrl(sim: Simulator, region = 'eu'): string {
  return sim.registerUrlTemplate.replace('{region}', region);
}

/** `{tenant host}` for a hostname. */
export function tenantUrl(sim: Simulator, hostname: string): string {
  return sim.tenantUrlTemplate.replace('{hostname}', hostname);
}

/** Requests a token; returns the whole reply. */
export function requestToken(sim: Simulator, client: SimClient = CLIENT, region = client.region): Promise<Reply> {
  return call(`${registerUrl(sim, region)}/oauth/token`, {
    body: { client_id: client.clientId, client_secret: client.clientSecret, grant_type: 'client_credentials' },
  });
}

/** A valid access token for the client. */
export async function token(sim: Simulator, client: SimClient = CLIENT): Promise<string> {
  const reply = await requestToken(sim, client);
  if (reply.status !== 200) throw new Error(`token: ${reply.status} ${reply.text}`);
  return reply.json.access_token as string;
}

/** Calls deactivate or reactivate as the product would. */
export function action(
  sim: Simulator,
  kind: 'deactivate' | 'reactivate',
  opts: { token: string; tenantId?: string; hostname?: string | null; body?: unknown; region?: string },
): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token}`, accept: 'application/json' };
  const hostname = opts.hostname === undefined ? TENANT.hostnames[0] : opts.hostname;
  if (hostname !== null) headers['qlik-confirm-hostname'] = hostname;
  const id = opts.tenantId ?? TENANT.id;
  return call(`${registerUrl(sim, opts.region)}/api/v1/tenants/${id}/actions/${kind}`, {
    body: opts.body ?? (kind === 'reactivate' ? {} : { purgeAfterDays: 10 }),
    headers,
  });
}

/** Reads a tenant through the registration endpoint. */
export function getTenant(sim: Simulator, accessToken: string, tenantId = TENANT.id, region = 'eu'): Promise<Reply> {
  return call(`${registerUrl(sim, region)}/api/v1/tenants/${tenantId}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
}

/** Probes a tenant host without credentials, as the product does. */
export function probe(sim: Simulator, hostname: string = TENANT.hostnames[0]): Promise<Reply> {
  return call(`${tenantUrl(sim, hostname)}/oauth/token`, {
    body: { grant_type: 'client_credentials' },
    headers: { accept: 'application/json' },
  });
}

/** The first error code of a Qlik error body. */
export function errorCode(reply: Reply): string | undefined {
  return reply.json?.errors?.[0]?.code;
}
