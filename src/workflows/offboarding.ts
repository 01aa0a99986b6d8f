/**
 * One offboarding run: the phases in order, each checking for a decision to stop. It is constructed only with a
 * validated input and the worker settings the offboarding started with (offboard-tenant.ts sets it up); the status
 * is written only through the {@link OffboardingRecord}'s transitions.
 */
import { allHandlersFinished, condition, continueAsNew, log, patched, workflowInfo } from '@temporalio/workflow';
import type { ReactivationRoundResult, WorkerSettings } from '../activities/types';
import type { Decision, OffboardingInput, OffboardingStatus } from '../shared/contract';
import { QLIK_DEFAULT_PURGE_AFTER_DAYS } from '../shared/contract';
import { CANCELED_FAILURE_TYPE, FinalFailureType, WarningType } from '../shared/failure-types';
import { checkPolicy } from '../shared/policy';
import type { Approvals } from './approval';
import { deactivatedAfterRefusal as deactivatedAfterRefusalBeforeV3, reactivateUntilPurgeDate } from './before-v3';
import {
  clamp,
  credentialsCheck,
  failureOf,
  interruptible,
  OffboardingFailed,
  probeLoop,
  probeUntilKnown,
  REGISTER_PRIORITY,
  registerCalls,
  tokenActivity,
} from './calls';
import type { CarriedState } from './continuation';
import { deactivateInAttempts } from './deactivate-attempts';
import { EXTENSION_STOPS_AT_PURGE_DATE, extensionEnd, mayHaveApplied } from './grace-extensions';
import type { Decisions } from './decisions';
import { type LifecycleReports, reportsAreInline, workflowMetrics } from './lifecycle-reports';
import type { offboardTenant } from './offboard-tenant';
import { type GraceVerdict, watchGracePeriod } from './grace-probes';
import { implausiblePurgeDate } from './purge-date';
import { type Deactivation, isoNow, type OffboardingRecord } from './record';
import { followsRevision2, followsV3 } from './rules';

/** What every run has from its first line: the record, the message handlers and the report queue. */
export interface RunParts {
  record: OffboardingRecord;
  decisions: Decisions;
  reports: LifecycleReports;
  /** ("[4 of 4]") The four-eyes approval: its Update and the wait for it (approval.ts). */
  approvals: Approvals;
}

export class Offboarding {
  private readonly record: OffboardingRecord;
  private readonly decisions: Decisions;
  private readonly reports: LifecycleReports;
  private readonly approvals: Approvals;

  /**
   * @param input the validated input.
   * @param rawInput the input as given, handed on unchanged by a continue-as-new.
   * @param settings the worker settings the offboarding started with (its timings must not change under it).
   */
  constructor(
    private readonly input: OffboardingInput,
    private readonly rawInput: unknown,
    private readonly settings: WorkerSettings,
    parts: RunParts,
  ) {
    ({ record: this.record, decisions: this.decisions, reports: this.reports, approvals: this.approvals } = parts);
    this.approvals.adopt(settings, input);
  }

  private get followsV3(): boolean {
    return followsV3(this.settings);
  }

  private get followsRevision2(): boolean {
    return followsRevision2(this.settings);
  }

  private get timings(): WorkerSettings['timings'] {
    return this.settings.timings;
  }

  private get status(): Readonly<OffboardingStatus> {
    return this.record.status;
  }

  private get tenantRef() {
    return { region: this.input.region, tenantId: this.input.tenantId, hostname: this.input.hostname };
  }

  private get registerQueue(): string {
    return this.settings.registerTaskQueues[this.input.region];
  }

  /** A new offboarding: the policy, then `notBefore`, then the phases in order. */
  async fromStart(): Promise<void> {
    const violation = checkPolicy(this.input, this.settings.policy) ?? this.approvals.violation(this.input);
    if (violation) throw new OffboardingFailed(violation.type, violation.message);
    return this.fromScheduled();
  }

  /** Picks up where the run that continued as new left off (v3); its status and settings came along. */
  async resume(phase: OffboardingStatus['phase']): Promise<void> {
    this.record.showDetails();
    log.info(`offboarding ${this.input.tenantId}: continued as new in phase ${phase}`);
    if (phase === 'scheduled') return this.fromScheduled();
    if (phase === 'awaiting-approval') return this.fromAwaitingApproval();
    if (phase === 'deactivating') return this.fromDeactivating();
    const { deactivation, decision } = this.record;
    if (phase === 'reactivating' && decision) return this.carryOut(decision, deactivation);
    if (!deactivation || !['verifying', 'grace-period', 'confirming-purge'].includes(phase)) {
      throw new Error(`cannot resume an offboarding in phase ${phase}${deactivation ? '' : ' without a deactivation'}`);
    }
    if (phase === 'verifying') return this.fromVerifying(deactivation);
    if (phase === 'grace-period') return this.fromGracePeriod(deactivation);
    return this.confirmPurge(deactivation);
  }

