/** Checking a tenant ID that arrives on its own (status, cancel, …) with the contract's rule. */
import { validateOffboardingInput } from '../shared/input';
import { InvalidInputError } from './errors';

/** Throws InvalidInputError naming `tenantId` and its rule unless `tenantId` is a valid Qlik tenant ID. */
export function validTenantId(tenantId: unknown): string {
  // Reuse the input validator's rule (and its wording) instead of a second copy of the pattern.
  const validated = validateOffboardingInput({ tenantId, hostname: 'x.example.com', region: 'eu' }, 0);
  if (!validated.ok) throw new InvalidInputError(validated.problems.filter((p) => p.field === 'tenantId'));
  return validated.value.tenantId;
}
