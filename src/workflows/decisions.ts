/**
 * The `cancel`/`reactivate` signals, their Updates, Temporal cancellation requests and the `status` query
 * (CONTRACT.md, "Messages"). Handlers only record a decision; the workflow's main flow acts on it.
 */
import { CancellationScope, isCancellation, log, setHandler } from '@temporalio/workflow';
import type { DecisionMessage, MessageArgs, OffboardingStatus } from '../shared/contract';
import { describeProblems, validateMessageArgs } from '../shared/input';
import { cancelSignal, cancelUpdate, reactivateSignal, reactivateUpdate, statusQuery } from './definitions';
import { isoNow, type OffboardingRecord } from './record';

export class Decisions {
  /**
   * A Temporal cancellation request arrived (Web UI "Cancel", `temporal workflow cancel`), in this run or in one
   * that continued as new into it.
   */
  cancellationRequested: boolean;

  constructor(
    private readonly record: OffboardingRecord,
    cancellationRequested = false,
  ) {
    this.cancellationRequested = cancellationRequested;
  }

  /**
   * True when the run must end Canceled: a cancellation request made the decision (or came after the purge date).
   * A request that arrived while an earlier cancel/reactivate decision was carried out was ignored instead.
   */
  get endsCanceled(): boolean {
    const message = this.record.status.decidedBy?.message;
    return this.cancellationRequested && (message === undefined || message === 'cancellation');
  }

  /** True once a decision to stop has been recorded. */
  get decided(): boolean {
    return this.record.status.decidedBy !== undefined;
  }

  /**
   * Why a decision cannot be acted on now, or undefined when it can. The first decision wins; after the purge
   * date or the end of the run nothing can be undone.
   */
  whyNotActionable(): string | undefined {
    const { status } = this.record;
    if (status.phase === 'completed' || status.phase === 'failed') return 'the offboarding has finished';
    if (status.decidedBy) return `a decision was already made: ${status.decidedBy.message} at ${status.decidedBy.at}`;
    if (status.phase === 'reporting') return 'the offboarding is already reporting its outcome';
    const purgeDateMs = this.record.purgeDateMs;
    const purgeDatePassed = purgeDateMs !== undefined && Date.now() >= purgeDateMs;
    if (status.phase === 'confirming-purge' || purgeDatePassed) {
      return 'the purge date has passed: the tenant can no longer be reactivated';
    }
    return undefined;
  }

  /** Records the decision, or (when it cannot be acted on) records and logs it as ignored. */
  private receive(message: DecisionMessage, args: MessageArgs | undefined): void {
    const at = isoNow();
    const { reason, requestedBy } = args ?? {};
    const why = this.whyNotActionable();
    if (why) {
      this.record.status.ignoredSignals.push({ message, at, reason, requestedBy, why });
      log.warn(`offboarding ${this.record.status.tenantId}: ${message} ignored: ${why}`, { message, why });
      return;
    }
    this.record.status.decidedBy = { message, at, reason, requestedBy };
    log.info(`offboarding ${this.record.status.tenantId}: decision ${message}`, { message, reason, requestedBy });
    this.record.showDetails();
  }

  /** Synchronous Update validator: rejects bad arguments and decisions that cannot be acted on, with the reason. */
  private validate(args: MessageArgs | undefined): void {
    const validated = validateMessageArgs(args);
    if (!validated.ok) throw new Error(`invalid argument: ${describeProblems(validated.problems)}`);
    const why = this.whyNotActionable();
    if (why) throw new Error(why);
  }

  /** Installs every handler. Call first, before any await, so that a signal-with-start is seen before any activity. */
  install(): void {
    const answer = (): OffboardingStatus => this.record.snapshot();
    setHandler(statusQuery, answer);
    setHandler(cancelSignal, (args) => this.receive('cancel', sanitize(args)));
    setHandler(reactivateSignal, (args) => this.receive('reactivate', sanitize(args)));
    setHandler(
      cancelUpdate,
      (args) => {
        this.receive('cancel', args);
        return answer();
      },
      { validator: (args) => this.validate(args) },
    );
    setHandler(
      reactivateUpdate,
      (args) => {
        this.receive('reactivate', args);
        return answer();
      },
      { validator: (args) => this.validate(args) },
    );
    CancellationScope.current().cancelRequested.catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
      this.cancellationRequested = true;
      this.receive('cancellation', undefined);
    });
  }
}

/** Signals cannot be rejected: keep what is valid of a malformed argument (it only feeds the audit trail). */
export function sanitize(args: unknown): MessageArgs | undefined {
  const validated = validateMessageArgs(args);
  if (validated.ok) return validated.value;
  return { reason: `(malformed argument: ${describeProblems(validated.problems).slice(0, 300)})` };
}
