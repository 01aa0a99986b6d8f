/**
 * The typed errors of the client library, with stable `code`s that callers branch on (class names do not
 * survive bundling or a second copy of the library). Each message says what to do next.
 */
import type { InputProblem } from '../shared/input';
import { describeProblems } from '../shared/input';
import type { OffboardingStatus } from '../shared/contract';

import { OffboardingErrorCode } from '../shared/failure-types';

export { OffboardingErrorCode };

const CODES: ReadonlySet<string> = new Set(Object.values(OffboardingErrorCode));

/**
 * Base of every error the library throws on purpose. It sets `code` and `name` (`<code>Error`, written as data:
 * class names do not survive bundling); each subclass narrows `code` to its own and adds its fields. What stays
 * per class is on purpose: the fields callers read (positional, public API) and a message that says what to do.
 */
export abstract class OffboardingClientError extends Error {
  protected constructor(
    readonly code: OffboardingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = `${code}Error`;
  }
}

/** The input (or a message argument, or a tenant ID) breaks a contract rule; nothing was sent to Temporal. */
export class InvalidInputError extends OffboardingClientError {
  declare readonly code: typeof OffboardingErrorCode.InvalidInput;
  constructor(readonly problems: InputProblem[]) {
    super(OffboardingErrorCode.InvalidInput, `invalid input: ${describeProblems(problems)}`);
  }
}

/** A run for the tenant is open with a different input; `fields` names every field that differs. */
export class ConflictingOffboardingError extends OffboardingClientError {
  declare readonly code: typeof OffboardingErrorCode.ConflictingOffboarding;
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly runId: string,
    readonly fields: string[],
  ) {
    super(
      OffboardingErrorCode.ConflictingOffboarding,
      `an offboarding of tenant ${tenantId} is already running (${workflowId}) with a different input ` +
        `(differing fields: ${fields.join(', ')}); nothing was started. ` +
        `See it with "qlik-offboard status ${tenantId}"; to change it, cancel it ("qlik-offboard cancel ${tenantId}"), ` +
        'wait for it to end, then start again',
    );
  }
}

/** The tenant's last run completed (any outcome); a new one starts only with `restart: true` (`--restart`). */
export class AlreadyCompletedError extends OffboardingClientError {
  declare readonly code: typeof OffboardingErrorCode.AlreadyCompleted;
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly runId: string,
    readonly closedAt: Date | undefined,
  ) {
    super(
      OffboardingErrorCode.AlreadyCompleted,
      `the offboarding of tenant ${tenantId} (${workflowId}) already completed` +
        (closedAt ? ` at ${closedAt.toISOString()}` : '') +
        `; see its result with "qlik-offboard result ${tenantId}", or start it again with --restart (restart: true)`,
    );
  }
}

/** No workflow exists under the tenant's workflow ID. */
export class NoOffboardingError extends OffboardingClientError {
  declare readonly code: typeof OffboardingErrorCode.NoOffboarding;
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
  ) {
    super(
      OffboardingErrorCode.NoOffboarding,
      `no offboarding found for tenant ${tenantId} (workflow ID ${workflowId}); check the tenant ID ` +
        '(a dry run has its own ID: add --dry-run), or start one with "qlik-offboard start"',
    );
  }
}

/**
 * The requests of the contract's Updates (`cancelOffboarding`, `reactivateTenant`, `extendGracePeriod`,
 * `approveOffboarding`).
 */
export type SteeringRequest = 'cancel' | 'reactivate' | 'extend' | 'approve';

/**
 * The workflow refused a `cancelOffboarding`/`reactivateTenant`/`extendGracePeriod`/`approveOffboarding` Update;
 * `reason` is the validator's.
 */
export class RequestRejectedError extends OffboardingClientError {
  declare readonly code: typeof OffboardingErrorCode.RequestRejected;
  constructor(
    readonly tenantId: string,
    readonly request: SteeringRequest,
    readonly reason: string,
  ) {
    super(
      OffboardingErrorCode.RequestRejected,
      `${request === 'approve' ? 'approval' : request} of tenant ${tenantId} rejected: ${reason}; ` +
        `see "qlik-offboard status ${tenantId}"`,
    );
  }
}

/**
 * The stop registry refused a `stopDeactivations`/`resumeDeactivations` Update; `reason` is its validator's (e.g. no
 * such stop to resume). Same code as {@link RequestRejectedError}: a rejected request, exit 1.
 */
export class StopRequestRejectedError extends OffboardingClientError {
  declare readonly code: typeof OffboardingErrorCode.RequestRejected;
  constructor(
    readonly request: 'stop' | 'resume',
    readonly reason: string,
  ) {
    super(OffboardingErrorCode.RequestRejected, `${request} rejected: ${reason}; see "qlik-offboard stops"`);
  }
}

/** How a run ended when it did not complete. */
export type UnsuccessfulRunStatus = 'Failed' | 'Canceled' | 'Terminated' | 'TimedOut';

/**
 * The run ended without a result: Failed (with the contract's failure `type`), Canceled, Terminated or TimedOut.
 * `status` is the last status (`ApplicationFailure.details[0]`, or the `status` query) when it could be read.
 */
export class OffboardingEndedError extends OffboardingClientError {
  declare readonly code: typeof OffboardingErrorCode.OffboardingEnded;
  constructor(
    readonly tenantId: string,
    readonly runStatus: UnsuccessfulRunStatus,
    readonly failureType: string | undefined,
    readonly failureMessage: string,
    readonly status: OffboardingStatus | undefined,
  ) {
    super(
      OffboardingErrorCode.OffboardingEnded,
      `the offboarding of tenant ${tenantId} ended ${runStatus}` +
        (failureType ? ` (${failureType})` : '') +
        `: ${failureMessage}`,
    );
  }
}

/** True for errors of this library (checks the code, not the class: a second copy of the library still matches). */
export function isOffboardingClientError(error: unknown): error is OffboardingClientError {
  return error instanceof Error && CODES.has((error as { code?: unknown }).code as string);
}
