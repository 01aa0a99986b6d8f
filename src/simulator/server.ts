/**
 * The running simulator: one loopback HTTP server for every region's registration endpoint and every
 * tenant host, plus the `/_sim/` control API, and the in-process control methods around them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock } from './clock';
import type { RouteContext } from './context';
import { handleControl } from './control-api';
import { Delays } from './delays';
import { FaultPlan } from './faults';
import { applyBehaviour, DEFAULT_SETTINGS } from './options';
import { seededRandom, traceIdFrom, type Random } from './prng';
import { QlikHandler } from './qlik-handler';
import { RateLimiter } from './rate-limit';
import { RequestLog } from './request-log';
import { CONTROL_PREFIX } from './router';
import { SimState } from './state';
import type {
  ExternalStatusOptions,
  FaultRule,
  RequestLogEntry,
  SimClient,
  Simulator,
  SimulatorOptions,
  SimulatorSettings,
  SimTenantSeed,
  SimTenantStatus,
  SimTenantView,
} from './types';
import {
  SimulatorInputError,
  validateBehaviour,
  validateClient,
  validateClients,
  validateFaults,
  validateOptions,
  validateTenant,
  validateTenants,
} from './validate';

/** Trace IDs draw from their own stream so that error answers never shift the fault sequence. */
const TRACE_STREAM = 0x9e3779b9;

class RunningSimulator implements Simulator {
  url = '';
  registerUrlTemplate = '';
  tenantUrlTemplate = '';

  private readonly settingsInForce: SimulatorSettings = { ...DEFAULT_SETTINGS };
  private clock: Clock = Date.now;
  private traceRandom: Random;
  private readonly state: SimState;
  private readonly faults: FaultPlan;
  private readonly log: RequestLog;
  private readonly delays = new Delays();
  private readonly qlik: QlikHandler;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  constructor(options: SimulatorOptions) {
    const { clients, tenants, faults, port: _port, host: _host, ...behaviour } = options;
    applyBehaviour(this.settingsInForce, behaviour);
    if (behaviour.now) this.clock = behaviour.now;
    const seed = this.settingsInForce.seed;
    this.traceRandom = seededRandom(seed ^ TRACE_STREAM);
    this.faults = new FaultPlan(seededRandom(seed));
    this.state = new SimState(this.settingsInForce, () => this.clock);
    this.log = new RequestLog(() => this.settingsInForce.requestLogLimit);
    const ctx: RouteContext = {
      state: this.state,
      settings: this.settingsInForce,
      limiter: new RateLimiter(() => this.settingsInForce),
      now: () => this.clock(),
      traceId: () => traceIdFrom(this.traceRandom),
      baseUrl: () => this.url,
    };
    this.qlik = new QlikHandler({ ctx, log: this.log, faults: this.faults, delays: this.delays });
    for (const c of clients ?? []) this.state.addClient(c);
    for (const t of tenants ?? []) this.state.addTenant(t);
    this.faults.set(faults ?? []);

    this.server = createServer((req, res) => this.serve(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const isControl = (req.url ?? '').startsWith(CONTROL_PREFIX);
    const done = isControl ? handleControl(this, req, res) : this.qlik.handle(req, res);
    done.catch(() => res.destroy());
  }

  /** The injected clock's current time (for the control API's health answer). */
  now(): number {
    return this.clock();
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${hostPart}:${address.port}`;
    this.registerUrlTemplate = `${this.url}/register/{region}`;
    this.tenantUrlTemplate = `${this.url}/tenant/{hostname}`;
  }

  addClient(client: SimClient): void {
    this.state.addClient(validateClient(client));
  }

  addTenant(tenant: SimTenantSeed): void {
    this.state.addTenant(validateTenant(tenant));
  }

  tenant(id: string): SimTenantView | undefined {
    return this.state.view(id);
  }

  requests(since?: number): RequestLogEntry[] {
    return this.log.list(since);
  }

  clearRequests(): void {
    this.log.clear();
  }

  setFaults(rules: FaultRule[]): void {
    this.faults.set(validateFaults(rules));
  }

  configure(patch: Partial<SimulatorOptions>): void {
    const { port, host, clients, tenants, faults, ...behaviour } = patch;
    if (port !== undefined) throw new SimulatorInputError('port', 'cannot be changed while running');
    if (host !== undefined) throw new SimulatorInputError('host', 'cannot be changed while running');
    // Check everything before changing anything, so a bad patch leaves the simulator as it was.
    validateBehaviour(behaviour);
    if (clients) validateClients(clients);
    if (tenants) validateTenants(tenants);
    if (faults) validateFaults(faults);

    const oldSeed = this.settingsInForce.seed;
    applyBehaviour(this.settingsInForce, behaviour);
    if (behaviour.now) this.clock = behaviour.now;
    if (this.settingsInForce.seed !== oldSeed) {
      this.traceRandom = seededRandom(this.settingsInForce.seed ^ TRACE_STREAM);
      this.faults.reseed(seededRandom(this.settingsInForce.seed));
    }
    for (const c of clients ?? []) this.state.addClient(c);
    for (const t of tenants ?? []) this.state.addTenant(t);
    if (faults) this.faults.set(faults);
  }

  settings(): SimulatorSettings {
    return { ...this.settingsInForce };
  }

  setExternalStatus(tenantId: string, status: SimTenantStatus, options: ExternalStatusOptions = {}): void {
    this.state.setExternalStatus(tenantId, status, options.purgeAfterDays);
  }

  async close(): Promise<void> {
    this.delays.cancelAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // server.close() only stops accepting: keep-alive connections would hold the process open.
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/**
 * Starts a simulator on a loopback port (a free one by default). Options are checked first; a bad one
 * throws a `SimulatorInputError` naming it.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  validateOptions(options);
  const sim = new RunningSimulator(options);
  await sim.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return sim;
}
