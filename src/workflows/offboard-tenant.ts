/**
 * `offboardTenant`: deletes one Qlik Cloud tenant the way Qlik's "Delete a tenant" tutorial describes, and watches
 * it through the grace period until the purge is confirmed (CONTRACT.md).
 *
 * The safety invariant shapes everything below: from the first deactivate attempt until the tenant is confirmed
 * purged or active again, this run stays open. The main flow therefore runs shielded from cancellation; a Temporal
 * cancellation request becomes a decision like `cancel`, carried out (reactivation included) before the run ends.
 */
import {
  type ActivityOptions,
  ActivityCancellationType,
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import type { CallFailureDetails, ProbeAnswer, ReactivationRoundResult, WorkerSettings } from '../activities/types';
import type { FailureType, OffboardingInput, OffboardingResult, OffboardingStatus } from '../shared/contract';
import { FAILURE_TYPES, QLIK_DEFAULT_PURGE_AFTER_DAYS, workflowIdFor } from '../shared/contract';
import { describeProblems, validateOffboardingInput } from '../shared/input';
import { checkPolicy } from '../shared/policy';
import { Decisions } from './decisions';
import { CANCELED_FAILURE_TYPE, LifecycleReports, reportsAreInline, workflowMetrics } from './lifecycle-reports';
import type { CarriedState } from './continuation';
import { implausiblePurgeDate } from './purge-date';
import { isoNow, OffboardingRecord } from './record';

/** Ends the run as Failed with the contract's type; carries the final status as `details[0]`. */
class OffboardingFailed extends Error {
  constructor(
    readonly type: FailureType,
    message: string,
    readonly details: CallFailureDetails | undefined = undefined,
  ) {
    super(message);
  }
}

const settingsActivity = proxyLocalActivities<OffboardingActivities>({
  startToCloseTimeout: '10s',
  summary: 'read the worker settings',
});

/** The token step only warms the worker's cache; the calls that need a token fetch one themselves. */
const tokenActivity = proxyLocalActivities<OffboardingActivities>({
  startToCloseTimeout: '40s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '20s' },
  summary: 'get an OAuth token for the region',
});

const probeActivity = proxyActivities<OffboardingActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  summary: 'probe the tenant host',
});

/** Heartbeat timeout of the probe loops: short enough that a crashed worker's loop resumes soon. */
function heartbeatTimeoutMs(timings: WorkerSettings['timings']): number {
  return Math.min(30_000, Math.max(2_000, timings.probeInitialIntervalMs * 2));
}

/** The details an activity failure carries (see activities/failures.ts), unwrapped from ActivityFailure. */
function failureOf(error: unknown): { type: string; message: string; details?: CallFailureDetails } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'Error', message: cause.message, details: cause.details?.[0] as CallFailureDetails };
  }
  return { type: 'Error', message: cause instanceof Error ? cause.message : String(cause) };
}

/**
 * @param rawInput the offboarding's input, as given at the start (also after a continue-as-new).
 * @param carried what an earlier run of this offboarding handed on when its history grew long (contract v3).
 */
export async function offboardTenant(rawInput: OffboardingInput, carried?: CarriedState): Promise<OffboardingResult> {
  const record = new OffboardingRecord(rawInput, carried?.status);
  const decisions = new Decisions(record, carried?.cancellationRequested === true);
  decisions.install();
  if (!carried) {
    workflowMetrics.started().add(1, { dry_run: String((rawInput as Partial<OffboardingInput>)?.dryRun === true) });
  }

  const offboarding = new Offboarding(record, decisions, carried);
  await CancellationScope.nonCancellable(() => offboarding.runToEnd(rawInput));
  // v3: a cancellation request that came after a decision was ignored; waiting here must not turn it into one.
  if (offboarding.followsV3) await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  else await condition(allHandlersFinished);
  if (decisions.endsCanceled) {
    throw new CancelledFailure(`offboarding of ${record.status.tenantId} cancelled by request`);
  }
  return record.snapshot() as OffboardingResult;
}

/** One offboarding run: the phases in order, each checking for a decision to stop. */
class Offboarding {
  private settings: WorkerSettings | undefined;
  private input!: OffboardingInput;
  private rawInput: unknown;
  private readonly reports: LifecycleReports;

