/**
 * The simulator's own HTTP control API under `/_sim/`, for a simulator running in another process
 * (the demo, benchmarks): the same operations as the in-process `Simulator` object, as JSON over HTTP.
 * These requests are not Qlik traffic and are not logged.
 *
 * | method and path                      | body / answer                                                |
 * |--------------------------------------|--------------------------------------------------------------|
 * | `GET /_sim/health`                   | → `{ ok, url, registerUrlTemplate, tenantUrlTemplate, now }` |
 * | `POST /_sim/clients`                 | a client or an array → 204                                   |
 * | `POST /_sim/tenants`                 | a tenant or an array → 201 with the view(s)                  |
 * | `GET /_sim/tenants/{id}`             | → the view, or 404                                           |
 * | `POST /_sim/tenants/{id}/status`     | `{ status, purgeAfterDays? }` → the view                     |
 * | `GET /_sim/requests[?since=<seq>]`   | → the request log                                            |
 * | `DELETE /_sim/requests`              | → 204                                                        |
 * | `PUT /_sim/faults`                   | an array of fault rules → 204                                |
 * | `GET /_sim/config`                   | → the settings                                               |
 * | `PATCH /_sim/config`                 | options to change → the settings                             |
 *
 * Errors answer `{ "error": message, "field"? }` with 400 (bad input) or 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, type Answer } from './answers';
import { BodyTooLargeError, parseJsonObject, readBody, sendAnswer } from './http-io';
import { CONTROL_PREFIX } from './router';
import type { Simulator } from './types';
import {
  SimulatorInputError,
  validateClient,
  validateClients,
  validateFaults,
  validateOptions,
  validateStatus,
  validateTenant,
  validateTenants,
} from './validate';

/** The control API's view of the simulator: the in-process interface plus the clock. */
export type ControlTarget = Omit<Simulator, 'close'> & { now(): number };

function problem(status: number, error: string, field?: string): Answer {
  return json(status, field === undefined ? { error } : { error, field });
}

function parseBody(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new SimulatorInputError('body', 'is not valid JSON');
  }
}

function route(sim: ControlTarget, method: string, url: URL, body: string): Answer {
  const parts = url.pathname.slice(CONTROL_PREFIX.length).split('/').map(decodeURIComponent);
  if (parts.length > 3) return problem(404, `no control route ${method} ${url.pathname}`);
  const key = `${method} ${parts[0]}${parts.length > 1 ? '/:id' : ''}${parts.length > 2 ? `/${parts[2]}` : ''}`;
  switch (key) {
    case 'GET health':
      return json(200, {
        ok: true,
        url: sim.url,
        registerUrlTemplate: sim.registerUrlTemplate,
        tenantUrlTemplate: sim.tenantUrlTemplate,
        now: sim.now(),
      });
    case 'POST clients': {
      const input = parseBody(body);
      for (const c of Array.isArray(input) ? validateClients(input) : [validateClient(input)]) sim.addClient(c);
      return { status: 204 };
    }
    case 'POST tenants': {
      const input = parseBody(body);
      const seeds = Array.isArray(input) ? validateTenants(input) : [validateTenant(input)];
      for (const t of seeds) sim.addTenant(t);
      const views = seeds.map((t) => sim.tenant(t.id));
      return json(201, Array.isArray(input) ? views : views[0]);
    }
    case 'GET tenants/:id': {
      const view = sim.tenant(parts[1]);
      return view ? json(200, view) : problem(404, `no tenant ${parts[1]}`);
    }
    case 'POST tenants/:id/status': {
      const parsed = parseJsonObject(body);
      if (!parsed.ok) throw new SimulatorInputError('body', parsed.problem);
      const status = validateStatus(parsed.value.status, 'status');
      const days = parsed.value.purgeAfterDays;
      if (days !== undefined && !(typeof days === 'number' && days > 0)) {
        throw new SimulatorInputError('purgeAfterDays', 'must be a number > 0');
      }
      if (!sim.tenant(parts[1])) return problem(404, `no tenant ${parts[1]}`);
      sim.setExternalStatus(parts[1], status, { purgeAfterDays: days });
      return json(200, sim.tenant(parts[1]));
    }
    case 'GET requests': {
      const since = Number(url.searchParams.get('since') ?? 0);
      if (!Number.isInteger(since) || since < 0) throw new SimulatorInputError('since', 'must be a sequence number');
      return json(200, sim.requests(since));
    }
    case 'DELETE requests':
      sim.clearRequests();
      return { status: 204 };
    case 'PUT faults':
      sim.setFaults(validateFaults(parseBody(body) ?? []));
      return { status: 204 };
    case 'GET config':
      return json(200, sim.settings());
    case 'PATCH config': {
      const patch = parseBody(body) ?? {};
      sim.configure(validateOptions(patch, 'config'));
      return json(200, sim.settings());
    }
    default:
      return problem(404, `no control route ${method} ${url.pathname}`);
  }
}

/** Serves one `/_sim/` request. */
export async function handleControl(sim: ControlTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let answer: Answer;
  try {
    const body = await readBody(req);
    answer = route(sim, req.method ?? 'GET', new URL(req.url ?? '/', 'http://sim'), body);
  } catch (err) {
    if (err instanceof SimulatorInputError) answer = problem(400, err.message, err.field);
    else if (err instanceof BodyTooLargeError) answer = problem(413, err.message);
    else answer = problem(err instanceof URIError ? 400 : 500, err instanceof Error ? err.message : String(err));
  }
  sendAnswer(res, answer);
}
