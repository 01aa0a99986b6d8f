import { cancellationSignal } from '@temporalio/activity';
import type { DeactivateAnswer, ProbeAnswer, QlikClient, ReactivateAnswer, TenantRef } from '../qlik/types';
import { asActivity } from './failures';
import type { DeactivateAttemptResult, DeactivationStop } from './types';

/** Finds the stop (`qlik-offboard stop`) that holds back a deactivate of this region and requester, if any. */
export type StopCheck = (selector: { region: string; requestedBy?: string }) => Promise<DeactivationStop | undefined>;

/** The single Qlik calls, as activities: transient failures retry, the rest fail with the contract's types. */
export function createQlikCalls(deps: { qlik: QlikClient; stopFor?: StopCheck }) {
  const { qlik, stopFor } = deps;
  return {
    /** Warms the worker's token cache and proves the credentials early; returns only the expiry, never the token. */
    async ensureToken(input: { region: string }): Promise<{ expiresAt: string }> {
      return asActivity(() => qlik.ensureToken(input.region, cancellationSignal()));
    },

    async deactivateTenant(
      input: TenantRef & { purgeAfterDays?: number },
    ): Promise<DeactivateAnswer & { answeredAt: string }> {
      // No cancellation signal: a deactivate once sent is never interrupted (the workflow also shields it).
      const answer = await asActivity(() => qlik.deactivate(input));
      // When Qlik answered, for the plausibility of its purge date: the workflow learns of it a task later.
      return { ...answer, answeredAt: new Date().toISOString() };
    },

    /**
     * One deactivate attempt (revision 2: the workflow schedules each attempt as its own activity, so that one the
     * server cancels before it started is known never to have been sent). An emergency stop is checked last thing
     * before the request, so that a stop holds back every attempt that had not reached Qlik yet. When the stops
     * cannot be read the attempt is not sent either, and says so: the workflow must know that nothing was sent.
     */
    async deactivateAttempt(
      input: TenantRef & { purgeAfterDays?: number; requestedBy?: string },
    ): Promise<DeactivateAttemptResult> {
      let stop: DeactivationStop | undefined;
      try {
        stop = await stopFor?.({ region: input.region, requestedBy: input.requestedBy });
      } catch (error) {
        return { sent: false, stopsUnreadable: error instanceof Error ? error.message : String(error) };
      }
      if (stop) return { sent: false, stop };
      const { requestedBy: _notForQlik, ...call } = input;
      // No cancellation signal: a request once sent is never interrupted, and a started attempt always reports
      // how it ended (never "cancelled", which the workflow reads as "never started").
      const answer = await asActivity(() => qlik.deactivate(call));
      return { sent: true, answer: { ...answer, answeredAt: new Date().toISOString() } };
    },

    async reactivateTenant(input: TenantRef): Promise<ReactivateAnswer> {
      return asActivity(() => qlik.reactivate(input));
    },

    /**
     * One probe of the tenant host; never fails: an unclear answer is `unknown`. `timeoutMs` shortens the request
     * timeout (the grace probes run it as a local activity, which must end well within a workflow task's timeout).
     */
    async probeTenant(input: { hostname: string; timeoutMs?: number }): Promise<ProbeAnswer> {
      const options = input.timeoutMs === undefined ? undefined : { timeoutMs: input.timeoutMs };
      return qlik.probe(input.hostname, cancellationSignal(), options);
    },
  };
}