  constructor(
    private readonly record: OffboardingRecord,
    private readonly decisions: Decisions,
    private readonly carried: CarriedState | undefined,
  ) {
    this.reports = new LifecycleReports(record);
    this.settings = carried?.settings;
  }

  /** The run follows the contract's v3 rules (it started on a worker that has them: see `rulesVersion`). */
  get followsV3(): boolean {
    return this.settings?.rulesVersion === 3;
  }

  private get status(): OffboardingStatus {
    return this.record.status;
  }

  /** Runs every phase; a failure is recorded, reported and turned into the contract's top-level failure. */
  async runToEnd(rawInput: unknown): Promise<void> {
    try {
      await this.run(rawInput);
    } catch (error) {
      if (!(error instanceof OffboardingFailed)) throw error;
      const { httpStatus, code, traceId } = error.details ?? {};
      this.record.setLastError({ type: error.type, message: error.message, httpStatus, code, traceId });
      this.record.fail();
      workflowMetrics.failed().add(1, { type: error.type });
      await this.reports.send(await this.loadSettings(), 'final-report', {
        failure: { type: error.type, message: error.message },
        wait: true,
      });
      await condition(allHandlersFinished);
      throw ApplicationFailure.create({
        type: error.type,
        message: error.message,
        nonRetryable: true,
        details: [this.record.snapshot()],
      });
    }
  }

  /** The worker settings, read once (a local activity, so that history records them). */
  private async loadSettings(): Promise<WorkerSettings> {
    this.settings ??= await settingsActivity.readWorkerSettings();
    return this.settings;
  }

  private get timings(): WorkerSettings['timings'] {
    return this.settings!.timings;
  }

  private async run(rawInput: unknown): Promise<void> {
    this.rawInput = rawInput;
    this.input = this.validate(rawInput);
    if (this.carried) return this.resume(this.carried.status.phase);
    this.record.adoptInput(this.input);
    // A decision that came with signal-with-start (or while validating) stops everything before any activity.
    if (this.decisions.decided) return this.finish('cancelled');

    const settings = await this.loadSettings();
    const violation = checkPolicy(this.input, settings.policy);
    if (violation) throw new OffboardingFailed(violation.type, violation.message);
    return this.fromScheduled();
  }

  /** Waits for `notBefore`, then deactivates and watches the tenant to the end. */
  private async fromScheduled(): Promise<void> {
    if (this.input.notBefore && Date.parse(this.input.notBefore) > Date.now()) {
      this.record.enterPhase('scheduled', { unlessIn: true });
      await condition(
        () => this.decisions.decided || this.mustContinueAsNew(),
        Date.parse(this.input.notBefore) - Date.now(),
        {
          summary: `wait until notBefore ${this.input.notBefore}`,
        },
      );
      if (this.decisions.decided) return this.finish('cancelled');
      if (this.mustContinueAsNew()) return this.continueAsNew();
      this.record.enterPhase('validating');
    }

    await this.warmToken();
    if (this.decisions.decided) return this.finish('cancelled');
    if (this.input.dryRun) return this.dryRun();

    await this.deactivate();
    return this.fromVerifying();
  }

  private async fromVerifying(): Promise<void> {
    if (!this.decisions.decided) await this.verify();
    return this.fromGracePeriod();
  }

  private async fromGracePeriod(): Promise<void> {
    if (!this.decisions.decided) await this.gracePeriod();
    if (this.decisions.decided) return this.reactivate();
    await this.confirmPurge();
  }

  /** Picks up where the run that continued as new left off (v3); its status and settings came along. */
  private async resume(phase: OffboardingStatus['phase']): Promise<void> {
    this.record.showDetails();
    log.info(`offboarding ${this.input.tenantId}: continued as new in phase ${phase}`);
    switch (phase) {
      case 'scheduled':
        return this.fromScheduled();
      case 'verifying':
        return this.fromVerifying();
      case 'grace-period':
        return this.fromGracePeriod();
      case 'confirming-purge':
        return this.confirmPurge();
      case 'reactivating':
        return this.reactivate();
      default:
        throw new Error(`cannot resume an offboarding in phase ${phase}`);
    }
  }

