/**
 * A local Qlik Cloud stand-in for the demo, tests and benchmarks: a real HTTP server on loopback that
 * answers like Qlik's registration endpoints and tenant hosts, failure modes included.
 *
 * ```ts
 * const sim = await startSimulator({ dayMs: 1000, clients: [...], tenants: [...] });
 * // point the Qlik client at sim.registerUrlTemplate and sim.tenantUrlTemplate
 * sim.requests(); // what it received
 * await sim.close();
 * ```
 */
export { startSimulator } from './server';
export { createManualClock, type Clock, type ManualClock } from './clock';
export {
  SimulatorControl,
  SimulatorControlError,
  type RemoteConfigPatch,
  type SimulatorHealth,
} from './control-client';
export { DEFAULT_SETTINGS } from './options';
export { SimulatorInputError } from './validate';
export type { TokenResponse } from './token-route';
export type {
  ExternalStatusOptions,
  FaultKind,
  FaultRule,
  FaultStep,
  LoggedRoute,
  RequestLogEntry,
  RouteName,
  SimClient,
  Simulator,
  SimulatorBehaviour,
  SimulatorOptions,
  SimulatorSettings,
  SimTenantSeed,
  SimTenantStatus,
  SimTenantView,
} from './types';