  /** Waits for `notBefore`, then deactivates and watches the tenant to the end. */
  private async fromScheduled(): Promise<void> {
    const { notBefore } = this.input;
    if (notBefore && Date.parse(notBefore) > Date.now()) {
      this.record.enterPhase('scheduled', { unlessIn: true });
      await condition(() => this.decisions.decided || this.mustContinueAsNew(), Date.parse(notBefore) - Date.now(), {
        summary: `wait until notBefore ${notBefore}`,
      });
      if (this.decisions.decided) return this.finish('cancelled');
      if (this.mustContinueAsNew()) return this.continueAsNew();
      this.record.enterPhase('validating');
    }

    await this.warmToken();
    if (this.decisions.decided) return this.finish('cancelled');
    if (this.input.dryRun) return this.dryRun();
    if (this.approvals.required) return this.fromAwaitingApproval();
    return this.fromDeactivating();
  }

  /** ("[4 of 4]") Waits for the four-eyes approval (approval.ts) without calling anything, then deactivates. */
  private async fromAwaitingApproval(): Promise<void> {
    const wait = await this.approvals.waitForApproval(() => this.mustContinueAsNew());
    if (wait === 'decided') return this.finish('cancelled');
    if (wait === 'expired') return this.finish('approval-expired');
    if (wait === 'continue-as-new') return this.continueAsNew();
    return this.fromDeactivating();
  }

  /** Deactivates, then watches the tenant to the end; a decision before any request may have been sent ends it. */
  private async fromDeactivating(): Promise<void> {
    const deactivation = this.followsRevision2 ? await this.deactivateInAttempts() : await this.deactivate();
    if (deactivation === undefined) return this.finish('cancelled');
    return this.fromVerifying(deactivation);
  }

  private async fromVerifying(deactivation: Deactivation): Promise<void> {
    if (!this.decisions.decided) await this.verify();
    return this.fromGracePeriod(deactivation);
  }

  private async fromGracePeriod(deactivation: Deactivation): Promise<void> {
    const verdict = this.decisions.decided ? undefined : await this.gracePeriod(deactivation);
    if (verdict) return this.endedByGraceProbes(verdict);
    // An extension may have moved the purge date.
    const current = this.record.deactivation ?? deactivation;
    const { decision } = this.record;
    if (decision) return this.carryOut(decision, current);
    await this.confirmPurge(current);
  }

  private async warmToken(): Promise<void> {
    if (this.input.dryRun && this.followsV3) return this.verifyCredentials();
    try {
      await tokenActivity.ensureToken({ region: this.input.region });
    } catch (error) {
      const failure = failureOf(error);
      if (isConfigurationFailure(failure.type)) throw OffboardingFailed.from(failure);
      // Transient trouble at the token endpoint is not fatal: the deactivate call fetches its own token.
      this.record.setLastError({ type: failure.type, message: failure.message, ...failure.details });
    }
  }

  /** A dry run must prove the credentials (v3): a token for the region, within `OFFBOARD_VERIFY_TIMEOUT`. */
  private async verifyCredentials(): Promise<void> {
    try {
      await credentialsCheck(this.timings).ensureToken({ region: this.input.region });
    } catch (error) {
      const failure = failureOf(error);
      if (isConfigurationFailure(failure.type)) throw OffboardingFailed.from(failure);
      throw new OffboardingFailed(
        'CredentialsNotVerified',
        `dry run: no token for region ${this.input.region} within ${this.timings.verifyTimeoutMs} ms (OFFBOARD_VERIFY_TIMEOUT): ${failure.message}`,
        failure.details,
      );
    }
  }

  private async dryRun(): Promise<void> {
    const answer = await probeUntilKnown(this.input.hostname, this.timings, 5);
    if (answer.state === 'purged') {
      throw new OffboardingFailed('TenantNotFound', `dry run: ${this.input.hostname} does not map to a tenant`);
    }
    if (answer.state === 'unknown') {
      throw new OffboardingFailed('RequestRejected', `dry run: ${this.input.hostname} gave no clear answer`);
    }
    return this.finish('dry-run-ok');
  }

