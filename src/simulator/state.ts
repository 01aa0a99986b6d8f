/**
 * What the simulated Qlik Cloud knows: OAuth clients, tenants and issued access tokens, and the rules
 * by which a tenant moves between active, disabled and deleted. No timers: a disabled tenant is purged
 * lazily, whenever it is looked at after its purge date (+ lag), so an injected clock can jump ahead.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock';
import { SimulatorInputError } from './validate';
import type { SimClient, SimTenantSeed, SimTenantStatus, SimTenantView, SimulatorSettings } from './types';

/** A tenant as stored; times are epoch ms. */
export interface TenantRecord {
  id: string;
  name: string;
  hostnames: string[];
  region: string;
  status: SimTenantStatus;
  created: number;
  lastUpdated: number;
  statusLastUpdatedAt: number;
  /** The estimatedPurgeDate of the last deactivation (kept internally even when the answer omits it). */
  purgeAt?: number;
  /** From this time on the tenant host shows the deactivation (deactivation + propagation delay). */
  disabledVisibleAt?: number;
  deactivatedAt?: number;
  reactivatedAt?: number;
  purgedAt?: number;
  deactivateCount: number;
  reactivateCount: number;
  /** The tenant's own propagation delay, when it has one (else the setting's). */
  propagationDelayMs?: number;
  /** The estimatedPurgeDate deactivate answers for this tenant instead of the real one. */
  purgeDateAnswer?: string;
}

/** An issued access token. */
export interface TokenRecord {
  clientId: string;
  region: string;
  expiresAt: number;
}

const DEFAULT_PURGE_AFTER_DAYS = 30;
const TOKEN_PRUNE_EVERY = 1000;

/** The given times as ISO strings, leaving out those not set. */
function isoDates<K extends string>(times: Record<K, number | undefined>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of Object.keys(times) as K[]) {
    const ms = times[key];
    if (ms !== undefined) out[key] = new Date(ms).toISOString();
  }
  return out;
}

/** Clients, tenants and tokens, with the lifecycle transitions Qlik applies to them. */
export class SimState {
  private readonly clients = new Map<string, SimClient>();
  private readonly tenants = new Map<string, TenantRecord>();
  /** Lower-cased hostname → tenant ID. */
  private readonly hostIndex = new Map<string, string>();
  private readonly tokens = new Map<string, TokenRecord>();
  private issued = 0;

  constructor(
    private readonly settings: SimulatorSettings,
    private readonly clock: () => Clock,
  ) {}

  private now(): number {
    return this.clock()();
  }

  /** Adds a client, or replaces the one with the same ID (e.g. to disable it). */
  addClient(client: SimClient): void {
    this.clients.set(client.clientId, { ...client });
  }

  /** The client with this ID, whatever its region. */
  client(clientId: string): SimClient | undefined {
    return this.clients.get(clientId);
  }

  /** Adds a tenant, or replaces the one with the same ID. */
  addTenant(seed: SimTenantSeed): void {
    const now = this.now();
    const old = this.tenants.get(seed.id);
    if (old) for (const h of old.hostnames) this.hostIndex.delete(h.toLowerCase());
    const status = seed.status ?? 'active';
    const record: TenantRecord = {
      id: seed.id,
      name: seed.name ?? seed.hostnames[0].split('.')[0],
      hostnames: [...seed.hostnames],
      region: seed.region,
      status,
      created: now,
      lastUpdated: now,
      statusLastUpdatedAt: now,
      deactivateCount: 0,
      reactivateCount: 0,
    };
    if (seed.propagationDelayMs !== undefined) record.propagationDelayMs = seed.propagationDelayMs;
    if (seed.purgeDateAnswer !== undefined) record.purgeDateAnswer = seed.purgeDateAnswer;
    if (status === 'disabled') {
      record.deactivatedAt = now;
      record.disabledVisibleAt = now;
      record.purgeAt =
        seed.estimatedPurgeDate !== undefined
          ? Date.parse(seed.estimatedPurgeDate)
          : now + DEFAULT_PURGE_AFTER_DAYS * this.settings.dayMs;
    }
    if (status === 'deleted') record.purgedAt = now;
    this.tenants.set(seed.id, record);
    for (const h of seed.hostnames) this.hostIndex.set(h.toLowerCase(), seed.id);
  }

  /** The tenant with this ID, its purge brought up to date. */
  tenant(id: string): TenantRecord | undefined {
    const t = this.tenants.get(id);
    if (t) this.settle(t);
    return t;
  }

  /** The tenant a hostname maps to (case-insensitive), its purge brought up to date. */
  tenantByHostname(hostname: string): TenantRecord | undefined {
    const id = this.hostIndex.get(hostname.toLowerCase());
    return id === undefined ? undefined : this.tenant(id);
  }

