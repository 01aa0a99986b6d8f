/**
 * Checks everything that reaches the simulator from outside — options, clients, tenants, fault rules —
 * whether it comes from code, the control API or a seed file, so a mistake is reported once, naming
 * the field, instead of surfacing later as an odd answer.
 */
import type {
  FaultKind,
  FaultRule,
  FaultStep,
  RouteName,
  SimClient,
  SimTenantSeed,
  SimTenantStatus,
  SimulatorBehaviour,
  SimulatorOptions,
} from './types';

/** A bad option, client, tenant or fault rule; `field` names it (e.g. `tenants[2].hostnames`). */
export class SimulatorInputError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'SimulatorInputError';
  }
}

/** The routes a fault rule may name. */
export const ROUTE_NAMES: readonly RouteName[] = ['token', 'deactivate', 'reactivate', 'getTenant', 'probe'];
/** The fault kinds a rule may inject. */
export const FAULT_KINDS: readonly FaultKind[] = [
  '429',
  '500',
  '502',
  '503',
  '400',
  '403',
  '404',
  '409',
  '412',
  'reset',
  'slow',
  'lost',
];
const STATUSES: readonly SimTenantStatus[] = ['active', 'disabled', 'deleted'];
const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

type Check = (value: unknown, field: string) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new SimulatorInputError(field, 'must be an object');
  return value;
}

/** A misspelt field would otherwise be ignored silently: refuse what is not known. */
function knownKeys(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new SimulatorInputError(`${field}.${key}`, 'unknown field');
  }
}

function nonEmptyString(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '')
    throw new SimulatorInputError(field, 'must be a non-empty string');
}

function boolean(value: unknown, field: string): void {
  if (typeof value !== 'boolean') throw new SimulatorInputError(field, 'must be true or false');
}

function number(min: number, opts: { integer?: boolean; max?: number; infinite?: boolean; above?: boolean } = {}) {
  return (value: unknown, field: string): void => {
    const ok =
      typeof value === 'number' &&
      !Number.isNaN(value) &&
      (opts.infinite ? value === Infinity || Number.isFinite(value) : Number.isFinite(value)) &&
      (opts.above ? value > min : value >= min) &&
      (opts.max === undefined || value <= opts.max) &&
      (!opts.integer || Number.isInteger(value));
    if (!ok) {
      const kind = opts.integer ? 'an integer' : 'a number';
      const range = `${opts.above ? '>' : '>='} ${min}${opts.max === undefined ? '' : ` and <= ${opts.max}`}`;
      throw new SimulatorInputError(field, `must be ${kind} ${range}${opts.infinite ? ' (or Infinity)' : ''}`);
    }
  };
}

function oneOf<T extends string>(allowed: readonly T[]) {
  return (value: unknown, field: string): void => {
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      throw new SimulatorInputError(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    }
  };
}

function isoDate(value: unknown, field: string): void {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new SimulatorInputError(field, 'must be an ISO-8601 date-time string');
  }
}

/** The checks for each behaviour option; also the list of option names the control API accepts. */
const BEHAVIOUR_CHECKS: Record<keyof SimulatorBehaviour, Check> = {
  dayMs: number(0, { above: true }),
  now: (value, field) => {
    if (typeof value !== 'function') throw new SimulatorInputError(field, 'must be a function returning epoch ms');
  },
  seed: number(-Number.MAX_SAFE_INTEGER, { integer: true }),
  tokenLifetimeMs: number(0, { above: true }),
  omitExpiresIn: boolean,
  purgeLagMs: number(0),
  propagationDelayMs: number(0),
  deactivatedCode: oneOf(['TENANT_DEACTIVATED', 'TENANT_DISABLED']),
  purgedAnswer: oneOf(['LOGIN-2', '404', 'reset']),
  omitPurgeDate: boolean,
  reactivateAnswer: oneOf(['empty', 'status']),
  reactivateWhenActive: oneOf(['ok', 'reject']),
  tier1PerMinute: number(0, { infinite: true }),
  tier2PerMinute: number(0, { infinite: true }),
  rateWindowMs: number(0, { above: true }),
  requestLogLimit: number(1, { integer: true }),
};

