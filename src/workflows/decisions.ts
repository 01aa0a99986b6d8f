/**
 * The `cancel`/`reactivate` signals, their Updates, Temporal cancellation requests and the `status` query
 * (CONTRACT.md, "Messages"). Handlers only record a decision; the workflow's main flow acts on it.
 */
import { CancellationScope, isCancellation, log, setHandler } from '@temporalio/workflow';
import type { DecisionMessage, MessageArgs, OffboardingStatus } from '../shared/contract';
import { describeProblems, MAX_REASON, truncate, validateMessageArgs, validMessageFields } from '../shared/input';
import { cancelSignal, cancelUpdate, reactivateSignal, reactivateUpdate, statusQuery } from './definitions';
import { FIRST_AND_LAST_TEN } from './bounded-list';
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

  /**
   * Records the decision, or (when it cannot be acted on) records and logs it as ignored. Takes anything and never
   * throws: a handler that throws fails the workflow task on every retry, and the run could no longer act at all.
   */
  private receive(message: DecisionMessage, args: unknown): void {
    const at = isoNow();
    const { reason, requestedBy } = validMessageFields(args);
    const why = this.whyNotActionable();
    if (why) {
      const ignored = this.record.recordIgnored({ message, at, reason, requestedBy, why });
      // A storm of thousands would drown the log (and slow every workflow task that carries them): the first ones
      // are logged one by one, then one line per hundred, like the bounded list in the status.
      if (ignored <= FIRST_AND_LAST_TEN.head || ignored % 100 === 0) {
        log.warn(`offboarding ${this.record.status.tenantId}: ${message} ignored (${ignored} so far): ${why}`, {
          message,
          why,
          ignored,
        });
      }
      return;
    }
    this.record.decide({ message, at, reason, requestedBy });
    log.info(`offboarding ${this.record.status.tenantId}: decision ${message}`, { message, reason, requestedBy });
  }

  /**
   * Synchronous Update validator: rejects a malformed argument (of any JSON shape) and decisions that cannot be acted
   * on, with the reason. Throwing here only rejects the Update; the run goes on unaffected.
   */
  private validate(args: unknown): void {
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

/** How much of the description of a malformed argument goes into the note. */
const MAX_NOTE = 300;

/**
 * The argument a signal's decision records. A signal cannot be rejected, so a malformed argument (any JSON value)
 * still makes the decision it names: its valid fields are kept, and `reason` starts with a note saying what was
 * wrong, `(malformed argument: …)`, the whole within the limit of `reason`. Never throws.
 */
export function sanitize(args: unknown): MessageArgs {
  try {
    const validated = validateMessageArgs(args);
    if (validated.ok) return validated.value;
    const kept = validMessageFields(args);
    const description = describeProblems(validated.problems);
    const note = `(malformed argument: ${truncate(description, MAX_NOTE)}${description.length > MAX_NOTE ? '…' : ''})`;
    return { ...kept, reason: kept.reason ? truncate(`${note} ${kept.reason}`, MAX_REASON) : note };
  } catch {
    // Unreachable for decoded JSON (validation is total); kept so that the decision survives even a bug there.
    return { reason: '(malformed argument: it could not be read)' };
  }
}