  /**
   * The deactivate of revision 2, one activity per attempt (deactivate-attempts.ts). Undefined when a decision
   * stopped it and the tenant was not deactivated: no attempt had started, or none was seen applied.
   */
  private async deactivateInAttempts(): Promise<Deactivation | undefined> {
    this.record.enterPhase('deactivating', { unlessIn: true });
    const outcome = await deactivateInAttempts({
      queue: this.registerQueue,
      call: { ...this.tenantRef, purgeAfterDays: this.input.purgeAfterDays, requestedBy: this.input.requestedBy },
      timings: this.timings,
      record: this.record,
      started: {
        before: this.status.deactivateAttemptsStarted ?? 0,
        note: () => this.record.noteDeactivateAttemptStarted(),
      },
      decided: () => this.decisions.decided,
      mustContinueAsNew: () => this.mustContinueAsNew(),
    });
    switch (outcome.kind) {
      case 'answered':
        return this.deactivated(outcome.answer);
      case 'withdrawn':
        return undefined;
      case 'continue-as-new':
        return this.continueAsNew();
      case 'interrupted':
        // An attempt may have reached Qlik: only the host can tell whether it was applied.
        return this.deactivatedAfterRefusal();
      case 'failed': {
        const earlierMayHaveApplied = outcome.started > 1;
        const deactivation = earlierMayHaveApplied ? await this.deactivatedAfterRefusal() : undefined;
        if (deactivation) return deactivation;
        throw OffboardingFailed.from(outcome.failure);
      }
    }
  }

  /** Qlik answered the deactivate: the purge date, and the `deactivated` report. */
  private async deactivated(answer: { estimatedPurgeDate?: string; answeredAt?: string }): Promise<Deactivation> {
    // Runs recorded before answers carried `answeredAt` never read it (they do not check plausibility).
    const answeredAtMs = answer.answeredAt ? Date.parse(answer.answeredAt) : Date.now();
    const deactivation = this.adoptPurgeDate(answer.estimatedPurgeDate, answeredAtMs);
    await this.reports.send(this.settings, 'deactivated');
    return deactivation;
  }

  /** The deactivate call before revision 2: never interrupted once started; a decision meanwhile waits for it. */
  private async deactivate(): Promise<Deactivation> {
    this.record.enterPhase('deactivating');
    try {
      const answer = await registerCalls(this.registerQueue, { summary: 'deactivate the tenant' }).deactivateTenant({
        ...this.tenantRef,
        purgeAfterDays: this.input.purgeAfterDays,
      });
      return await this.deactivated(answer);
    } catch (error) {
      const failure = failureOf(error);
      this.record.setLastError({ type: failure.type, message: failure.message, ...failure.details });
      // An earlier attempt may have been applied with its answer lost: look before calling it a failure, and keep
      // looking while the answer is unclear (a possibly deactivated tenant is never left unwatched).
      const deactivation = (failure.details?.attempt ?? 2) > 1 ? await this.deactivatedAfterRefusal() : undefined;
      if (deactivation) return deactivation;
      throw OffboardingFailed.from(failure);
    }
  }

  /**
   * Qlik's date, when plausible (v3); otherwise the computed one. Qlik resets the countdown on a repeat deactivate,
   * so the date of the last answer is the one that holds.
   */
  private adoptPurgeDate(qlikDate: string | undefined, answeredAtMs: number): Deactivation {
    const problem =
      qlikDate !== undefined && this.followsV3
        ? implausiblePurgeDate(qlikDate, answeredAtMs, this.timings.dayMs)
        : undefined;
    if (qlikDate && !problem) return this.record.markDeactivated({ date: qlikDate, source: 'qlik' });
    const deactivation = this.record.markDeactivated({ date: this.computedPurgeDate(), source: 'computed' });
    if (problem) {
      this.record.setLastError({
        type: WarningType.ImplausiblePurgeDate,
        message: `${problem}: using ${this.status.estimatedPurgeDate} (deactivation time + purgeAfterDays) instead`,
      });
    }
    return deactivation;
  }

  private computedPurgeDate(): string {
    const days = this.input.purgeAfterDays ?? QLIK_DEFAULT_PURGE_AFTER_DAYS;
    return new Date(Date.now() + days * this.timings.dayMs).toISOString();
  }