/** Names of the behaviour options, in documentation order. */
export const BEHAVIOUR_KEYS = Object.keys(BEHAVIOUR_CHECKS) as (keyof SimulatorBehaviour)[];

/** Checks a set of behaviour options (as given to `configure`); unknown names are refused. */
export function validateBehaviour(value: unknown, field = 'options'): SimulatorBehaviour {
  const patch = record(value, field);
  for (const [key, v] of Object.entries(patch)) {
    const check = BEHAVIOUR_CHECKS[key as keyof SimulatorBehaviour];
    if (!check) throw new SimulatorInputError(`${field}.${key}`, 'unknown option');
    if (v !== undefined) check(v, `${field}.${key}`);
  }
  return patch as SimulatorBehaviour;
}

/** Checks the options of `startSimulator`, including the loopback-only host. */
export function validateOptions(value: unknown, field = 'options'): SimulatorOptions {
  const { port, host, clients, tenants, faults, ...behaviour } = record(value, field);
  if (port !== undefined) number(0, { integer: true, max: 65535 })(port, `${field}.port`);
  if (host !== undefined && (typeof host !== 'string' || !LOOPBACK_HOSTS.includes(host))) {
    throw new SimulatorInputError(`${field}.host`, `must be a loopback address (${LOOPBACK_HOSTS.join(', ')})`);
  }
  if (clients !== undefined) validateClients(clients, `${field}.clients`);
  if (tenants !== undefined) validateTenants(tenants, `${field}.tenants`);
  if (faults !== undefined) validateFaults(faults, `${field}.faults`);
  validateBehaviour(behaviour, field);
  return value as SimulatorOptions;
}

/** Checks one OAuth client. */
export function validateClient(value: unknown, field = 'client'): SimClient {
  const c = record(value, field);
  knownKeys(c, ['region', 'clientId', 'clientSecret', 'disabled', 'oem'], field);
  nonEmptyString(c.region, `${field}.region`);
  nonEmptyString(c.clientId, `${field}.clientId`);
  nonEmptyString(c.clientSecret, `${field}.clientSecret`);
  if (c.disabled !== undefined) boolean(c.disabled, `${field}.disabled`);
  if (c.oem !== undefined) boolean(c.oem, `${field}.oem`);
  return c as unknown as SimClient;
}

/** Checks a list of OAuth clients. */
export function validateClients(value: unknown, field = 'clients'): SimClient[] {
  if (!Array.isArray(value)) throw new SimulatorInputError(field, 'must be an array');
  return value.map((c, i) => validateClient(c, `${field}[${i}]`));
}

/** Checks one tenant seed. */
export function validateTenant(value: unknown, field = 'tenant'): SimTenantSeed {
  const t = record(value, field);
  knownKeys(
    t,
    ['id', 'name', 'hostnames', 'region', 'status', 'estimatedPurgeDate', 'propagationDelayMs', 'purgeDateAnswer'],
    field,
  );
  nonEmptyString(t.id, `${field}.id`);
  if (t.name !== undefined && typeof t.name !== 'string')
    throw new SimulatorInputError(`${field}.name`, 'must be a string');
  if (!Array.isArray(t.hostnames) || t.hostnames.length === 0) {
    throw new SimulatorInputError(`${field}.hostnames`, 'must be a non-empty array of hostnames');
  }
  t.hostnames.forEach((h, i) => nonEmptyString(h, `${field}.hostnames[${i}]`));
  nonEmptyString(t.region, `${field}.region`);
  if (t.status !== undefined) oneOf(STATUSES)(t.status, `${field}.status`);
  if (t.estimatedPurgeDate !== undefined) isoDate(t.estimatedPurgeDate, `${field}.estimatedPurgeDate`);
  if (t.propagationDelayMs !== undefined) number(0)(t.propagationDelayMs, `${field}.propagationDelayMs`);
  // Deliberately not checked as a date: a malformed date is one of the answers it stands for.
  if (t.purgeDateAnswer !== undefined) nonEmptyString(t.purgeDateAnswer, `${field}.purgeDateAnswer`);
  return t as unknown as SimTenantSeed;
}

