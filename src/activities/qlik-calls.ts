import { cancellationSignal } from '@temporalio/activity';
import type { DeactivateAnswer, ProbeAnswer, QlikClient, ReactivateAnswer, TenantRef } from '../qlik/types';
import { asActivity } from './failures';

/** The single Qlik calls, as activities: transient failures retry, the rest fail with the contract's types. */
export function createQlikCalls(deps: { qlik: QlikClient }) {
  const { qlik } = deps;
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

    async reactivateTenant(input: TenantRef): Promise<ReactivateAnswer> {
      return asActivity(() => qlik.reactivate(input));
    },

    /** One probe of the tenant host; never fails: an unclear answer is `unknown`. */
    async probeTenant(input: { hostname: string }): Promise<ProbeAnswer> {
      return qlik.probe(input.hostname, cancellationSignal());
    },
  };
}
