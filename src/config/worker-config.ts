/**
 * The worker's configuration, read once from the environment (CONTRACT.md, "Worker configuration") and validated
 * as a whole: every missing or malformed value is reported, not just the first. Nothing else reads `process.env`.
 */
import { readFileSync } from 'node:fs';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { taskQueueFrom } from './task-queue';
import { deploymentVersionFrom } from './deployment-version';
import { isDnsName, isRegionCode } from '../shared/contract';
import { parseDuration } from './duration';
import { showDuration } from '../shared/show-duration';
import { isLoopbackTemplate } from '../qlik/url-template';
import { checkEndpointUrl, checkUrlTemplate } from './url-template';
import type { RegionCredentials } from '../qlik/types';

/** Timing settings, read by each workflow once (through a local activity) so that replays are stable. */
export interface OffboardingTimings {
  verifyTimeoutMs: number;
  probeInitialIntervalMs: number;
  probeMaxIntervalMs: number;
  purgeOverdueAfterMs: number;
  /** Length of one Qlik day; only a simulator shortens it (`OFFBOARD_DAY_LENGTH`). Used for computed purge dates. */
  dayMs: number;
  /**
   * ("[4 of 4]") How often the tenant is probed during the grace period (`OFFBOARD_GRACE_PROBE_INTERVAL`), jittered
   * per workflow; absent when `off`. Absent too in the settings that runs recorded before grace probes existed: they
   * sleep to the purge date as they always did, and replay unchanged.
   */
  graceProbeIntervalMs?: number;
}

/**
 * The four-eyes policy (`OFFBOARD_APPROVAL`, `OFFBOARD_APPROVAL_TIMEOUT`; CONTRACT v3, "[4 of 4]"): with `required`,
 * every offboarding that is not a dry run waits in `awaiting-approval` before its first state-changing call, until
 * someone other than its requester approves it, for at most `timeoutMs`. Recorded in each run's settings.
 */
export interface ApprovalPolicy {
  mode: 'off' | 'required';
  timeoutMs: number;
}

export const APPROVAL_MODES = ['off', 'required'] as const;

/** `OFFBOARD_MAX_CACHED_WORKFLOWS` when unset. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 50;

export interface WorkerConfig {
  taskQueue: string;
  regions: string[];
  credentials: Record<string, RegionCredentials>;
  registerUrlTemplate: string;
  tenantUrlTemplate: string;
  registerCallsPerMinute: number;
  /** Workflows kept in the worker's cache; sleeping ones beyond it are evicted and replayed when they wake. */
  maxCachedWorkflows: number;
  allowedHostnameSuffixes: string[];
  protectedTenants: string[];
  timings: OffboardingTimings;
  approval: ApprovalPolicy;
  webhook?: { url: string; secret: string };
  metricsAddress?: string;
  logFormat: 'text' | 'json';
  uiUrl: string;
  /** This build's Worker Deployment Version (`OFFBOARD_DEPLOYMENT_NAME`, `OFFBOARD_BUILD_ID`); absent: unversioned. */
  deploymentVersion?: WorkerDeploymentVersion;
  /** When runs continue as new (not from the environment: the default suits every deployment; tests lower it). */
  historyBounds?: { events: number; bytes: number };
}

/** Thrown with every problem found, one per line, naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid worker configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const DEFAULT_REGIONS = ['us', 'eu', 'ap', 'sg', 'de', 'uk', 'jp'];
const REAL_DAY_MS = 86_400_000;

/**
 * The shortest probe intervals allowed for a day of `dayMs` (CONTRACT v3, issue 10 item 5): 1 s and 5 min per real
 * day, scaled with `OFFBOARD_DAY_LENGTH`, never below 10 ms. With real days a 90-day run can then neither hammer a
 * tenant host nor probe its way toward Temporal's history limits; a simulator's short day keeps short intervals.
 */
export function probeIntervalMinimums(dayMs: number): { initialMs: number; maxMs: number } {
  const scaled = (perRealDayMs: number) => Math.max(10, Math.ceil((perRealDayMs * dayMs) / REAL_DAY_MS));
  return { initialMs: scaled(1_000), maxMs: scaled(5 * 60_000) };
}

/**
 * The shortest grace-probe interval allowed for a day of `dayMs`: an hour per real day, scaled with
 * `OFFBOARD_DAY_LENGTH`, never below 10 ms. Each grace probe costs a 90-day run about six history events; hourly
 * probes of a 90-day grace period are already 2,160 of them (about 13,000 events, a few continue-as-new), and a
 * tenant host probed more often than that learns nothing new: a reactivation noticed within an hour is soon enough.
 */
