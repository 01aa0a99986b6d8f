/**
 * Four-eyes approval before anything destructive (CONTRACT v3, "[4 of 4] Grace-period controls"). Under the worker
 * policy `OFFBOARD_APPROVAL=required`, recorded in the settings each run reads once, an offboarding that is not a dry
 * run waits in `awaiting-approval` after validation (and after `notBefore`) and before its first state-changing call,
 * until someone other than its requester approves it through the `approveOffboarding` Update. Unapproved after
 * `OFFBOARD_APPROVAL_TIMEOUT` it ends `approval-expired`, having changed nothing.
 *
 * `approvedBy` and `requestedBy` are audit records, not identities: who may send an Update at all is Temporal's access
 * control (namespace permissions, API keys, mTLS identities), and the history records each sender's Temporal
 * identity. The rule here refuses only the obvious self-approval: the same name, trimmed and case-insensitive.
 */
import { condition, log, setHandler } from '@temporalio/workflow';
import type { ApprovalPolicy, WorkerSettings } from '../activities/types';
import type { ApprovalArgs, OffboardingInput, OffboardingStatus } from '../shared/contract';
import { describeProblems, sameAuditName, validateApprovalArgs } from '../shared/input';
import { showDuration } from '../shared/show-duration';
import type { PolicyViolation } from '../shared/policy';
import type { Decisions } from './decisions';
import { approveUpdate } from './definitions';
import type { OffboardingRecord } from './record';

/** How the wait for an approval ended. */
export type ApprovalWait = 'approved' | 'decided' | 'expired' | 'continue-as-new';

/** The phases in which an approval is accepted: before the run's first state-changing call. */
const APPROVABLE_PHASES: ReadonlyArray<OffboardingStatus['phase']> = ['scheduled', 'awaiting-approval'];

export class Approvals {
  /** The run's policy once its settings are known; undefined while unknown, and when approval is off. */
  private policy: ApprovalPolicy | undefined;
  private dryRun = false;

  constructor(
    private readonly record: OffboardingRecord,
    private readonly decisions: Decisions,
  ) {}

  /** Installs the Update's handler. Call first, before any await, like the other handlers (decisions.ts). */
  install(): void {
    setHandler(approveUpdate, (args) => this.approve(args), { validator: (args) => this.validate(args) });
  }

  /** Takes the policy the run started with (absent in settings recorded before "[4 of 4]": off). */
  adopt(settings: WorkerSettings, input: OffboardingInput): void {
    this.policy = settings.approval?.mode === 'required' ? settings.approval : undefined;
    this.dryRun = input.dryRun === true;
    if (this.required) this.record.noteApprovalRequired(this.policy!.timeoutMs);
  }

  /** True when the run must be approved before it changes anything (a dry run changes nothing). */
  get required(): boolean {
    return this.policy !== undefined && !this.dryRun;
  }

  /**
   * The four-eyes rule needs a requester to compare the approver with: without `requestedBy` the run fails before any
   * call. Only the run can tell, since only the workers know their policy.
   */
  violation(input: OffboardingInput): PolicyViolation | undefined {
    if (!this.required || input.requestedBy?.trim()) return undefined;
    return {
      type: 'InvalidInput',
      message:
        'requestedBy: is required while the workers require approval (OFFBOARD_APPROVAL=required), so that the ' +
        'approver can be someone other than the requester; start again with requestedBy (--requested-by)',
    };
  }

  /**
   * Waits in `awaiting-approval` until the approval, a decision, the deadline or a continue-as-new. The deadline is
   * `OFFBOARD_APPROVAL_TIMEOUT` after entering the phase, which a continued run keeps (`phaseSince`). An approval
   * given while `scheduled` passes at once; a decision wins over an approval that came with it.
   */
  async waitForApproval(mustContinueAsNew: () => boolean): Promise<ApprovalWait> {
    if (this.decisions.decided) return 'decided';
    if (this.approved) return 'approved';
    this.record.enterPhase('awaiting-approval', { unlessIn: true });
    const deadlineMs = Date.parse(this.record.status.phaseSince) + this.policy!.timeoutMs;
    // No sleepUntil in the SDK: recompute the delay after every wake-up.
    while (Date.now() < deadlineMs) {
      await condition(() => this.approved || this.decisions.decided || mustContinueAsNew(), deadlineMs - Date.now(), {
        summary: `await approval until ${new Date(deadlineMs).toISOString()}`,
      });
      if (this.decisions.decided) return 'decided';
      if (this.approved) return 'approved';
      if (mustContinueAsNew()) return 'continue-as-new';
    }
    log.warn(`offboarding ${this.record.status.tenantId}: not approved in time; nothing was changed`, {
      deadline: new Date(deadlineMs).toISOString(),
    });
    return 'expired';
  }