  /** A disabled tenant whose purge date (+ lag) has passed is deleted now, backdated to when it happened. */
  private settle(t: TenantRecord): void {
    if (t.status !== 'disabled' || t.purgeAt === undefined) return;
    const purgeTime = t.purgeAt + this.settings.purgeLagMs;
    if (this.now() < purgeTime) return;
    t.status = 'deleted';
    t.purgedAt = purgeTime;
    t.statusLastUpdatedAt = purgeTime;
    t.lastUpdated = purgeTime;
  }

  /** Past its purge date the tenant can no longer be reactivated, even if the purge itself lags. */
  isGone(t: TenantRecord): boolean {
    return t.status === 'deleted' || (t.purgeAt !== undefined && t.status === 'disabled' && this.now() >= t.purgeAt);
  }

  /** Whether the tenant host shows the tenant as deactivated yet (deactivation may take a while to propagate). */
  hostSeesDisabled(t: TenantRecord): boolean {
    return t.status === 'disabled' && this.now() >= (t.disabledVisibleAt ?? 0);
  }

  /** Disables the tenant (or resets its countdown) and returns the new purge date in epoch ms. */
  deactivate(t: TenantRecord, purgeAfterDays: number): number {
    const now = this.now();
    if (t.status === 'active') {
      t.status = 'disabled';
      t.statusLastUpdatedAt = now;
      t.deactivatedAt = now;
      t.disabledVisibleAt = now + (t.propagationDelayMs ?? this.settings.propagationDelayMs);
    }
    // A repeat deactivate restarts the countdown from now: the last answer's date is the one that counts.
    t.purgeAt = now + purgeAfterDays * this.settings.dayMs;
    t.lastUpdated = now;
    t.deactivateCount++;
    return t.purgeAt;
  }

  /** Makes a disabled tenant active again. */
  reactivate(t: TenantRecord): void {
    const now = this.now();
    t.status = 'active';
    t.statusLastUpdatedAt = now;
    t.lastUpdated = now;
    t.reactivatedAt = now;
    t.purgeAt = undefined;
    t.disabledVisibleAt = undefined;
    t.reactivateCount++;
  }

  /**
   * A change made outside the API under test (another admin, Qlik support): takes effect at once,
   * with no propagation delay, and is not counted as an API deactivation or reactivation.
   */
  setExternalStatus(id: string, status: SimTenantStatus, purgeAfterDays = DEFAULT_PURGE_AFTER_DAYS): void {
    const t = this.tenant(id);
    if (!t) throw new SimulatorInputError('tenantId', `no tenant ${id}`);
    const now = this.now();
    t.status = status;
    t.statusLastUpdatedAt = now;
    t.lastUpdated = now;
    if (status === 'active') {
      t.reactivatedAt = now;
      t.purgeAt = undefined;
      t.disabledVisibleAt = undefined;
    } else if (status === 'disabled') {
      t.deactivatedAt = now;
      t.disabledVisibleAt = now;
      t.purgeAt = now + purgeAfterDays * this.settings.dayMs;
    } else {
      t.purgedAt = now;
    }
  }

  /** A copy of the tenant's state for assertions. */
  view(id: string): SimTenantView | undefined {
    const t = this.tenant(id);
    if (!t) return undefined;
    return {
      id: t.id,
      name: t.name,
      hostnames: [...t.hostnames],
      region: t.region,
      status: t.status,
      statusLastUpdatedAt: new Date(t.statusLastUpdatedAt).toISOString(),
      deactivateCount: t.deactivateCount,
      reactivateCount: t.reactivateCount,
      ...isoDates({
        estimatedPurgeDate: t.purgeAt,
        deactivatedAt: t.deactivatedAt,
        reactivatedAt: t.reactivatedAt,
        purgedAt: t.purgedAt,
      }),
    };
  }

  /** Issues an opaque access token for the client. */
  issueToken(client: SimClient): { token: string; expiresAt: number } {
    const now = this.now();
    if (++this.issued % TOKEN_PRUNE_EVERY === 0) {
      for (const [token, rec] of this.tokens) if (rec.expiresAt <= now) this.tokens.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    const expiresAt = now + this.settings.tokenLifetimeMs;
    this.tokens.set(token, { clientId: client.clientId, region: client.region, expiresAt });
    return { token, expiresAt };
  }

  /** The live token record, or undefined when unknown, expired, or its client is gone or disabled. */
  token(token: string): TokenRecord | undefined {
    const rec = this.tokens.get(token);
    if (!rec || this.now() >= rec.expiresAt) return undefined;
    const client = this.clients.get(rec.clientId);
    if (!client || client.disabled || client.region !== rec.region) return undefined;
    return rec;
  }
}
