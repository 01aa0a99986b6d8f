/**
 * The list of stops that `offboardingControls` owns: the one writer of it and of the memo that publishes it. The
 * workflow (./controls.ts) only hands its messages here.
 */
import { ApplicationFailure, log, setHandler, upsertMemo, uuid4, workflowInfo } from '@temporalio/workflow';
import { describeProblems, type Validated } from '../shared/input';
import { validateResumeRequest, validateStopRequest } from '../shared/stop-requests';
import {
  CONTROLS_HISTORY_EVENTS_BOUND,
  describeSelector,
  MAX_STOPS,
  type ResumeRequest,
  sameSelector,
  type Stop,
  type StopRequest,
  STOPS_MEMO_KEY,
} from '../shared/stops';
import { resumeUpdate, stopsQuery, stopUpdate } from './controls-definitions';

export class StopRegistry {
  private stops: Stop[];
  /** Updates accepted by this run: its history grows with each. */
  private accepted = 0;

  constructor(
    stops: readonly Stop[],
    private readonly updatesPerRun: number,
  ) {
    this.stops = [...stops];
  }

  /** The stops in force, oldest first. */
  list(): Stop[] {
    return this.stops.map((stop) => ({ ...stop }));
  }

  /** Installs the Updates and the query. Validators reject; handlers only run on what they accepted. */
  install(): void {
    setHandler(stopsQuery, () => this.list());
    setHandler(stopUpdate, (request) => this.stop(valid(validateStopRequest(request))), {
      validator: (request) => this.checkStop(request),
    });
    setHandler(resumeUpdate, (request) => this.resume(valid(validateResumeRequest(request))), {
      validator: (request) => this.checkResume(request),
    });
  }

  /**
   * Publishes the list when the memo does not already say it: a run that was started with stops but without the
   * memo (by hand) must not look stop-free to the readers meanwhile.
   */
  publishIfStale(): void {
    const published = workflowInfo().memo?.[STOPS_MEMO_KEY];
    if (JSON.stringify(published ?? []) !== JSON.stringify(this.stops)) this.publish();
  }

  /** True when this run should hand the list to a new run before its history grows long. */
  mustContinueAsNew(): boolean {
    const info = workflowInfo();
    return (
      this.accepted >= this.updatesPerRun ||
      info.continueAsNewSuggested ||
      info.historyLength >= CONTROLS_HISTORY_EVENTS_BOUND
    );
  }

  /** Synchronous validator (an async one's rejection is ignored): throwing rejects the Update, nothing else. */
  private checkStop(request: unknown): void {
    const validated = validateStopRequest(request);
    if (!validated.ok) throw new Error(`invalid argument: ${describeProblems(validated.problems)}`);
    if (this.find(validated.value) === undefined && this.stops.length >= MAX_STOPS) {
      throw new Error(`at most ${MAX_STOPS} stops can be in force at once: resume one first`);
    }
  }

  private checkResume(request: unknown): void {
    const validated = validateResumeRequest(request);
    if (!validated.ok) throw new Error(`invalid argument: ${describeProblems(validated.problems)}`);
    if (this.find(validated.value) === undefined) {
      const inForce = this.stops.map((stop) => describeSelector(stop)).join('; ');
      throw new Error(
        `no stop of ${describeSelector(validated.value)} is in force ` +
          `(a resume names a stop exactly as it was given; in force: ${inForce || 'none'})`,
      );
    }
  }

  private stop(request: StopRequest): Stop {
    this.accepted++;
    const existing = this.find(request);
    if (existing) return { ...existing };
    const stop: Stop = {
      id: uuid4(),
      ...(request.region !== undefined ? { region: request.region } : {}),
      ...(request.requestedBy !== undefined ? { requestedBy: request.requestedBy } : {}),
      reason: request.reason,
      by: request.by,
      at: new Date().toISOString(),
    };
    this.stops.push(stop);
    // Before the Update answers: a caller that got the answer finds the stop in the memo.
    this.publish();
    log.warn(`deactivations stopped: ${describeSelector(stop)}`, { stop });
    return { ...stop };
  }

  private resume(request: ResumeRequest): Stop {
    this.accepted++;
    const removed = this.find(request);
    // The validator saw it; only a replay of a history written by other code could get here without it.
    if (!removed) throw ApplicationFailure.nonRetryable(`no stop of ${describeSelector(request)} is in force`);
    this.stops = this.stops.filter((stop) => stop !== removed);
    this.publish();
    log.warn(`deactivations resumed: ${describeSelector(removed)}`, {
      removed,
      by: request.by,
      reason: request.reason,
    });
    return { ...removed };
  }

  private find(selector: StopRequest | ResumeRequest): Stop | undefined {
    return this.stops.find((stop) => sameSelector(stop, selector));
  }

  private publish(): void {
    upsertMemo({ [STOPS_MEMO_KEY]: this.list() });
  }
}

/** The value of what a validator accepted. A handler runs only on those, so the failure is for replays only. */
function valid<T>(validated: Validated<T>): T {
  if (validated.ok) return validated.value;
  throw ApplicationFailure.nonRetryable(`invalid argument: ${describeProblems(validated.problems)}`);
}
