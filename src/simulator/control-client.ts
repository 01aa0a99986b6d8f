/**
 * A typed client for the `/_sim/` control API, for code that drives a simulator in another process
 * (the demo, benchmarks). Mirrors the in-process `Simulator` methods, asynchronously.
 */
import { request, type Dispatcher } from 'undici';
import type {
  ExternalStatusOptions,
  FaultRule,
  RequestLogEntry,
  SimClient,
  SimulatorOptions,
  SimulatorSettings,
  SimTenantSeed,
  SimTenantStatus,
  SimTenantView,
} from './types';

/** The control API's health answer. */
export interface SimulatorHealth {
  ok: true;
  url: string;
  registerUrlTemplate: string;
  tenantUrlTemplate: string;
  /** The simulator's clock, epoch ms. */
  now: number;
}

/** Options that can be changed over HTTP (a clock function cannot travel). */
export type RemoteConfigPatch = Omit<Partial<SimulatorOptions>, 'now' | 'port' | 'host'>;

/** The control API refused a call; `field` names the bad input when it says so. */
export class SimulatorControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SimulatorControlError';
  }
}

/** Controls a simulator over HTTP. */
export class SimulatorControl {
  /** @param url the simulator's base URL, e.g. `http://127.0.0.1:8090` */
  constructor(
    readonly url: string,
    private readonly options: { dispatcher?: Dispatcher } = {},
  ) {
    this.url = url.replace(/\/+$/, '');
  }

  /** `${url}/register/{region}` */
  get registerUrlTemplate(): string {
    return `${this.url}/register/{region}`;
  }

  /** `${url}/tenant/{hostname}` */
  get tenantUrlTemplate(): string {
    return `${this.url}/tenant/{hostname}`;
  }

  private async call<T>(method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<T> {
    const res = await request(`${this.url}/_sim/${path}`, {
      method,
      dispatcher: this.options.dispatcher,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      let message = text;
      let field: string | undefined;
      try {
        const parsed = JSON.parse(text) as { error?: string; field?: string };
        message = parsed.error ?? text;
        field = parsed.field;
      } catch {
        // not JSON: keep the raw text
      }
      throw new SimulatorControlError(res.statusCode, `${method} /_sim/${path}: ${res.statusCode} ${message}`, field);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Whether the simulator is up, and its URLs and clock. */
  health(): Promise<SimulatorHealth> {
    return this.call('GET', 'health');
  }

  /** Adds (or replaces) one or more OAuth clients. */
  async addClient(client: SimClient | SimClient[]): Promise<void> {
    await this.call('POST', 'clients', client);
  }

  /** Adds (or replaces) a tenant; returns its view. */
  addTenant(tenant: SimTenantSeed): Promise<SimTenantView> {
    return this.call('POST', 'tenants', tenant);
  }

  /** Adds (or replaces) several tenants at once; returns their views. */
  addTenants(tenants: SimTenantSeed[]): Promise<SimTenantView[]> {
    return this.call('POST', 'tenants', tenants);
  }

  /** The tenant's state, or undefined when the simulator has no such tenant. */
  async tenant(id: string): Promise<SimTenantView | undefined> {
    try {
      return await this.call<SimTenantView>('GET', `tenants/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof SimulatorControlError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** The request log, or only the entries after sequence number `since`. */
  requests(since?: number): Promise<RequestLogEntry[]> {
    return this.call('GET', since === undefined ? 'requests' : `requests?since=${since}`);
  }

  /** Empties the request log. */
  async clearRequests(): Promise<void> {
    await this.call('DELETE', 'requests');
  }

  /** Replaces the fault rules. */
  async setFaults(rules: FaultRule[]): Promise<void> {
    await this.call('PUT', 'faults', rules);
  }

  /** Changes behaviour at run time; returns the settings now in force. */
  configure(patch: RemoteConfigPatch): Promise<SimulatorSettings> {
    return this.call('PATCH', 'config', patch);
  }

  /** The behaviour settings in force (a switched-off rate limit shows as 0). */
  settings(): Promise<SimulatorSettings> {
    return this.call('GET', 'config');
  }

  /** An out-of-band status change; returns the tenant's new view. */
  setExternalStatus(
    tenantId: string,
    status: SimTenantStatus,
    options: ExternalStatusOptions = {},
  ): Promise<SimTenantView> {
    return this.call('POST', `tenants/${encodeURIComponent(tenantId)}/status`, { status, ...options });
  }
}
