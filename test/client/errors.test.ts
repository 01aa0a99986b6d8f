/**
 * The client library's typed errors: one list of codes, each error's `code` and `name` from it, and the check that
 * matches by code rather than by class.
 */
import {
  AlreadyCompletedError,
  ConflictingOffboardingError,
  InvalidInputError,
  isOffboardingClientError,
  NoOffboardingError,
  OffboardingEndedError,
  OffboardingErrorCode,
  RequestRejectedError,
} from '../../src/client';

describe('client errors', () => {
  const errors = [
    new InvalidInputError([{ field: 'region', rule: 'must be a Qlik region code' }]),
    new ConflictingOffboardingError('t1', 'offboard-tenant-t1', 'run-1', ['region']),
    new AlreadyCompletedError('t1', 'offboard-tenant-t1', 'run-1', new Date('2026-01-31T00:00:00Z')),
    new NoOffboardingError('t1', 'offboard-tenant-t1'),
    new RequestRejectedError('t1', 'cancel', 'the run has finished'),
    new OffboardingEndedError('t1', 'Failed', 'TenantNotFound', 'not found', undefined),
  ];

  it('gives each error its own code from the one list, and the name <code>Error', () => {
    expect(errors.map((e) => e.code)).toEqual(Object.values(OffboardingErrorCode));
    for (const error of errors) {
      expect(error.name).toBe(`${error.code}Error`);
      expect(error.name).toBe(error.constructor.name);
      expect(error).toBeInstanceOf(Error);
      expect(isOffboardingClientError(error)).toBe(true);
    }
    expect(OffboardingErrorCode.NoOffboarding).toBe('NoOffboarding');
  });

  it('keeps the fields, the message and the name as own properties (what --json prints)', () => {
    const error = new ConflictingOffboardingError('t1', 'offboard-tenant-t1', 'run-1', ['region']);
    expect({ ...error }).toEqual({
      code: 'ConflictingOffboarding',
      name: 'ConflictingOffboardingError',
      tenantId: 't1',
      workflowId: 'offboard-tenant-t1',
      runId: 'run-1',
      fields: ['region'],
    });
    expect(error.message).toMatch(/^an offboarding of tenant t1 is already running \(offboard-tenant-t1\)/);
  });

  it('matches an error of another copy of the library by its code, and nothing else', () => {
    const foreign = Object.assign(new Error('x'), { code: 'RequestRejected' });
    expect(isOffboardingClientError(foreign)).toBe(true);
    expect(isOffboardingClientError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isOffboardingClientError(Object.assign(new Error('x'), { code: 5 }))).toBe(false);
    expect(isOffboardingClientError({ code: 'InvalidInput', message: 'not an Error' })).toBe(false);
    expect(isOffboardingClientError(undefined)).toBe(false);
  });
});
