/**
 * The typed errors of the client library, with stable `code`s that callers branch on (class names do not
 * survive bundling or a second copy of the library). Each message says what to do next.
 */
import type { InputProblem } from '../shared/input';
import { describeProblems } from '../shared/input';
import type { OffboardingStatus } from '../shared/contract';

/** The stable codes of {@link OffboardingClientError}. */
export type OffboardingErrorCode =
  | 'InvalidInput'
  | 'ConflictingOffboarding'
  | 'AlreadyCompleted'
  | 'NoOffboarding'
  | 'RequestRejected'
  | 'OffboardingEnded';

/** Base of every error the library throws on purpose. */
export abstract class OffboardingClientError extends Error {
  abstract readonly code: OffboardingErrorCode;
}

/** The input (or a message argument, or a tenant ID) breaks a contract rule; nothing was sent to Temporal. */
export class InvalidInputError extends OffboardingClientError {
  readonly code = 'InvalidInput' as const;
  constructor(readonly problems: InputProblem[]) {
    super(`invalid input: ${describeProblems(problems)}`);
    this.name = 'InvalidInputError';
  }
}

/** A run for the tenant is open with a different input; `fields` names every field that differs. */
export class ConflictingOffboardingError extends OffboardingClientError {
  readonly code = 'ConflictingOffboarding' as const;
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly runId: string,
    readonly fields: string[],
  ) {
    super(
      `an offboarding of tenant ${tenantId} is already running (${workflowId}) with a different input ` +
        `(differing fields: ${fields.join(', ')}); nothing was started. ` +
        `See it with "qlik-offboard status ${tenantId}"; to change it, cancel it ("qlik-offboard cancel ${tenantId}"), ` +
        'wait for it to end, then start again',
    );
    this.name = 'ConflictingOffboardingError';
  }
}

/** The tenant's last run completed (any outcome); a new one starts only with `restart: true` (`--restart`). */
export class AlreadyCompletedError extends OffboardingClientError {
  readonly code = 'AlreadyCompleted' as const;
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly runId: string,
    readonly closedAt: Date | undefined,
  ) {
    super(
      `the offboarding of tenant ${tenantId} (${workflowId}) already completed` +
        (closedAt ? ` at ${closedAt.toISOString()}` : '') +
        `; see its result with "qlik-offboard result ${tenantId}", or start it again with --restart (restart: true)`,
    );
    this.name = 'AlreadyCompletedError';
  }
}

/** No workflow exists under the tenant's workflow ID. */
export class NoOffboardingError extends OffboardingClientError {
  readonly code = 'NoOffboarding' as const;
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
  ) {
    super(
      `no offboarding found for tenant ${tenantId} (workflow ID ${workflowId}); check the tenant ID ` +
        '(a dry run has its own ID: add --dry-run), or start one with "qlik-offboard start"',
    );
    this.name = 'NoOffboardingError';
  }
}

/** The workflow refused a `cancelOffboarding`/`reactivateTenant` Update; `reason` is the validator's. */
export class RequestRejectedError extends OffboardingClientError {
  readonly code = 'RequestRejected' as const;
  constructor(
    readonly tenantId: string,
    readonly request: 'cancel' | 'reactivate',
    readonly reason: string,
  ) {
    super(`${request} of tenant ${tenantId} rejected: ${reason}; see "qlik-offboard status ${tenantId}"`);
    this.name = 'RequestRejectedError';
  }
}

/** How a run ended when it did not complete. */
export type UnsuccessfulRunStatus = 'Failed' | 'Canceled' | 'Terminated' | 'TimedOut';

/**
 * The run ended without a result: Failed (with the contract's failure `type`), Canceled, Terminated or TimedOut.
 * `status` is the last status (`ApplicationFailure.details[0]`, or the `status` query) when it could be read.
 */
export class OffboardingEndedError extends OffboardingClientError {
  readonly code = 'OffboardingEnded' as const;
  constructor(
    readonly tenantId: string,
    readonly runStatus: UnsuccessfulRunStatus,
    readonly failureType: string | undefined,
    readonly failureMessage: string,
    readonly status: OffboardingStatus | undefined,
  ) {
    super(
      `the offboarding of tenant ${tenantId} ended ${runStatus}` +
        (failureType ? ` (${failureType})` : '') +
        `: ${failureMessage}`,
    );
    this.name = 'OffboardingEndedError';
  }
}

/** True for errors of this library (checks the code, not the class: a second copy of the library still matches). */
export function isOffboardingClientError(error: unknown): error is OffboardingClientError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    [
      'InvalidInput',
      'ConflictingOffboarding',
      'AlreadyCompleted',
      'NoOffboarding',
      'RequestRejected',
      'OffboardingEnded',
    ].includes((error as unknown as { code: string }).code)
  );
}
