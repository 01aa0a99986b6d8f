/**
 * The offboarding's status, and how it is shown where ops look: search attributes, current details, the log.
 * The one writer of the status: the workflow and its message handlers change it only through the named
 * transitions below, and every phase change goes through {@link OffboardingRecord.enterPhase} so that all three
 * stay in step.
 */
import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type {
  Approval,
  Decision,
  GraceExtension,
  GraceProbeStatus,
  LastError,
  OffboardingInput,
  OffboardingStatus,
  Outcome,
  Phase,
} from '../shared/contract';
import { approvalDetails } from './approval';
import { searchAttributes } from './definitions';
import { appendBounded } from './bounded-list';

export function isoNow(): string {
  return new Date(Date.now()).toISOString();
}

/** Reads what it can of an input that may break the rules, so that even a refused run has a useful status. */
function statusFromRawInput(raw: unknown): OffboardingStatus {
  const record = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 256) : '');
  return {
    tenantId: text(record.tenantId),
    hostname: text(record.hostname),
    region: text(record.region),
    dryRun: record.dryRun === true,
    phase: 'validating',
    phaseSince: isoNow(),
    ignoredSignals: [],
  };
}

/** What the workflow is waiting for in each phase, for the Web UI. */
const WAITING_FOR: Record<Phase, string> = {
  scheduled: 'the notBefore time',
  validating: 'the input checks and a token for the region',
  'awaiting-approval': 'an approval by someone other than the requester (nothing is changed until then)',
  deactivating: "the deactivate's turn on the region's rate-limited queue, then Qlik's answer",
  verifying: 'the tenant host to answer "deactivated"',
  'grace-period': 'the purge date (cancel or reactivate possible until then)',
  'confirming-purge': 'two consecutive "purged" answers from the tenant host',
  reactivating: 'Qlik to reactivate the tenant',
  reporting: 'the final report',
  completed: 'nothing: finished',
  failed: 'nothing: failed',
};

/** What the phases after a deactivate need to know: when it took effect, and the purge date that followed. */
export interface Deactivation {
  deactivatedAtMs: number;
  purgeDateMs: number;
}

export class OffboardingRecord {
  private readonly state: OffboardingStatus;
  /** Search attribute changes not yet sent: they go with the next phase change, one history event for all. */
  private readonly pendingAttributes: SearchAttributeUpdatePair[] = [];
  /** The phase the search attributes show. */
  private publishedPhase: Phase | undefined;
  /** ("[4 of 4]") Set when the run must be approved: how long it waits in `awaiting-approval`, for the details. */
  private approvalTimeoutMs: number | undefined;

  /** `carried`: the status an earlier run of this offboarding handed on when it continued as new. */
  constructor(raw: unknown, carried?: OffboardingStatus) {
    this.state = carried ?? statusFromRawInput(raw);
    if (carried) this.publishedPhase = carried.phase;
  }

  /** The status as it stands (read-only: write through the transitions). */
  get status(): Readonly<OffboardingStatus> {
    return this.state;
  }