export function graceProbeIntervalMinimum(dayMs: number): number {
  return Math.max(10, Math.ceil((3_600_000 * dayMs) / REAL_DAY_MS));
}

type Env = Record<string, string | undefined>;

/** Reads the environment; collects problems instead of throwing at the first. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  /** A value given directly or through its `_FILE` form (container secrets); never both. */
  secretOrValue(name: string): string | undefined {
    const direct = this.env[name];
    const file = this.env[`${name}_FILE`];
    if (direct !== undefined && file !== undefined) {
      this.problems.push(`${name} and ${name}_FILE are both set: set only one`);
      return undefined;
    }
    if (file !== undefined) {
      try {
        const value = readFileSync(file, 'utf8').trim();
        if (value === '') this.problems.push(`${name}_FILE: the file ${file} is empty`);
        return value || undefined;
      } catch (error) {
        this.problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        return undefined;
      }
    }
    if (direct !== undefined && direct.trim() === '') {
      this.problems.push(`${name} is set but empty`);
      return undefined;
    }
    return direct?.trim();
  }

  text(name: string, fallback: string): string {
    const value = this.env[name]?.trim();
    return value ? value : fallback;
  }

  list(name: string, fallback: string[]): string[] {
    const value = this.env[name];
    if (value === undefined || value.trim() === '') return fallback;
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  duration(name: string, fallback: string): number {
    const text = this.text(name, fallback);
    const value = parseDuration(text);
    if (value === undefined) {
      this.problems.push(`${name}: "${text}" is not a duration such as 500ms, 5s, 1h or 14d`);
      return parseDuration(fallback)!;
    }
    return value;
  }

  positiveNumber(name: string, fallback: number): number {
    const text = this.env[name]?.trim();
    if (!text) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) {
      this.problems.push(`${name}: "${text}" is not a positive number`);
      return fallback;
    }
    return value;
  }
}

function readCredentials(reader: EnvReader, regions: string[]): Record<string, RegionCredentials> {
  const shared = {
    clientId: reader.secretOrValue('QLIK_CLIENT_ID'),
    clientSecret: reader.secretOrValue('QLIK_CLIENT_SECRET'),
  };
  if ((shared.clientId === undefined) !== (shared.clientSecret === undefined)) {
    reader.problems.push('QLIK_CLIENT_ID and QLIK_CLIENT_SECRET must be set together');
  }
  const credentials: Record<string, RegionCredentials> = {};
  for (const region of regions) {
    const prefix = `QLIK_${region.toUpperCase()}_`;
    const clientId = reader.secretOrValue(`${prefix}CLIENT_ID`) ?? shared.clientId;
    const clientSecret = reader.secretOrValue(`${prefix}CLIENT_SECRET`) ?? shared.clientSecret;
    if (clientId && clientSecret) credentials[region] = { clientId, clientSecret };
    else
      reader.problems.push(
        `region ${region}: no client (set ${prefix}CLIENT_ID and ${prefix}CLIENT_SECRET, or QLIK_CLIENT_ID and QLIK_CLIENT_SECRET)`,
      );
  }
  return credentials;
}

/** Regions with their own credentials, plus the default set when a shared client is configured. */
function impliedRegions(env: Env): string[] {
  const regions = new Set<string>();
  for (const name of Object.keys(env)) {
    const match = /^QLIK_([A-Z]+)_CLIENT_ID(_FILE)?$/.exec(name);
    if (match && match[1] !== 'CLIENT') regions.add(match[1]!.toLowerCase());
  }
  if (env.QLIK_CLIENT_ID !== undefined || env.QLIK_CLIENT_ID_FILE !== undefined)
    DEFAULT_REGIONS.forEach((r) => regions.add(r));
  return [...regions].sort();
}

/**
 * `OFFBOARD_GRACE_PROBE_INTERVAL`: a duration of at least {@link graceProbeIntervalMinimum}, or `off` (undefined).
 * Default `1d`: a real day, whatever `OFFBOARD_DAY_LENGTH` says (like every other duration of the configuration; a
 * simulator with a shortened day sets it explicitly).
 */