  /**
   * True when the run should hand over to a new run before its history grows long (v3): Temporal ends a run at
   * 51,200 events or 50 MB, which would leave a possibly deactivated tenant unwatched.
   */
  private mustContinueAsNew(): boolean {
    const bounds = this.settings?.historyBounds;
    if (!this.followsV3 || !bounds) return false;
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= bounds.events || info.historySize >= bounds.bytes;
  }

  /** Hands the offboarding to a new run under the same ID: the original input, and everything this run knows. */
  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    await this.reports.delivered();
    this.record.flushSearchAttributes();
    const carried: CarriedState = {
      status: this.record.snapshot(),
      settings: this.settings!,
      cancellationRequested: this.decisions.cancellationRequested,
    };
    log.info(`offboarding ${this.input.tenantId}: continuing as new`, { historyLength: workflowInfo().historyLength });
    return continueAsNew<typeof offboardTenant>(this.rawInput as OffboardingInput, carried);
  }

  private validate(rawInput: unknown): OffboardingInput {
    const validated = validateOffboardingInput(rawInput, Date.now());
    if (!validated.ok) throw new OffboardingFailed('InvalidInput', describeProblems(validated.problems));
    const { tenantId, dryRun } = validated.value;
    const expectedId = workflowIdFor(tenantId, dryRun === true);
    if (workflowInfo().workflowId !== expectedId) {
      throw new OffboardingFailed(
        'InvalidInput',
        `workflow ID: must be ${expectedId} for this input (got ${workflowInfo().workflowId})`,
      );
    }
    return validated.value;
  }

  private get tenantRef() {
    return { region: this.input.region, tenantId: this.input.tenantId, hostname: this.input.hostname };
  }

  /** Registration calls go through the region's rate-limited task queue, shared by every worker. */
  private registerCalls(options: Partial<ActivityOptions>) {
    return proxyActivities<OffboardingActivities>({
      taskQueue: this.settings!.registerTaskQueues[this.input.region],
      // Each call is one request (two after a token refresh) of at most 20 s: a lost task is retried soon.
      startToCloseTimeout: '75s',
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
      ...options,
    });
  }

  private async warmToken(): Promise<void> {
    if (this.input.dryRun && this.followsV3) return this.verifyCredentials();
    try {
      await tokenActivity.ensureToken({ region: this.input.region });
    } catch (error) {
      const failure = failureOf(error);
      if (failure.type === 'InvalidCredentials' || failure.type === 'RegionNotConfigured') {
        throw new OffboardingFailed(failure.type, failure.message, failure.details);
      }
      // Transient trouble at the token endpoint is not fatal: the deactivate call fetches its own token.
      this.record.setLastError({ type: failure.type, message: failure.message, ...failure.details });
    }
  }

  /**
   * A dry run must prove the credentials (v3): a token for the region, retried while the token endpoint is
   * unavailable, for at most `OFFBOARD_VERIFY_TIMEOUT`.
   */
  private async verifyCredentials(): Promise<void> {
    const { verifyTimeoutMs } = this.timings;
    // Temporal gives up on a retry that would start after the schedule-to-close timeout: one retry interval more
    // lets the attempts go on until the verify timeout has really passed.
    const retryIntervalMs = clamp(verifyTimeoutMs / 10, 1_000, 60_000);
    try {
      await proxyActivities<OffboardingActivities>({
        startToCloseTimeout: '40s',
        scheduleToCloseTimeout: verifyTimeoutMs + retryIntervalMs,
        retry: { initialInterval: '1s', maximumInterval: retryIntervalMs },
        summary: 'get an OAuth token for the region (a dry run needs one)',
      }).ensureToken({ region: this.input.region });
    } catch (error) {
      const failure = failureOf(error);
      if (failure.type === 'InvalidCredentials' || failure.type === 'RegionNotConfigured') {
        throw new OffboardingFailed(failure.type, failure.message, failure.details);
      }
      throw new OffboardingFailed(
        'CredentialsNotVerified',
        `dry run: no token for region ${this.input.region} within ${verifyTimeoutMs} ms (OFFBOARD_VERIFY_TIMEOUT): ${failure.message}`,
        failure.details,
      );
    }
  }

  private async dryRun(): Promise<void> {
    const answer = await this.probeUntilKnown(5);
    if (answer.state === 'purged') {
      throw new OffboardingFailed('TenantNotFound', `dry run: ${this.input.hostname} does not map to a tenant`);
    }
    if (answer.state === 'unknown') {
      throw new OffboardingFailed('RequestRejected', `dry run: ${this.input.hostname} gave no clear answer`);
    }
    return this.finish('dry-run-ok');
  }

  /** Probes until the answer is known, at most `attempts` times, backing off between probes. */
  private async probeUntilKnown(attempts: number): Promise<ProbeAnswer> {
    let answer = await probeActivity.probeTenant({ hostname: this.input.hostname });
    let intervalMs = this.timings.probeInitialIntervalMs;
    for (let i = 1; i < attempts && answer.state === 'unknown'; i++) {
      await sleep(Math.max(intervalMs, answer.retryAfterMs ?? 0));
      intervalMs = Math.min(intervalMs * 2, this.timings.probeMaxIntervalMs);
      answer = await probeActivity.probeTenant({ hostname: this.input.hostname });
    }
    return answer;
  }

  private computedPurgeDate(fromMs: number): string {
    const days = this.input.purgeAfterDays ?? QLIK_DEFAULT_PURGE_AFTER_DAYS;
    return new Date(fromMs + days * this.timings.dayMs).toISOString();
  }

  /** The deactivate call: never interrupted once started; a decision that arrives meanwhile waits for it. */
  private async deactivate(): Promise<void> {
    this.record.enterPhase('deactivating');
    try {
      const answer = await this.registerCalls({ summary: 'deactivate the tenant' }).deactivateTenant({
        ...this.tenantRef,
        purgeAfterDays: this.input.purgeAfterDays,
      });
      this.status.deactivatedAt = isoNow();
      // Runs recorded before answers carried `answeredAt` never read it (they do not check plausibility).
      this.adoptPurgeDate(answer.estimatedPurgeDate, answer.answeredAt ? Date.parse(answer.answeredAt) : Date.now());
      await this.reports.send(this.settings!, 'deactivated');
    } catch (error) {
      const failure = failureOf(error);
      this.record.setLastError({ type: failure.type, message: failure.message, ...failure.details });
      // An earlier attempt may have been applied with its answer lost: look before calling it a failure, and keep
      // looking while the answer is unclear (a possibly deactivated tenant is never left unwatched).
      if ((failure.details?.attempt ?? 2) > 1) {
        if (this.followsV3) {
          const seen = await this.stateAfterRefusal();
          if (seen) {
            this.status.deactivatedAt = isoNow();
            this.status.deactivationConfirmedAt = this.status.deactivatedAt;
            // Already purged: the lost attempt deactivated it and the purge came; what is left is to confirm it.
            this.record.setPurgeDate(seen === 'purged' ? isoNow() : this.computedPurgeDate(Date.now()), 'computed');
            return;
          }
          throw new OffboardingFailed(asFailureType(failure.type), failure.message, failure.details);
        }
        const answer = await this.probeUntilKnown(Infinity);
        if (answer.state === 'deactivated') {
          this.status.deactivatedAt = isoNow();
          this.record.setPurgeDate(this.computedPurgeDate(Date.now()), 'computed');
          return;
        }
      }
      throw new OffboardingFailed(asFailureType(failure.type), failure.message, failure.details);
    }
  }

  /**
   * Qlik's date, when plausible (v3); otherwise the computed one. Qlik resets the countdown on a repeat deactivate,
   * so the date of the last answer is the one that holds.
   */
  private adoptPurgeDate(qlikDate: string | undefined, answeredAtMs: number): void {
    const problem =
      qlikDate !== undefined && this.followsV3
        ? implausiblePurgeDate(qlikDate, answeredAtMs, this.timings.dayMs)
        : undefined;
    if (qlikDate && !problem) return this.record.setPurgeDate(qlikDate, 'qlik');
    this.record.setPurgeDate(this.computedPurgeDate(Date.now()), 'computed');
    if (problem) {
      this.record.setLastError({
        type: 'ImplausiblePurgeDate',
        message: `${problem}: using ${this.status.estimatedPurgeDate} (deactivation time + purgeAfterDays) instead`,
      });
    }
  }

  /**
   * After an attempt whose answer was lost, a refused repeat says nothing about the first: only the tenant host can
   * tell, and it may answer "active" for a while after a deactivate (QLIK-API §5). So "active" counts only once
   * `OFFBOARD_VERIFY_TIMEOUT` has passed since this last possibly applied attempt (v3); an unclear answer then
   * keeps the probing going. Returns what the host showed: "deactivated", "purged", or nothing but "active".
   */
  private async stateAfterRefusal(): Promise<'deactivated' | 'purged' | undefined> {
    const { timings } = this;
    const result = await this.probeLoop(
      timings.verifyTimeoutMs + 10 * 60_000,
      'probe: was the deactivate whose answer was lost applied?',
    ).awaitDeactivated({
      hostname: this.input.hostname,
      deadlineMs: Date.now() + timings.verifyTimeoutMs,
      initialIntervalMs: timings.probeInitialIntervalMs,
      maxIntervalMs: timings.probeMaxIntervalMs,
      untilKnown: true,
    });
    if (!result.observed) return undefined;
    return result.last.state === 'purged' ? 'purged' : 'deactivated';
  }

  /** A probe loop: one long, heartbeating activity that resumes from its last heartbeat after a crash. */
  private probeLoop(startToCloseMs: number, summary: string) {
    return proxyActivities<OffboardingActivities>({
      startToCloseTimeout: startToCloseMs,
      heartbeatTimeout: heartbeatTimeoutMs(this.timings),
      // An interrupted probe loop must really stop before the workflow moves on (e.g. to reactivate).
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { initialInterval: '1s', maximumInterval: '1m' },
      summary,
    });
  }

  /** Probes until the host answers "deactivated"; interrupted by a decision. */
  private async verify(): Promise<void> {
    this.record.enterPhase('verifying', { unlessIn: true });
    const { timings } = this;
    // From now, also in a run that continued as new while verifying: the window can only grow, never shrink.
    const deadlineMs = Date.now() + timings.verifyTimeoutMs;
    const result = await this.interruptible(
      () =>
        this.probeLoop(
          timings.verifyTimeoutMs + 10 * 60_000,
          'probe until the tenant answers "deactivated"',
        ).awaitDeactivated({
          hostname: this.input.hostname,
          deadlineMs,
          initialIntervalMs: timings.probeInitialIntervalMs,
          maxIntervalMs: timings.probeMaxIntervalMs,
        }),
      () => this.decisions.decided || this.mustContinueAsNew(),
    );
    if (result === undefined) return this.decisions.decided ? undefined : this.continueAsNew();
    if (result.observed) {
      this.status.deactivationConfirmedAt = result.at;
    } else {
      this.record.setLastError({
        type: 'DeactivationNotObserved',
        message: `the tenant host still answered "active" ${timings.verifyTimeoutMs} ms after the deactivate; the grace period begins anyway`,
        httpStatus: result.last.httpStatus,
        code: result.last.code,
      });
    }
  }

  /** Sleeps durably until the purge date, woken early by a decision. */
  private async gracePeriod(): Promise<void> {
    this.record.enterPhase('grace-period', { unlessIn: true });
    const purgeDateMs = this.record.purgeDateMs!;
    // No sleepUntil in the SDK: recompute the delay after every wake-up.
    while (!this.decisions.decided && Date.now() < purgeDateMs) {
      await condition(() => this.decisions.decided || this.mustContinueAsNew(), purgeDateMs - Date.now(), {
        summary: `grace period until ${this.status.estimatedPurgeDate}`,
      });
      await this.continueAsNewIfDue();
    }
  }

  /** Continues as new when the history has grown long (v3); returns otherwise. */
  private async continueAsNewIfDue(): Promise<void> {
    if (this.mustContinueAsNew()) await this.continueAsNew();
  }

  /** Confirms the purge; stopped only by a cancellation request (signals are ignored after the purge date). */
  private async confirmPurge(): Promise<void> {
    this.record.enterPhase('confirming-purge', { unlessIn: true });
    const { timings } = this;
    const purgeDateMs = this.record.purgeDateMs!;
    const result = await this.interruptible(
      () =>
        this.probeLoop(
          timings.purgeOverdueAfterMs + 60 * 60_000,
          'probe until the tenant answers "purged" twice',
        ).confirmPurge({
          hostname: this.input.hostname,
          purgeDateMs,
          overdueAtMs: purgeDateMs + timings.purgeOverdueAfterMs,
          initialIntervalMs: timings.probeInitialIntervalMs,
          maxIntervalMs: timings.probeMaxIntervalMs,
        }),
      () => this.decisions.cancellationRequested || this.mustContinueAsNew(),
    );
    if (result === undefined && !this.decisions.cancellationRequested) return this.continueAsNew();
    if (result === undefined) return this.finish(undefined);
    if (result.outcome === 'purged') {
      this.status.purgeConfirmedAt = result.at;
      return this.finish('purged');
    }
    return this.finish(result.outcome === 'active' ? 'reactivated-externally' : 'purge-overdue');
  }

  /**
   * Carries out the decision to stop: no call when the tenant was never deactivated; otherwise reactivation, at
   * most once, retried until the purge date whatever the error, each failure resolved by probing.
   */
  private async reactivate(): Promise<void> {
    const decidedBy = this.status.decidedBy!;
    const outcome = decidedBy.message === 'reactivate' ? 'reactivated' : 'cancelled';
    if (this.status.deactivatedAt === undefined) return this.finish('cancelled');
    this.record.enterPhase('reactivating', { unlessIn: true });
    if (this.followsV3) return this.reactivateInRounds(outcome);
    const purgeDateMs = this.record.purgeDateMs!;
    let backoffMs = this.timings.probeInitialIntervalMs;
    while (Date.now() < purgeDateMs) {
      try {
        // Retried until the purge date: after it, reactivation is no longer possible. The closer the date, the more
        // often: a backoff longer than the time left would give up before the date.
        const left = purgeDateMs - Date.now();
        await this.registerCalls({
          scheduleToCloseTimeout: Math.max(1, left),
          retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: clamp(left / 10, 1_000, 300_000) },
          summary: 'reactivate the tenant',
        }).reactivateTenant(this.tenantRef);
        this.status.reactivatedAt = isoNow();
        await this.reports.send(this.settings!, 'reactivated');
        return this.finish(outcome);
      } catch (error) {
        const failure = failureOf(error);
        this.record.setLastError({ type: failure.type, message: failure.message, ...failure.details });
      }
      // A lost or refused answer: the tenant may be active already (a retry after a lost answer) or purged.
      const answer = await this.probeUntilKnown(1);
      if (answer.state === 'active') {
        this.status.reactivatedAt = isoNow();
        await this.reports.send(this.settings!, 'reactivated');
        return this.finish(outcome);
      }
      if (answer.state === 'purged') return this.finish('purged');
      const left = purgeDateMs - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(backoffMs, left));
      backoffMs = Math.min(backoffMs * 2, this.timings.probeMaxIntervalMs);
    }
    throw new OffboardingFailed(
      'ReactivationFailed',
      `tenant ${this.input.tenantId}: the purge date ${this.status.estimatedPurgeDate} passed before the requested reactivation succeeded` +
        (this.status.lastError ? ` (last error: ${this.status.lastError.message})` : ''),
    );
  }

  /**
   * The reactivation of v3: rounds of one activity each, whose attempts are the reactivate calls (so they go through
   * the region's rate limit, and a refusal that lasts for weeks costs a few events a round, not a few per call).
   * Rounds grow from a minute to a day, so that `lastError` soon shows what goes wrong and then stays current. The
   * first round runs even when the purge date has passed: a recorded decision always gets one attempt.
   */
  private async reactivateInRounds(outcome: 'reactivated' | 'cancelled'): Promise<void> {
    const { timings } = this;
    const purgeDateMs = this.record.purgeDateMs!;
    // At least 10 s: a round much shorter than a loaded worker's scheduling delay would end after every attempt.
    const firstRoundMs = Math.max(10_000, timings.probeInitialIntervalMs * 12);
    let roundMs = firstRoundMs;
    for (let round = 0; round === 0 || Date.now() < purgeDateMs; round++) {
      const result = await this.reactivationRound(Math.max(0, Math.min(roundMs, purgeDateMs - Date.now())));
      if (result.seenDeactivated) this.status.deactivationConfirmedAt ??= isoNow();
      if (result.lastError) this.record.setLastError(result.lastError);
      if (result.outcome === 'purged') return this.finish('purged');
      if (result.outcome !== 'pending') {
        this.status.reactivatedAt = result.at ?? isoNow();
        await this.reports.send(this.settings!, 'reactivated');
        return this.finish(outcome);
      }
      roundMs = Math.min(roundMs * 2, Math.max(firstRoundMs, timings.dayMs));
      await this.continueAsNewIfDue();
    }
    throw new OffboardingFailed(
      'ReactivationFailed',
      `tenant ${this.input.tenantId}: the purge date ${this.status.estimatedPurgeDate} passed before the requested reactivation succeeded` +
        (this.status.lastError ? ` (last error: ${this.status.lastError.message})` : ''),
    );
  }

  /** One round of reactivate attempts, `roundMs` long; a round that times out is `pending` like one that ends. */
  private async reactivationRound(roundMs: number): Promise<ReactivationRoundResult> {
    const { timings } = this;
    const left = this.record.purgeDateMs! - Date.now();
    try {
      return await this.registerCalls({
        // One attempt: a reactivate call (two after a token refresh), a probe, maybe a second probe; one that stalls
        // (a lost worker) is retried after this. No heartbeat timeout, as for the other registration calls: the
        // attempt's heartbeats only carry what it learned to the next attempt.
        startToCloseTimeout: 75_000 + timings.probeInitialIntervalMs,
        // The last attempt of a round starts at most one retry interval after the round's end.
        scheduleToCloseTimeout: roundMs + 10 * 60_000,
        // The closer the purge date, the more often: a backoff longer than the time left would give up before it.
        // Far from it, at most hourly: a refusal that lasts (a 403 until Qlik Support acts) should not eat the
        // region's budget, which every deactivation and reactivation shares.
        retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: clamp(left / 10, 1_000, 3_600_000) },
        summary: 'reactivate the tenant',
      }).reactivateRound({
        ...this.tenantRef,
        roundEndsAtMs: Date.now() + roundMs,
        purgeDateMs: this.record.purgeDateMs!,
        activeCountsFromMs: Date.parse(this.status.deactivatedAt!) + timings.verifyTimeoutMs,
        seenDeactivated: this.status.deactivationConfirmedAt !== undefined,
        probeIntervalMs: timings.probeInitialIntervalMs,
      });
    } catch (error) {
      const { type, message, details } = failureOf(error);
      const { httpStatus, code, traceId } = details ?? {};
      return { outcome: 'pending', seenDeactivated: false, lastError: { type, message, httpStatus, code, traceId } };
    }
  }

  /**
   * Runs a long activity that a decision (or `stop`) interrupts: the activity is cancelled and undefined returned.
   */
  private async interruptible<T>(
    start: () => Promise<T>,
    stop: () => boolean = () => this.decisions.decided,
  ): Promise<T | undefined> {
    const scope = new CancellationScope();
    const work = scope.run(start);
    const interrupted = condition(stop).then(() => undefined);
    const result = await Promise.race([work.then((value) => ({ value })), interrupted]);
    if (result) return result.value;
    scope.cancel();
    await work.catch(() => undefined);
    return undefined;
  }

  /** Reports and ends the run's record with `outcome`. */
  private async finish(outcome: OffboardingStatus['outcome']): Promise<void> {
    const settings = await this.loadSettings();
    // Reports that take no workflow task of their own normally end within this one: no search-attribute upsert for
    // so brief a phase, unless a webhook that is down makes it last (LifecycleReports publishes it then).
    this.record.enterPhase('reporting', { brief: reportsAreInline(settings) });
    const report = { ...this.status, outcome };
    log.info(`offboarding ${this.status.tenantId}: final report`, {
      report,
      note: 'Deleting a tenant does not release user-based license assignments: release them with the licenses API.',
    });
    this.status.outcome = outcome;
    const canceled = this.decisions.endsCanceled
      ? { type: CANCELED_FAILURE_TYPE, message: `offboarding of ${this.status.tenantId} cancelled by request` }
      : undefined;
    await this.reports.send(settings, 'final-report', { failure: canceled, wait: true });
    this.record.complete(outcome);
    if (outcome) workflowMetrics.completed().add(1, { outcome });
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}

function asFailureType(type: string): FailureType {
  return (FAILURE_TYPES as readonly string[]).includes(type) ? (type as FailureType) : 'RequestRejected';
}
