/**
 * Maps a request line to a simulated Qlik route. The simulator serves every region's registration
 * endpoint and every tenant host on one port, under the prefixes the URL templates give:
 * `/register/{region}` and `/tenant/{hostname}`.
 */

/** Which route a request hit, with the parts of the path it names. */
export type RouteMatch =
  | { route: 'token'; region: string }
  | { route: 'deactivate' | 'reactivate' | 'getTenant'; region: string; tenantId: string }
  | { route: 'probe'; hostname: string }
  | { route: 'unknown' };

/** The prefix of the simulator's own control API, never part of Qlik's. */
export const CONTROL_PREFIX = '/_sim/';

function segments(path: string): string[] | undefined {
  const pathname = path.split('?')[0];
  try {
    return pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined; // malformed percent-encoding: no route can match
  }
}

/** Matches method and path (query string ignored); anything else is `unknown` (404). */
export function matchRoute(method: string, path: string): RouteMatch {
  const s = segments(path);
  if (!s || s.some((part) => part === '')) return { route: 'unknown' };

  if (s[0] === 'tenant' && s.length === 4 && s[2] === 'oauth' && s[3] === 'token' && method === 'POST') {
    return { route: 'probe', hostname: s[1] };
  }
  if (s[0] !== 'register' || s.length < 4) return { route: 'unknown' };
  const region = s[1];
  const rest = s.slice(2);

  if (rest.length === 2 && rest[0] === 'oauth' && rest[1] === 'token' && method === 'POST') {
    return { route: 'token', region };
  }
  if (rest.length < 4 || rest[0] !== 'api' || rest[1] !== 'v1' || rest[2] !== 'tenants') return { route: 'unknown' };
  const tenantId = rest[3];
  if (rest.length === 4 && method === 'GET') return { route: 'getTenant', region, tenantId };
  if (rest.length === 6 && rest[4] === 'actions' && method === 'POST') {
    if (rest[5] === 'deactivate') return { route: 'deactivate', region, tenantId };
    if (rest[5] === 'reactivate') return { route: 'reactivate', region, tenantId };
  }
  return { route: 'unknown' };
}