  /**
   * After an attempt whose answer was lost, a refused repeat says nothing about the first: only the tenant host can
   * tell, and it may answer "active" for a while after a deactivate (QLIK-API §5). So "active" counts only once
   * `OFFBOARD_VERIFY_TIMEOUT` has passed since this last possibly applied attempt (v3); an unclear answer then
   * keeps the probing going. The deactivation, when the host showed one; undefined after nothing but "active".
   */
  private async deactivatedAfterRefusal(): Promise<Deactivation | undefined> {
    if (!this.followsV3) {
      if (!(await deactivatedAfterRefusalBeforeV3(this.input.hostname, this.settings))) return undefined;
      return this.record.markDeactivated({ date: this.computedPurgeDate(), source: 'computed' });
    }
    const { timings } = this;
    const result = await probeLoop(
      timings,
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
    // Already purged: the lost attempt deactivated it and the purge came; what is left is to confirm it.
    const date = result.last.state === 'purged' ? isoNow() : this.computedPurgeDate();
    return this.record.markDeactivated({ date, source: 'computed' }, { seen: true });
  }

  /** Probes until the host answers "deactivated"; interrupted by a decision. */
  private async verify(): Promise<void> {
    this.record.enterPhase('verifying', { unlessIn: true });
    const { timings } = this;
    // From now, also in a run that continued as new while verifying: the window can only grow, never shrink.
    const deadlineMs = Date.now() + timings.verifyTimeoutMs;
    const result = await interruptible(
      () =>
        probeLoop(
          timings,
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
      this.record.confirmDeactivation(result.at);
    } else {
      this.record.setLastError({
        type: WarningType.DeactivationNotObserved,
        message: `the tenant host still answered "active" ${timings.verifyTimeoutMs} ms after the deactivate; the grace period begins anyway`,
        httpStatus: result.last.httpStatus,
        code: result.last.code,
      });
    }
  }

  /**
   * Sleeps durably until the purge date, woken early by a decision or an extension. With grace probes (recorded in
   * the run's settings: runs that started without them sleep as they always did), also by what the probes see: the
   * verdict.
   */
  private async gracePeriod(deactivation: Deactivation): Promise<GraceVerdict | undefined> {
    this.record.enterPhase('grace-period', { unlessIn: true });
    const purgeDateMs = () => this.record.purgeDateMs ?? deactivation.purgeDateMs;
    const extensionDue = () => this.record.pendingExtension !== undefined && !this.decisions.decided;
    const intervalMs = this.timings.graceProbeIntervalMs;
    if (intervalMs !== undefined) {
      return watchGracePeriod({
        workflowId: workflowInfo().workflowId,
        hostname: this.input.hostname,
        intervalMs,
        confirmIntervalMs: this.timings.probeInitialIntervalMs,
        purgeDateMs,
        record: this.record,
        decided: () => this.decisions.decided,
        extensionDue,
        extend: () => this.extendGracePeriod(),
        mustContinueAsNew: () => this.mustContinueAsNew(),
        continueAsNewIfDue: () => this.continueAsNewIfDue(),
      });
    }
    // No sleepUntil in the SDK: recompute the delay after every wake-up.
    while (!this.decisions.decided && Date.now() < purgeDateMs()) {
      if (extensionDue()) await this.extendGracePeriod();
      else {
        await condition(
          () => this.decisions.decided || extensionDue() || this.mustContinueAsNew(),
          purgeDateMs() - Date.now(),
          { summary: `grace period until ${this.status.estimatedPurgeDate}` },
        );
      }
      await this.continueAsNewIfDue();
    }
    return undefined;
  }

  /** The grace probes saw the end before the purge date: purged (confirmed twice), or reactivated out of band. */
  private async endedByGraceProbes(verdict: GraceVerdict): Promise<void> {
    if (verdict.kind === 'reactivated-externally') return this.finish('reactivated-externally');
    this.record.markPurgeConfirmed(verdict.at);
    return this.finish('purged');
  }

  /**
   * The extension asked for (grace-extensions.ts): a repeat deactivate through the region's queue, like the first
   * one, and the purge date of its answer. A decision meanwhile withdraws it if not sent, or waits for it; so does
   * the purge date, which a backlog or an emergency stop may reach first (the grace probes pause until then).
   */
  private async extendGracePeriod(): Promise<void> {
    const extension = this.record.pendingExtension!;
    const outcome = await deactivateInAttempts({
      queue: this.registerQueue,
      call: {
        ...this.tenantRef,
        purgeAfterDays: extension.purgeAfterDays,
        requestedBy: extension.requestedBy ?? this.input.requestedBy,
      },
      timings: this.timings,
      record: this.record,
      // A run that continued as new sends the extension again: a repeat of a repeat deactivate is harmless.
      started: { before: 0, note: () => undefined },
      decided: () => this.decisions.decided,
      // Runs that extended before this rule wait for the repeat deactivate however long it is held back.
      ...(patched(EXTENSION_STOPS_AT_PURGE_DATE) ? { giveUpAtMs: Date.parse(extension.previousPurgeDate) } : {}),
      mustContinueAsNew: () => this.mustContinueAsNew(),
    });
    if (outcome.kind === 'continue-as-new') return this.continueAsNew();
    if (mayHaveApplied(outcome)) this.record.noteRepeatDeactivate();
    const stoppedBy = this.decisions.decided ? 'a decision' : 'the purge date';
    const end = extensionEnd(outcome, extension, this.timings.dayMs, stoppedBy);
    if (end.state === 'applied') {
      this.record.extendPurgeDate({ date: end.date, source: end.source });
      this.record.settleExtension({ state: 'applied' });
    } else {
      this.record.settleExtension({ state: 'refused', note: end.note });
    }
    if (end.warning) this.record.setLastError(end.warning);
    if (end.state === 'applied') await this.reports.send(this.settings, 'grace-extended');
  }

  /** Confirms the purge; stopped only by a cancellation request (signals are ignored after the purge date). */
  private async confirmPurge({ purgeDateMs }: Deactivation): Promise<void> {
    this.record.enterPhase('confirming-purge', { unlessIn: true });
    const { timings } = this;
    const result = await interruptible(
      () =>
        probeLoop(
          timings,
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
      this.record.markPurgeConfirmed(result.at);
      return this.finish('purged');
    }
    return this.finish(result.outcome === 'active' ? 'reactivated-externally' : 'purge-overdue');
  }

  /**
   * Carries out the decision to stop: no call when the tenant was never deactivated; otherwise reactivation, at
   * most once, retried until the purge date whatever the error, each failure resolved by probing.
   */
  private async carryOut(decision: Decision, deactivation: Deactivation | undefined): Promise<void> {
    const outcome = decision.message === 'reactivate' ? 'reactivated' : 'cancelled';
    if (deactivation === undefined) return this.finish('cancelled');
    this.record.enterPhase('reactivating', { unlessIn: true });
    const result = this.followsV3
      ? await this.reactivateInRounds(deactivation)
      : await reactivateUntilPurgeDate(this.tenantRef, deactivation.purgeDateMs, this.record, this.settings);
    if (result === 'purged') return this.finish('purged');
    if (result === 'too-late') {
      throw new OffboardingFailed(
        'ReactivationFailed',
        `tenant ${this.input.tenantId}: the purge date ${this.status.estimatedPurgeDate} passed before the requested reactivation succeeded` +
          (this.status.lastError ? ` (last error: ${this.status.lastError.message})` : ''),
      );
    }
    await this.reports.send(this.settings, 'reactivated');
    return this.finish(outcome);
  }

  /**
   * The reactivation of v3: rounds of one activity each, whose attempts are the reactivate calls (so they go through
   * the region's rate limit, and a refusal that lasts for weeks costs a few events a round, not a few per call).
   * Rounds grow from a minute to a day, so that `lastError` soon shows what goes wrong and then stays current. The
   * first round runs even when the purge date has passed: a recorded decision always gets one attempt.
   */
  private async reactivateInRounds(deactivation: Deactivation): Promise<'reactivated' | 'purged' | 'too-late'> {
    const { timings } = this;
    const { purgeDateMs } = deactivation;
    // At least 10 s: a round much shorter than a loaded worker's scheduling delay would end after every attempt.
    const firstRoundMs = Math.max(10_000, timings.probeInitialIntervalMs * 12);
    let roundMs = firstRoundMs;
    for (let round = 0; round === 0 || Date.now() < purgeDateMs; round++) {
      const roundLengthMs = Math.max(0, Math.min(roundMs, purgeDateMs - Date.now()));
      const result = await this.reactivationRound(roundLengthMs, deactivation);
      if (result.seenDeactivated) this.record.noteSeenDeactivated();
      if (result.lastError) this.record.setLastError(result.lastError);
      if (result.outcome === 'purged') return 'purged';
      if (result.outcome !== 'pending') {
        this.record.markReactivated(result.at);
        return 'reactivated';
      }
      roundMs = Math.min(roundMs * 2, Math.max(firstRoundMs, timings.dayMs));
      await this.continueAsNewIfDue();
    }
    return 'too-late';
  }

  /** One round of reactivate attempts, `roundMs` long; a round that times out is `pending` like one that ends. */
  private async reactivationRound(
    roundMs: number,
    { deactivatedAtMs, purgeDateMs }: Deactivation,
  ): Promise<ReactivationRoundResult> {
    const { timings } = this;
    const left = purgeDateMs - Date.now();
    try {
      return await registerCalls(this.registerQueue, {
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
        ...(this.followsRevision2 ? { priority: { priorityKey: REGISTER_PRIORITY.reactivate } } : {}),
        summary: 'reactivate the tenant',
      }).reactivateRound({
        ...this.tenantRef,
        roundEndsAtMs: Date.now() + roundMs,
        purgeDateMs,
        activeCountsFromMs: this.lastDeactivateMs(deactivatedAtMs) + timings.verifyTimeoutMs,
        seenDeactivated: this.record.seenDeactivatedSinceLastDeactivate,
        probeIntervalMs: timings.probeInitialIntervalMs,
      });
    } catch (error) {
      const { type, message, details } = failureOf(error);
      const { httpStatus, code, traceId } = details ?? {};
      return { outcome: 'pending', seenDeactivated: false, lastError: { type, message, httpStatus, code, traceId } };
    }
  }

  /**
   * When the last deactivate that may have reached Qlik was: the first one's answer, or an extension's repeat
   * deactivate that the tenant has not been seen to show since.
   */
  private lastDeactivateMs(deactivatedAtMs: number): number {
    const since = this.status.redeactivationUnseenSince;
    return since === undefined ? deactivatedAtMs : Math.max(deactivatedAtMs, Date.parse(since));
  }

  /**
   * True when the run should hand over to a new run before its history grows long (v3): Temporal ends a run at
   * 51,200 events or 50 MB, which would leave a possibly deactivated tenant unwatched.
   */
  private mustContinueAsNew(): boolean {
    const bounds = this.settings.historyBounds;
    if (!this.followsV3 || !bounds) return false;
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= bounds.events || info.historySize >= bounds.bytes;
  }

  /** Continues as new when the history has grown long (v3); returns otherwise. */
  private async continueAsNewIfDue(): Promise<void> {
    if (this.mustContinueAsNew()) await this.continueAsNew();
  }

  /** Hands the offboarding to a new run under the same ID: the original input, and everything this run knows. */
  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    await this.reports.delivered();
    this.record.flushSearchAttributes();
    const carried: CarriedState = {
      status: this.record.snapshot(),
      settings: this.settings,
      cancellationRequested: this.decisions.cancellationRequested,
    };
    log.info(`offboarding ${this.input.tenantId}: continuing as new`, { historyLength: workflowInfo().historyLength });
    return continueAsNew<typeof offboardTenant>(this.rawInput as OffboardingInput, carried);
  }

  /** Reports and ends the run's record with `outcome`. */
  async finish(outcome: OffboardingStatus['outcome']): Promise<void> {
    // Reports that take no workflow task of their own normally end within this one: no search-attribute upsert for
    // so brief a phase, unless a webhook that is down makes it last (LifecycleReports publishes it then).
    this.record.enterPhase('reporting', { brief: reportsAreInline(this.settings) });
    log.info(`offboarding ${this.status.tenantId}: final report`, {
      report: { ...this.status, outcome },
      note: 'Deleting a tenant does not release user-based license assignments: release them with the licenses API.',
    });
    this.record.setOutcome(outcome);
    const canceled = this.decisions.endsCanceled
      ? { type: CANCELED_FAILURE_TYPE, message: `offboarding of ${this.status.tenantId} cancelled by request` }
      : undefined;
    await this.reports.send(this.settings, 'final-report', { failure: canceled, wait: true });
    this.record.complete(outcome);
    if (outcome) workflowMetrics.completed().add(1, { outcome });
  }
}

/** Failures of the worker's configuration for the region, which no retry mends. */
function isConfigurationFailure(type: string): boolean {
  return type === FinalFailureType.InvalidCredentials || type === FinalFailureType.RegionNotConfigured;
}