  private get approved(): boolean {
    return this.record.status.approval !== undefined;
  }

  /**
   * Why the approval cannot be accepted, or undefined when it can. Total: any JSON value gets an answer (a validator
   * that threw something other than a rejection would fail the workflow task).
   */
  private whyRejected(args: unknown): string | undefined {
    const validated = validateApprovalArgs(args);
    if (!validated.ok) return `invalid argument: ${describeProblems(validated.problems)}`;
    const { status } = this.record;
    if (status.phase === 'completed' || status.phase === 'failed') return 'the offboarding has finished';
    if (status.approval) {
      return `the offboarding was already approved by ${status.approval.approvedBy} at ${status.approval.at}`;
    }
    if (status.decidedBy) return `a decision was already made: ${status.decidedBy.message} at ${status.decidedBy.at}`;
    if (!APPROVABLE_PHASES.includes(status.phase)) {
      return `an approval is accepted only in phase scheduled or awaiting-approval; the run is in phase ${status.phase}`;
    }
    if (this.dryRun) return 'a dry run changes nothing and needs no approval';
    if (!this.policy) return 'this run needs no approval: OFFBOARD_APPROVAL was off when it started';
    const requestedBy = status.requestedBy ?? '';
    if (sameAuditName(validated.value.approvedBy, requestedBy)) {
      return (
        `approvedBy: must be someone other than the run's requestedBy ${JSON.stringify(requestedBy)} ` +
        '(four eyes; compared trimmed and case-insensitively)'
      );
    }
    return undefined;
  }

  /** Synchronous Update validator: throwing here only rejects the Update, with the reason; the run goes on. */
  private validate(args: unknown): void {
    const why = this.whyRejected(args);
    if (why) throw new Error(why);
  }

  /** Records the approval and answers the status. Never throws (replay runs no validators). */
  private approve(args: ApprovalArgs): OffboardingStatus {
    const validated = validateApprovalArgs(args);
    if (validated.ok && !this.approved) {
      this.record.approve(validated.value);
      log.info(`offboarding ${this.record.status.tenantId}: approved by ${validated.value.approvedBy}`, {
        approvedBy: validated.value.approvedBy,
        reason: validated.value.reason,
      });
    }
    return this.record.snapshot();
  }
}

/**
 * The lines of the Web UI's current details about the approval: who may approve, the commands that do it, and the
 * deadline; once given, who approved it.
 */
export function approvalDetails(status: Readonly<OffboardingStatus>, workflowId: string, timeoutMs: number): string[] {
  if (status.approval) {
    const { approvedBy, at, reason } = status.approval;
    return [`**Approved** by ${approvedBy} at ${at}${reason ? ` (${reason})` : ''}`];
  }
  // Only where an approval is accepted: anywhere else the commands would only be rejected.
  if (!APPROVABLE_PHASES.includes(status.phase)) return [];
  const waiting = status.phase === 'awaiting-approval';
  const lines = [
    `**Approval required** (OFFBOARD_APPROVAL=required) before anything is changed: anyone but the requester ` +
      `${status.requestedBy ?? '(none)'} may approve (names compared trimmed and case-insensitively); who may send ` +
      "the Update is Temporal's access control, and the history records the sender's identity",
    `**Approve** \`npx qlik-offboard approve ${status.tenantId} --approved-by <who> --reason "…"\``,
    `**Or** \`temporal workflow update execute --workflow-id ${workflowId} --name approveOffboarding --input '{"approvedBy":"…","reason":"…"}'\``,
  ];
  if (waiting) {
    const deadline = new Date(Date.parse(status.phaseSince) + timeoutMs).toISOString();
    lines.push(
      `**Deadline** ${deadline} (OFFBOARD_APPROVAL_TIMEOUT, ${showDuration(timeoutMs)} after ${status.phaseSince}): ` +
        'unapproved by then, the run ends approval-expired having changed nothing',
    );
  } else {
    lines.push(
      `**Deadline** ${showDuration(timeoutMs)} (OFFBOARD_APPROVAL_TIMEOUT) after the run reaches awaiting-approval at ` +
        'notBefore; an approval given now takes effect then',
    );
  }
  return lines;
}
