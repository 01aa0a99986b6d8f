/**
 * Decides which injected fault, if any, hits a request: probabilistic rules draw from a seeded PRNG,
 * scripted rules hand out their steps in order. Faults are decided before rate limiting and before any
 * state is touched, so a `reset` or a `5xx` never applies a change.
 */
import type { Random } from './prng';
import type { FaultKind, FaultRule, FaultStep, RouteName } from './types';

/** What a request is about, for matching the rules' filters. */
export interface FaultTarget {
  route: RouteName;
  tenantId?: string;
  hostname?: string;
  /** The region of a registration-endpoint request (none for tenant-host probes). */
  region?: string;
}

/** The fault to inject into one request, with its parameters resolved. */
export interface FaultDecision {
  kind: FaultKind;
  /** For `429`. */
  retryAfterS: number;
  /** For `slow`. */
  delayMs: number;
}

const DEFAULT_RETRY_AFTER_S = 1;
const DEFAULT_DELAY_MS = 1000;

interface RuleState {
  rule: FaultRule;
  /** Steps of a sequence used so far, or times a probabilistic rule fired. */
  used: number;
  /** False until a request on the rule's `after` route matched its filters (always true without `after`). */
  armed: boolean;
}

/** The rule's tenant, hostname and region filters (not its route). */
function matchesFilters(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.tenantId !== undefined && rule.tenantId !== target.tenantId) return false;
  if (rule.hostname !== undefined && rule.hostname.toLowerCase() !== target.hostname?.toLowerCase()) return false;
  if (rule.region !== undefined && rule.region !== target.region) return false;
  return true;
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.route !== '*' && rule.route !== target.route) return false;
  return matchesFilters(rule, target);
}

function decision(rule: FaultRule, step: Exclude<FaultStep, 'ok'>): FaultDecision {
  const own: { retryAfterS?: number; delayMs?: number } = typeof step === 'string' ? {} : step;
  return {
    kind: typeof step === 'string' ? step : step.kind,
    retryAfterS: own.retryAfterS ?? rule.retryAfterS ?? DEFAULT_RETRY_AFTER_S,
    delayMs: own.delayMs ?? rule.delayMs ?? DEFAULT_DELAY_MS,
  };
}

/** The fault rules in force and how far each has got. */
export class FaultPlan {
  private rules: RuleState[] = [];

  /** `random` is read only by probabilistic rules, so adding a scripted rule does not shift their draws. */
  constructor(private random: Random) {}

  /** Replaces the rules; scripted sequences start again from their first step. */
  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule: { ...rule }, used: 0, armed: rule.after === undefined }));
  }

  /** Switches to another PRNG stream (e.g. after the seed was changed). */
  reseed(random: Random): void {
    this.random = random;
  }

  /** The fault for this request, or undefined to handle it normally. */
  decide(target: FaultTarget): FaultDecision | undefined {
    const fault = this.pick(target);
    // Armed by this request, a rule applies from the next one on: a rule is never armed by the request it faults.
    for (const state of this.rules) {
      if (!state.armed && state.rule.after === target.route && matchesFilters(state.rule, target)) state.armed = true;
    }
    return fault;
  }

  private pick(target: FaultTarget): FaultDecision | undefined {
    for (const state of this.rules) {
      const { rule } = state;
      if (!state.armed || !matches(rule, target)) continue;
      if (rule.sequence) {
        if (state.used >= rule.sequence.length) continue;
        const step = rule.sequence[state.used++];
        // An 'ok' step is the script saying "let this one through": later rules must not fault it.
        return step === 'ok' ? undefined : decision(rule, step);
      }
      if (rule.kind === undefined) continue;
      if (rule.times !== undefined && state.used >= rule.times) continue;
      const p = rule.probability ?? 1;
      const fires = p >= 1 || (p > 0 && this.random() < p);
      if (fires) {
        state.used++;
        return decision(rule, rule.kind);
      }
    }
    return undefined;
  }
}
