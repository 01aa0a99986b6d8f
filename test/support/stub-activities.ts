/**
 * Scripted activities for workflow tests on the time-skipping server, where activities and a real-clock simulator
 * would not see the skipped time. Each stub records its calls; dates come from the server's (skipped) clock through
 * `activityInfo().currentAttemptScheduledTimestampMs`.
 */
import { activityInfo, ApplicationFailure, heartbeat, sleep } from '@temporalio/activity';
import type { OffboardingActivities } from '../../src/activities';
import type {
  AwaitDeactivatedResult,
  ConfirmPurgeResult,
  ProbeAnswer,
  ReactivationRoundInput,
  ReactivationRoundResult,
  WorkerSettings,
} from '../../src/activities/types';

const DAY_MS = 86_400_000;

export function stubSettings(taskQueue: string, overrides: Partial<WorkerSettings['timings']> = {}): WorkerSettings {
  return {
    policy: { allowedHostnameSuffixes: ['.qlikcloud.com'], protectedTenants: ['keep-me'], regions: ['eu', 'us'] },
    timings: {
      verifyTimeoutMs: 3_600_000,
      probeInitialIntervalMs: 5_000,
      probeMaxIntervalMs: 3_600_000,
      purgeOverdueAfterMs: 14 * DAY_MS,
      dayMs: DAY_MS,
      ...overrides,
    },
    registerTaskQueues: { eu: `${taskQueue}-register-eu`, us: `${taskQueue}-register-us` },
    reportWebhook: false,
    rulesVersion: 3,
    historyBounds: { events: 4_000, bytes: 4 * 1024 * 1024 },
  };
}

export interface StubScript {
  settings: WorkerSettings;
  /** Deactivate: the answer, or an error to throw per attempt. */
  deactivate?: (attempt: number) => Promise<{ estimatedPurgeDate?: string; status?: string }>;
  reactivate?: (attempt: number) => Promise<{ status?: string }>;
  probe?: () => ProbeAnswer;
  awaitDeactivated?: () => Promise<AwaitDeactivatedResult>;
  confirmPurge?: (purgeDateMs: number) => Promise<ConfirmPurgeResult>;
}

export type Calls = Record<string, number>;

/** Now on the server's clock (skipped time included). */
export function serverNow(): number {
  return activityInfo().currentAttemptScheduledTimestampMs;
}

/** A deactivate answer like Qlik's, `days` after now on the server's clock. */
export function qlikAnswer(days: number): { status: string; estimatedPurgeDate: string } {
  return { status: 'disabled', estimatedPurgeDate: new Date(serverNow() + days * DAY_MS).toISOString() };
}

export function nonRetryable(type: string, attempt = 1): ApplicationFailure {
  return ApplicationFailure.create({ type, message: `${type} (stub)`, nonRetryable: true, details: [{ attempt }] });
}

/** Waits until the workflow cancels this activity (heartbeating so the cancellation reaches it). */
export async function untilCancelled(): Promise<never> {
  for (;;) {
    heartbeat();
    await sleep(200);
  }
}

export function stubActivities(script: StubScript): { activities: OffboardingActivities; calls: Calls } {
  const calls: Calls = {};
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  const activities = {
    async readWorkerSettings() {
      count('readWorkerSettings');
      return script.settings;
    },
    async ensureToken() {
      count('ensureToken');
      return { expiresAt: new Date(serverNow() + 6 * 3_600_000).toISOString() };
    },
    async deactivateTenant() {
      count('deactivateTenant');
      return script.deactivate ? script.deactivate(activityInfo().attempt) : qlikAnswer(30);
    },
    async reactivateTenant() {
      count('reactivateTenant');
      return script.reactivate ? script.reactivate(activityInfo().attempt) : { status: 'active' };
    },
    /** Like the real round (src/activities/reactivation.ts), on the scripted reactivate and probe answers. */
    async reactivateRound(input: ReactivationRoundInput): Promise<ReactivationRoundResult> {
      count('reactivateRound');
      count('reactivateTenant');
      const at = () => new Date(serverNow()).toISOString();
      try {
        await (script.reactivate ? script.reactivate(activityInfo().attempt) : Promise.resolve({ status: 'active' }));
        return { outcome: 'reactivated', at: at(), seenDeactivated: input.seenDeactivated };
      } catch (error) {
        const lastError = { type: (error as ApplicationFailure).type ?? 'Error', message: String(error) };
        count('probeTenant');
        const answer = script.probe ? script.probe() : ({ state: 'deactivated' } as ProbeAnswer);
        const seenDeactivated = input.seenDeactivated || answer.state === 'deactivated';
        if (answer.state === 'purged') return { outcome: 'purged', at: at(), seenDeactivated };
        if (answer.state === 'active' && (seenDeactivated || serverNow() >= input.activeCountsFromMs)) {
          return { outcome: 'active', at: at(), lastError, seenDeactivated };
        }
        if (serverNow() >= input.roundEndsAtMs) return { outcome: 'pending', lastError, seenDeactivated };
        throw ApplicationFailure.retryable(lastError.message, 'ReactivationPending');
      }
    },
    async probeTenant() {
      count('probeTenant');
      return script.probe ? script.probe() : { state: 'deactivated', httpStatus: 401, code: 'TENANT_DEACTIVATED' };
    },
    async awaitDeactivated() {
      count('awaitDeactivated');
      if (script.awaitDeactivated) return script.awaitDeactivated();
      return {
        observed: true,
        at: new Date(serverNow()).toISOString(),
        last: { state: 'deactivated', httpStatus: 401, code: 'TENANT_DEACTIVATED' },
      } satisfies AwaitDeactivatedResult;
    },
    async confirmPurge(input: { purgeDateMs: number }) {
      count('confirmPurge');
      if (script.confirmPurge) return script.confirmPurge(input.purgeDateMs);
      return {
        outcome: 'purged',
        at: new Date(Math.max(serverNow(), input.purgeDateMs) + 5_000).toISOString(),
        last: { state: 'purged', httpStatus: 401, code: 'LOGIN-2' },
      } satisfies ConfirmPurgeResult;
    },
    /** No earlier run (the time-skipping server has no visibility worth asking): a new offboarding may start. */
    async latestEarlierRun() {
      count('latestEarlierRun');
      return undefined;
    },
  } as unknown as OffboardingActivities;
  return { activities, calls };
}