/** Checks a list of tenant seeds. */
export function validateTenants(value: unknown, field = 'tenants'): SimTenantSeed[] {
  if (!Array.isArray(value)) throw new SimulatorInputError(field, 'must be an array');
  return value.map((t, i) => validateTenant(t, `${field}[${i}]`));
}

/** Checks a tenant status. */
export function validateStatus(value: unknown, field = 'status'): SimTenantStatus {
  oneOf(STATUSES)(value, field);
  return value as SimTenantStatus;
}

function validateFaultParams(r: Record<string, unknown>, field: string): void {
  if (r.retryAfterS !== undefined) number(0, { integer: true })(r.retryAfterS, `${field}.retryAfterS`);
  if (r.delayMs !== undefined) number(0)(r.delayMs, `${field}.delayMs`);
}

function validateStep(value: unknown, field: string): FaultStep {
  if (typeof value === 'string') {
    oneOf<FaultKind | 'ok'>([...FAULT_KINDS, 'ok'])(value, field);
    return value as FaultStep;
  }
  const step = record(value, field);
  knownKeys(step, ['kind', 'retryAfterS', 'delayMs'], field);
  oneOf(FAULT_KINDS)(step.kind, `${field}.kind`);
  validateFaultParams(step, field);
  return step as FaultStep;
}

/** Checks one fault rule: exactly one of `kind` or `sequence`. */
export function validateFault(value: unknown, field = 'fault'): FaultRule {
  const r = record(value, field);
  const ruleKeys = [
    'route',
    'kind',
    'probability',
    'times',
    'sequence',
    'tenantId',
    'hostname',
    'region',
    'after',
    'retryAfterS',
    'delayMs',
  ];
  knownKeys(r, ruleKeys, field);
  oneOf<RouteName | '*'>([...ROUTE_NAMES, '*'])(r.route, `${field}.route`);
  if ((r.kind === undefined) === (r.sequence === undefined)) {
    throw new SimulatorInputError(field, 'give exactly one of kind (probabilistic) or sequence (scripted)');
  }
  if (r.kind !== undefined) oneOf(FAULT_KINDS)(r.kind, `${field}.kind`);
  if (r.sequence !== undefined) {
    if (!Array.isArray(r.sequence)) throw new SimulatorInputError(`${field}.sequence`, 'must be an array of steps');
    r.sequence.forEach((s, i) => validateStep(s, `${field}.sequence[${i}]`));
    if (r.probability !== undefined || r.times !== undefined) {
      throw new SimulatorInputError(field, 'probability and times apply to kind rules, not to sequences');
    }
  }
  if (r.probability !== undefined) number(0, { max: 1 })(r.probability, `${field}.probability`);
  if (r.times !== undefined) number(0, { integer: true })(r.times, `${field}.times`);
  if (r.tenantId !== undefined) nonEmptyString(r.tenantId, `${field}.tenantId`);
  if (r.hostname !== undefined) nonEmptyString(r.hostname, `${field}.hostname`);
  if (r.region !== undefined) nonEmptyString(r.region, `${field}.region`);
  if (r.after !== undefined) oneOf(ROUTE_NAMES)(r.after, `${field}.after`);
  validateFaultParams(r, field);
  return r as unknown as FaultRule;
}

/** Checks a list of fault rules. */
export function validateFaults(value: unknown, field = 'faults'): FaultRule[] {
  if (!Array.isArray(value)) throw new SimulatorInputError(field, 'must be an array');
  return value.map((r, i) => validateFault(r, `${field}[${i}]`));
}