function readGraceProbeInterval(reader: EnvReader, dayMs: number): number | undefined {
  const name = 'OFFBOARD_GRACE_PROBE_INTERVAL';
  const text = reader.text(name, '1d');
  if (text.toLowerCase() === 'off') return undefined;
  const value = parseDuration(text);
  if (value === undefined) {
    reader.problems.push(`${name}: "${text}" is neither a duration such as 12h or 1d nor off`);
    return undefined;
  }
  const minimum = graceProbeIntervalMinimum(dayMs);
  if (value < minimum) {
    reader.problems.push(
      `${name}: "${text}" is below the minimum of ${showDuration(minimum)} (1h per real day of ` +
        `OFFBOARD_DAY_LENGTH=${showDuration(dayMs)}, at least 10ms): every grace probe adds history events to a ` +
        '90-day run and a request to the tenant host; set off to turn the probes off',
    );
  }
  return value;
}

/** Reads and validates the whole worker configuration; throws {@link ConfigError} listing every problem. */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const reader = new EnvReader(env);
  const regions = reader.list('QLIK_REGIONS', impliedRegions(env));
  if (regions.length === 0) {
    reader.problems.push(
      'no region configured: set QLIK_CLIENT_ID/QLIK_CLIENT_SECRET, per-region credentials, or QLIK_REGIONS',
    );
  }
  for (const region of regions) {
    if (!isRegionCode(region)) reader.problems.push(`QLIK_REGIONS: "${region}" is not a lower-case region code`);
  }
  const credentials = readCredentials(reader, regions);

  const registerUrlTemplate = reader.text('QLIK_REGISTER_URL_TEMPLATE', 'https://register.{region}.qlikcloud.com');
  const tenantUrlTemplate = reader.text('QLIK_TENANT_URL_TEMPLATE', 'https://{hostname}');
  for (const problem of [
    checkUrlTemplate('QLIK_REGISTER_URL_TEMPLATE', registerUrlTemplate, 'region'),
    checkUrlTemplate('QLIK_TENANT_URL_TEMPLATE', tenantUrlTemplate, 'hostname'),
  ]) {
    if (problem) reader.problems.push(problem);
  }

  const allowedHostnameSuffixes = reader.list('OFFBOARD_ALLOWED_HOSTNAME_SUFFIXES', ['.qlikcloud.com']);
  for (const suffix of allowedHostnameSuffixes) {
    if (!isDnsName(suffix.replace(/^\./, '').toLowerCase()) && !/^[a-z0-9-]+$/i.test(suffix.replace(/^\./, ''))) {
      reader.problems.push(
        `OFFBOARD_ALLOWED_HOSTNAME_SUFFIXES: "${suffix}" is not a DNS suffix such as .qlikcloud.com`,
      );
    }
  }

  const timings: OffboardingTimings = {
    verifyTimeoutMs: reader.duration('OFFBOARD_VERIFY_TIMEOUT', '1h'),
    probeInitialIntervalMs: reader.duration('OFFBOARD_PROBE_INITIAL_INTERVAL', '5s'),
    probeMaxIntervalMs: reader.duration('OFFBOARD_PROBE_MAX_INTERVAL', '1h'),
    purgeOverdueAfterMs: reader.duration('OFFBOARD_PURGE_OVERDUE_AFTER', '14d'),
    dayMs: reader.duration('OFFBOARD_DAY_LENGTH', '1d'),
  };
  if (timings.probeMaxIntervalMs < timings.probeInitialIntervalMs) {
    reader.problems.push('OFFBOARD_PROBE_MAX_INTERVAL must not be shorter than OFFBOARD_PROBE_INITIAL_INTERVAL');
  }
  // Only a value other than one real day needs the stand-in: `1d` set explicitly changes nothing, so it is accepted.
  const dayRefused =
    timings.dayMs !== REAL_DAY_MS &&
    !(isLoopbackTemplate(registerUrlTemplate, 'region') && isLoopbackTemplate(tenantUrlTemplate, 'hostname'));
  if (dayRefused) {
    reader.problems.push(
      `OFFBOARD_DAY_LENGTH: "${reader.text('OFFBOARD_DAY_LENGTH', '1d')}" changes the length of a day, which only a ` +
        'local simulator may do: it is refused unless both QLIK_REGISTER_URL_TEMPLATE and QLIK_TENANT_URL_TEMPLATE ' +
        'have a loopback host (127.0.0.0/8, localhost, [::1]); against Qlik Cloud unset it (or set 1d)',
    );
  }
  // A refused day length does not lower the minimums: the intervals are judged as they would run, with real days.
  const effectiveDayMs = dayRefused ? REAL_DAY_MS : timings.dayMs;
  const minimums = probeIntervalMinimums(effectiveDayMs);
  const day = `OFFBOARD_DAY_LENGTH=${showDuration(effectiveDayMs)}`;
  for (const [name, value, minimum, per] of [
    ['OFFBOARD_PROBE_INITIAL_INTERVAL', timings.probeInitialIntervalMs, minimums.initialMs, '1s'],
    ['OFFBOARD_PROBE_MAX_INTERVAL', timings.probeMaxIntervalMs, minimums.maxMs, '5m'],
  ] as const) {
    if (value < minimum) {
      reader.problems.push(
        `${name}: "${reader.text(name, '')}" is below the minimum of ${showDuration(minimum)} ` +
          `(${per} per real day of ${day}, at least 10ms): shorter intervals would flood the tenant host and grow a ` +
          "90-day run's history toward Temporal's limits",
      );
    }
  }

  const approvalMode = reader.text('OFFBOARD_APPROVAL', 'off');
  if (!(APPROVAL_MODES as readonly string[]).includes(approvalMode)) {
    reader.problems.push(
      `OFFBOARD_APPROVAL: "${approvalMode}" is not off or required (required: every offboarding that is not a dry ` +
        'run waits for an approval by someone other than its requestedBy before anything is changed; default off)',
    );
  }
  const approval: ApprovalPolicy = {
    mode: approvalMode === 'required' ? 'required' : 'off',
    timeoutMs: reader.duration('OFFBOARD_APPROVAL_TIMEOUT', '7d'),
  };
  const graceProbeIntervalMs = readGraceProbeInterval(reader, effectiveDayMs);
  if (graceProbeIntervalMs !== undefined) timings.graceProbeIntervalMs = graceProbeIntervalMs;

  const webhookUrl = reader.text('REPORT_WEBHOOK_URL', '');
  const webhookSecret = reader.secretOrValue('REPORT_WEBHOOK_SECRET');
  let webhook: WorkerConfig['webhook'];
  if (webhookUrl) {
    const problem = checkEndpointUrl('REPORT_WEBHOOK_URL', webhookUrl);
    if (problem) reader.problems.push(problem);
    if (!webhookSecret)
      reader.problems.push('REPORT_WEBHOOK_SECRET is required when REPORT_WEBHOOK_URL is set (reports are signed)');
    webhook = { url: webhookUrl, secret: webhookSecret ?? '' };
  }

  const metricsAddress = reader.text('OFFBOARD_METRICS_ADDRESS', '') || undefined;
  if (metricsAddress && !/^[^\s:]+:\d{1,5}$/.test(metricsAddress)) {
    reader.problems.push(`OFFBOARD_METRICS_ADDRESS: "${metricsAddress}" is not host:port`);
  }
  const logFormat = reader.text('LOG_FORMAT', 'text');
  if (logFormat !== 'text' && logFormat !== 'json')
    reader.problems.push(`LOG_FORMAT: "${logFormat}" is not text or json`);

  const deployment = deploymentVersionFrom(env);
  reader.problems.push(...deployment.problems);

  const config: WorkerConfig = {
    taskQueue: taskQueueFrom(env),
    regions,
    credentials,
    registerUrlTemplate,
    tenantUrlTemplate,
    registerCallsPerMinute: reader.positiveNumber('QLIK_REGISTER_CALLS_PER_MINUTE', 90),
    // Sleeping offboardings gain nothing from the cache (evicted, one costs a replay of ~40 events when it wakes): 50
    // keeps a worker under 300 MB with 10,000 asleep, with the heap cap of bin/qlik-offboard-worker.
    maxCachedWorkflows: Math.floor(
      reader.positiveNumber('OFFBOARD_MAX_CACHED_WORKFLOWS', DEFAULT_MAX_CACHED_WORKFLOWS),
    ),
    allowedHostnameSuffixes,
    protectedTenants: reader.list('OFFBOARD_PROTECTED_TENANTS', []),
    timings,
    approval,
    webhook,
    metricsAddress,
    logFormat: logFormat === 'json' ? 'json' : 'text',
    uiUrl: reader.text('TEMPORAL_UI_URL', 'http://localhost:8233').replace(/\/+$/, ''),
    deploymentVersion: deployment.version,
  };
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