  /** Copies the validated input into the status and the identifying search attributes. */
  adoptInput(input: OffboardingInput): void {
    const { tenantId, hostname, region, purgeAfterDays, notBefore, requestedBy, reason } = input;
    Object.assign(this.state, { tenantId, hostname, region, purgeAfterDays, notBefore, requestedBy, reason });
    this.state.dryRun = input.dryRun === true;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: searchAttributes.tenantId, value: tenantId },
      { key: searchAttributes.hostname, value: hostname },
      { key: searchAttributes.region, value: region },
    ];
    if (requestedBy) pairs.push({ key: searchAttributes.requestedBy, value: requestedBy });
    this.pendingAttributes.push(...pairs);
  }

  get phase(): Phase {
    return this.status.phase;
  }

  /**
   * Moves to `phase`, recording when, and tells the search attributes, the Web UI and the log. `brief` phases, which
   * normally end within the same workflow task, skip the search-attribute upsert (nobody could filter on them anyway)
   * until {@link publishPhase} says otherwise.
   */
  enterPhase(
    phase: Phase,
    options: { extra?: SearchAttributeUpdatePair[]; brief?: boolean; unlessIn?: boolean } = {},
  ): void {
    // A run that continued as new resumes in the phase it was in: it keeps the time that phase began.
    if (options.unlessIn && this.state.phase === phase) return;
    this.state.phase = phase;
    this.state.phaseSince = isoNow();
    if (!options.brief) this.upsertPhase(options.extra);
    this.showDetails();
    log.info(`offboarding ${this.status.tenantId || '(invalid input)'}: phase ${phase}`, {
      tenantId: this.status.tenantId,
      workflowId: workflowInfo().workflowId,
      phase,
    });
  }

  /** Shows the current phase to the search attributes, if they do not show it yet (a brief phase that lasts). */
  publishPhase(): void {
    if (this.publishedPhase !== this.status.phase) this.upsertPhase();
  }

  private upsertPhase(extra: SearchAttributeUpdatePair[] = []): void {
    this.publishedPhase = this.status.phase;
    upsertSearchAttributes([
      ...this.pendingAttributes.splice(0),
      { key: searchAttributes.phase, value: this.status.phase },
      { key: searchAttributes.phaseSince, value: new Date(this.status.phaseSince) },
      ...extra,
    ]);
  }

  /** Sends the search-attribute changes not yet sent (before a continue-as-new, which carries them over). */
  flushSearchAttributes(): void {
    if (this.pendingAttributes.length > 0) upsertSearchAttributes(this.pendingAttributes.splice(0));
  }

  private setPurgeDate(date: string, source: 'qlik' | 'computed'): void {
    this.state.estimatedPurgeDate = date;
    this.state.purgeDateSource = source;
    this.pendingAttributes.push({ key: searchAttributes.estimatedPurgeDate, value: new Date(date) });
  }

  /** The purge date in epoch ms, once known. */
  get purgeDateMs(): number | undefined {
    return this.state.estimatedPurgeDate ? Date.parse(this.state.estimatedPurgeDate) : undefined;
  }

  /** The deactivate and its purge date, once both are recorded. */
  get deactivation(): Deactivation | undefined {
    const { deactivatedAt } = this.state;
    const purgeDateMs = this.purgeDateMs;
    if (deactivatedAt === undefined || purgeDateMs === undefined) return undefined;
    return { deactivatedAtMs: Date.parse(deactivatedAt), purgeDateMs };
  }

  /**
   * The deactivate took effect now: Qlik answered it, or (`seen`) the host showed it after an answer was lost. The
   * grace period ends on `purge.date`.
   */
  markDeactivated(
    purge: { date: string; source: 'qlik' | 'computed' },
    options: { seen?: boolean } = {},
  ): Deactivation {
    this.state.deactivatedAt = isoNow();
    if (options.seen) this.state.deactivationConfirmedAt = this.state.deactivatedAt;
    this.setPurgeDate(purge.date, purge.source);
    return { deactivatedAtMs: Date.parse(this.state.deactivatedAt), purgeDateMs: Date.parse(purge.date) };
  }

  /** A grace-period extension was asked for (the Update's validator checked it can be). */
  requestExtension(entry: Omit<GraceExtension, 'state'>): void {
    this.state.extensions ??= [];
    const omitted = appendBounded(this.state.extensions, { ...entry, state: 'requested' });
    if (omitted > 0) this.state.extensionsOmitted = (this.status.extensionsOmitted ?? 0) + omitted;
    this.showDetails();
  }

  /** The extension in flight, if any: the last one, while `requested`. */
  get pendingExtension(): Readonly<GraceExtension> | undefined {
    const last = this.status.extensions?.at(-1);
    return last?.state === 'requested' ? last : undefined;
  }

  /** The extension in flight has ended: applied (with the purge date that now holds) or refused. */
  settleExtension(result: { state: 'applied' | 'refused'; note?: string }): void {
    const last = this.state.extensions?.at(-1);
    if (last?.state !== 'requested') throw new Error('bug: no grace-period extension in flight');
    last.state = result.state;
    if (result.state === 'applied') last.estimatedPurgeDate = this.status.estimatedPurgeDate;
    if (result.note) last.note = result.note;
    this.showDetails();
  }

  /** An extension's repeat deactivate moved the purge date: the search attribute follows at once. */
  extendPurgeDate(purge: { date: string; source: 'qlik' | 'computed' }): void {
    this.setPurgeDate(purge.date, purge.source);
    this.flushSearchAttributes();
  }

  /** A deactivate attempt started: from now on a request may have reached Qlik (revision 2). */
  noteDeactivateAttemptStarted(): void {
    this.state.deactivateAttemptsStarted = (this.status.deactivateAttemptsStarted ?? 0) + 1;
  }

  /** The verify probe saw the tenant answer "deactivated" at `at` (always set when it did). */
  confirmDeactivation(at: string | undefined): void {
    this.state.deactivationConfirmedAt = at;
  }

  /**
   * The tenant was seen deactivated (a reactivation attempt, a grace probe); an earlier sighting stays the one recorded,
   * and an extension's repeat deactivate is now seen too.
   */
  noteSeenDeactivated(): void {
    this.state.deactivationConfirmedAt ??= isoNow();
    delete this.state.redeactivationUnseenSince;
  }

  /** Whether the tenant was seen deactivated since its last deactivate that may have reached Qlik. */
  get seenDeactivatedSinceLastDeactivate(): boolean {
    return this.status.deactivationConfirmedAt !== undefined && this.status.redeactivationUnseenSince === undefined;
  }

  /** The grace-period probes begin ("[4 of 4]"): every `intervalMs`, the first at `firstAtMs` (jittered). */
  startGraceProbes(intervalMs: number, firstAtMs: number): void {
    this.state.graceProbes = {
      ...(this.state.graceProbes ?? { probes: 0 }),
      intervalMs,
      nextAt: new Date(firstAtMs).toISOString(),
    };
    this.showDetails();
  }

  /** A grace probe answered: what the probes know now (grace-probes.ts judges the answer). */
  noteGraceProbe(probes: GraceProbeStatus): void {
    this.state.graceProbes = probes;
    this.showDetails();
  }

  /**
   * An extension's repeat deactivate may have reached Qlik: "active" answers count again only once the tenant was seen
   * answering "deactivated" after it (the rule is "since its last deactivate").
   */
  noteRepeatDeactivate(): void {
    this.state.redeactivationUnseenSince = isoNow();
  }

  /** The grace period is over (purge date or decision): no probe is due any more. */
  endGraceProbes(): void {
    if (this.state.graceProbes) delete this.state.graceProbes.nextAt;
  }

  /** The first decision to stop (the message handlers check that it can be acted on). */
  decide(decision: Decision): void {
    this.state.decidedBy = decision;
    this.showDetails();
  }

  /** ("[4 of 4]") The run must be approved before it changes anything; it waits at most `timeoutMs` for that. */
  noteApprovalRequired(timeoutMs: number): void {
    this.approvalTimeoutMs = timeoutMs;
  }

  /** ("[4 of 4]") The approval, now (the Update's validator checked that it can be accepted). */
  approve({ approvedBy, reason }: Omit<Approval, 'at'>): void {
    this.state.approval = { approvedBy, at: isoNow(), ...(reason !== undefined ? { reason } : {}) };
    this.showDetails();
  }

  /** The decision, once one was made. */
  get decision(): Decision | undefined {
    return this.state.decidedBy;
  }

  /** The tenant is active again (at `at`, when the call says when). */
  markReactivated(at: string = isoNow()): void {
    this.state.reactivatedAt = at;
  }

  /** The host answered "purged" twice; the second answer came at `at`. */
  markPurgeConfirmed(at: string): void {
    this.state.purgeConfirmedAt = at;
  }

  /** The outcome is known: the final report carries it while the run is still `reporting`. */
  setOutcome(outcome: Outcome | undefined): void {
    this.state.outcome = outcome;
  }

  setLastError(error: Omit<LastError, 'at'>): void {
    this.state.lastError = { ...error, at: isoNow() };
    this.showDetails();
  }

  /** Ends the run's record: `completed` with an outcome (or none for a cancellation after the purge date). */
  complete(outcome: Outcome | undefined): void {
    this.state.outcome = outcome;
    this.enterPhase('completed', { extra: outcome ? [{ key: searchAttributes.outcome, value: outcome }] : [] });
  }

  /** Ends the run's record as failed (the failure's type is in `lastError`; the outcome stays unset). */
  fail(): void {
    this.enterPhase('failed');
  }

  /** Records a message that was not acted on. The list keeps its first 10 and last 10 entries (CONTRACT.md v3). */
  recordIgnored(entry: OffboardingStatus['ignoredSignals'][number]): number {
    const omitted = appendBounded(this.state.ignoredSignals, entry);
    if (omitted > 0) this.state.ignoredSignalsOmitted = (this.status.ignoredSignalsOmitted ?? 0) + omitted;
    return this.status.ignoredSignals.length + (this.status.ignoredSignalsOmitted ?? 0);
  }

  /** A snapshot for queries and Update answers. */
  snapshot(): OffboardingStatus {
    return structuredCloneSafe(this.state);
  }

  /** The Web UI's "current details": phase, what it waits for, purge date and time left, how to steer it. */
  showDetails(): void {
    const s = this.status;
    const id = workflowInfo().workflowId;
    const lines = [
      `**Tenant** ${s.tenantId} (${s.hostname}, region ${s.region})${s.dryRun ? ' — dry run' : ''}`,
      `**Phase** ${s.phase} since ${s.phaseSince}`,
      `**Waiting for** ${WAITING_FOR[s.phase]}`,
    ];
    if (s.estimatedPurgeDate) {
      const left = Date.parse(s.estimatedPurgeDate) - Date.now();
      const leftText = left > 0 ? `${(left / 3_600_000).toFixed(1)} h left at ${s.phaseSince}` : 'passed';
      lines.push(`**Purge date** ${s.estimatedPurgeDate} (${s.purgeDateSource}; ${leftText})`);
    }
    if (s.graceProbes) lines.push(graceProbeLine(s.graceProbes));
    if (s.outcome) lines.push(`**Outcome** ${s.outcome}`);
    if (s.lastError) lines.push(`**Last error** ${s.lastError.type}: ${s.lastError.message}`);
    if (this.approvalTimeoutMs !== undefined) lines.push(...approvalDetails(s, id, this.approvalTimeoutMs));
    const steerable = ['scheduled', 'validating', 'awaiting-approval', 'deactivating', 'verifying', 'grace-period'];
    if (steerable.includes(s.phase) && !s.decidedBy) {
      lines.push(
        `**Reactivate** \`temporal workflow signal --workflow-id ${id} --name reactivate --input '{"reason":"…","requestedBy":"…"}'\``,
        `**Cancel** \`temporal workflow signal --workflow-id ${id} --name cancel --input '{"reason":"…","requestedBy":"…"}'\``,
      );
    }
    if (s.decidedBy) lines.push(`**Decision** ${s.decidedBy.message} at ${s.decidedBy.at}`);
    const extension = s.extensions?.at(-1);
    if (extension) {
      lines.push(
        `**Grace-period extension** ${extension.state} (${extension.purgeAfterDays} days, asked at ${extension.at})` +
          (extension.state === 'requested' ? ": the repeat deactivate waits its turn on the region's queue" : ''),
      );
    }
    setCurrentDetails(lines.join('\n\n'));
  }
}

/** The grace probes for the Web UI: how often, when the next is due, and what the last one saw. */
function graceProbeLine(g: GraceProbeStatus): string {
  const hours = g.intervalMs / 3_600_000;
  const every = hours >= 1 ? `${Number(hours.toFixed(2))} h` : `${g.intervalMs} ms`;
  const next = g.nextAt ? `next at ${g.nextAt}` : 'no more due';
  const last = g.last
    ? `last at ${g.last.at}: ${g.last.state}${g.last.httpStatus ? ` (HTTP ${g.last.httpStatus}${g.last.code ? ` ${g.last.code}` : ''})` : ''}`
    : 'none sent yet';
  const row = g.activeSince
    ? `; "active" since ${g.activeSince}: a second "active" an interval later means reactivated out of band`
    : g.purgedSince
      ? `; "purged" since ${g.purgedSince}: a second "purged" confirms the purge`
      : '';
  return `**Grace probes** every ${every} (jittered); ${next}; ${g.probes} sent, ${last}${row}`;
}

/** Deep copy of plain JSON data (workflow code has no structuredClone guarantee across runtimes). */
function structuredCloneSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
