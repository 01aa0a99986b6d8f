/**
 * The emergency stop's names and shapes: the stop registry (workflow `offboardingControls`, one per product task
 * queue), what a stop holds, and which deactivations a stop covers. Workflow-safe: no I/O, no Node built-ins.
 *
 * A stop holds deactivations that have not been sent yet; it never touches one that was sent, nor anything after it
 * (probes, the grace period, reactivations). Ops lift it with a resume.
 */

/** Workflow type of the stop registry. */
export const CONTROLS_WORKFLOW_TYPE = 'offboardingControls';

const CONTROLS_WORKFLOW_ID_PREFIX = 'offboarding-controls-';

/**
 * The registry's workflow ID for the product's task queue (`TEMPORAL_TASK_QUEUE`, where the workflows run — not a
 * `-register-<region>` queue): each deployment of the product has its own registry, and the registry runs on that
 * same queue, so that its workers are the product's.
 */
export function controlsWorkflowIdFor(taskQueue: string): string {
  return `${CONTROLS_WORKFLOW_ID_PREFIX}${taskQueue}`;
}

/** The memo key under which the registry publishes its stops, for readers that have no worker (`describe()`). */
export const STOPS_MEMO_KEY = 'stops';

/** Names of the registry's messages. */
export const CONTROLS_MESSAGE_NAMES = {
  stopUpdate: 'stopDeactivations',
  resumeUpdate: 'resumeDeactivations',
  stopsQuery: 'stops',
} as const;

/**
 * Which deactivations a stop holds: those of `region`, those requested by `requestedBy`, or (both given) those of
 * that requester in that region. At least one is set. `requestedBy` compares exactly, as the `QlikRequestedBy`
 * search attribute does, so that what `list --requested-by` shows is what the stop holds.
 */
export interface StopSelector {
  region?: string;
  requestedBy?: string;
}

/** The argument of the `stopDeactivations` Update. */
export interface StopRequest extends StopSelector {
  /** Why (the audit trail). */
  reason: string;
  /** Who stops (the audit trail). */
  by: string;
}

/** The argument of the `resumeDeactivations` Update: the selector of the stop to lift, exactly as it was given. */
export interface ResumeRequest extends StopSelector {
  by: string;
  reason?: string;
}

/** One stop in force. */
export interface Stop extends StopSelector {
  /** The registry's own ID for it (a UUID). */
  id: string;
  reason: string;
  by: string;
  /** When it was recorded, ISO-8601 UTC. */
  at: string;
}

/** The input of `offboardingControls`: what a run hands the next when it continues as new. */
export interface ControlsInput {
  stops?: Stop[];
  /**
   * Accepted Updates after which a run continues as new (default {@link DEFAULT_UPDATES_PER_RUN}); tests lower it.
   */
  updatesPerRun?: number;
}

/** Each accepted Update costs about six history events: 1,000 keep a run far below Temporal's limits. */
export const DEFAULT_UPDATES_PER_RUN = 1000;
/** A run continues as new at this history length too, whatever the count (a belt to the braces above). */
export const CONTROLS_HISTORY_EVENTS_BOUND = 8000;
/** At most this many stops at once: the memo that carries them stays small (Temporal limits memo sizes). */
export const MAX_STOPS = 100;

/** True when `a` and `b` name the same deactivations (a second stop of it is the same stop). */
export function sameSelector(a: StopSelector, b: StopSelector): boolean {
  return a.region === b.region && a.requestedBy === b.requestedBy;
}

/** The stop that holds a deactivate of `region` requested by `requestedBy`, or undefined. */
export function stopHolding(
  stops: readonly Stop[],
  deactivate: { region: string; requestedBy?: string },
): Stop | undefined {
  return stops.find(
    (stop) =>
      (stop.region === undefined || stop.region === deactivate.region) &&
      (stop.requestedBy === undefined || stop.requestedBy === deactivate.requestedBy),
  );
}

/** `region eu`, `requested by billing`, `region eu, requested by billing`: for messages and tables. */
export function describeSelector(selector: StopSelector): string {
  const parts: string[] = [];
  if (selector.region !== undefined) parts.push(`region ${selector.region}`);
  if (selector.requestedBy !== undefined) parts.push(`requested by ${JSON.stringify(selector.requestedBy)}`);
  return parts.join(', ');
}
