/**
 * The worker-side rules an input must also pass (allowed hostname suffixes, protected tenants, served regions).
 * Pure: the workflow applies them to settings it read through a local activity.
 */
import type { FailureType, OffboardingInput } from './contract';

/** What the workers' configuration allows. */
export interface OffboardingPolicy {
  allowedHostnameSuffixes: string[];
  protectedTenants: string[];
  regions: string[];
}

export interface PolicyViolation {
  type: Extract<FailureType, 'InvalidInput' | 'ProtectedTenant' | 'RegionNotConfigured'>;
  message: string;
}

/** True when `hostname` ends with `suffix` on a label boundary (`.qlikcloud.com` or `qlikcloud.com`). */
function hasSuffix(hostname: string, suffix: string): boolean {
  const dotted = suffix.startsWith('.') ? suffix : `.${suffix}`;
  return hostname.endsWith(dotted) && hostname.length > dotted.length;
}

/** The first rule of the policy that `input` breaks, or undefined. */
export function checkPolicy(input: OffboardingInput, policy: OffboardingPolicy): PolicyViolation | undefined {
  if (policy.protectedTenants.includes(input.tenantId)) {
    return {
      type: 'ProtectedTenant',
      message: `tenant ${input.tenantId} is on the protected list (OFFBOARD_PROTECTED_TENANTS) and is never offboarded`,
    };
  }
  if (!policy.regions.includes(input.region)) {
    return {
      type: 'RegionNotConfigured',
      message: `region: no worker serves region "${input.region}" (served: ${policy.regions.join(', ') || 'none'})`,
    };
  }
  const hostname = input.hostname.toLowerCase();
  if (!policy.allowedHostnameSuffixes.some((suffix) => hasSuffix(hostname, suffix.toLowerCase()))) {
    return {
      type: 'InvalidInput',
      message: `hostname: must end with an allowed suffix (${policy.allowedHostnameSuffixes.join(', ')})`,
    };
  }
  return undefined;
}
