/**
 * Starting a tenant's offboarding with the contract's semantics (CONTRACT.md, "Temporal"): validate first; one
 * workflow ID per tenant; join an open run with the same input, refuse one with a different input; after a closed
 * run start again unless it Completed (then only with `restart`). The server enforces the ID policies, so many
 * clients starting the same tenant at once still produce exactly one workflow.
 */
import { type Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { type SearchAttributePair, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  DEFAULT_TASK_QUEUE,
  type MessageArgs,
  MESSAGE_NAMES,
  type OffboardingInput,
  RESTART_MEMO_KEY,
  workflowIdFor,
  WORKFLOW_TYPE,
} from '../shared/contract';
import { validateMessageArgs, validateOffboardingInput } from '../shared/input';
import { searchAttributes } from '../workflows/definitions';
import { differingFields } from './compare-inputs';
import { AlreadyCompletedError, ConflictingOffboardingError, InvalidInputError } from './errors';
import { describeLatest, startInputOf } from './runs';

/** Options of {@link startOffboarding}. */
export interface StartOptions {
  /** Start again after a Completed run (any outcome). Without it that is refused with AlreadyCompletedError. */
  restart?: boolean;
  /**
   * Task queue of the workflows (default: the contract's `tenant-offboarding`). The library reads no environment:
   * `connectClient()` returns the configured one as `taskQueue`, and the CLI passes it.
   */
  taskQueue?: string;
}

/** What a start did: `started: false` means an open run with the same input was joined. */
export interface StartedOffboarding {
  workflowId: string;
  runId: string;
  started: boolean;
}

/** A start can lose a race with a run that closes meanwhile; then it is simply tried again, a few times. */
const START_ATTEMPTS = 3;

/** Validates `raw` as the contract's input; throws InvalidInputError listing every broken rule. */
export function validInput(raw: unknown): OffboardingInput {
  const validated = validateOffboardingInput(raw, Date.now());
  if (!validated.ok) throw new InvalidInputError(validated.problems);
  return validated.value;
}

/** The one-line summary the Web UI shows for the run. */
export function staticSummaryFor(input: OffboardingInput): string {
  return (
    `Offboard tenant ${input.tenantId} (${input.hostname}, region ${input.region})` +
    (input.dryRun ? ' — dry run' : '') +
    (input.requestedBy ? `, requested by ${input.requestedBy}` : '')
  );
}

/** The run's fixed details for the Web UI (markdown): the input and the reason. The input holds no secrets. */
export function staticDetailsFor(input: OffboardingInput): string {
  const lines = ['**Input**', '', '```json', JSON.stringify(input, null, 2), '```'];
  if (input.reason) lines.push('', `**Reason** ${input.reason}`);
  if (input.notBefore) lines.push('', `**Not before** ${input.notBefore}`);
  return lines.join('\n');
}

/** The search attributes a run has from its start, so that dashboards and `list` see it at once. */
export function initialSearchAttributes(input: OffboardingInput, nowMs = Date.now()): SearchAttributePair[] {
  const scheduled = input.notBefore !== undefined && Date.parse(input.notBefore) > nowMs;
  const pairs: SearchAttributePair[] = [
    { key: searchAttributes.tenantId, value: input.tenantId },
    { key: searchAttributes.hostname, value: input.hostname },
    { key: searchAttributes.region, value: input.region },
    { key: searchAttributes.phase, value: scheduled ? 'scheduled' : 'validating' },
    { key: searchAttributes.phaseSince, value: new Date(nowMs) },
  ];
  if (input.requestedBy) pairs.push({ key: searchAttributes.requestedBy, value: input.requestedBy });
  return pairs;
}

function workflowOptions(input: OffboardingInput, options: StartOptions) {
  return {
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: workflowIdFor(input.tenantId, input.dryRun === true),
    args: [input] as [OffboardingInput],
    // The server decides which of several concurrent starts wins; the others see the open run below.
    workflowIdReusePolicy: options.restart
      ? WorkflowIdReusePolicy.ALLOW_DUPLICATE
      : WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    // The workflow keeps the closed-run rule itself (for callers that pass no reuse policy): it must see the restart.
    ...(options.restart ? { memo: { [RESTART_MEMO_KEY]: true } } : {}),
    staticSummary: staticSummaryFor(input),
    staticDetails: staticDetailsFor(input),
    typedSearchAttributes: initialSearchAttributes(input),
  };
}

/**
 * Starts (or joins) the tenant's offboarding. Throws InvalidInputError (nothing sent), ConflictingOffboardingError
 * (an open run has a different input) or AlreadyCompletedError (a completed run exists and `restart` is not set).
 */
export async function startOffboarding(
  client: Client,
  rawInput: OffboardingInput,
  options: StartOptions = {},
): Promise<StartedOffboarding> {
  const input = validInput(rawInput);
  const startOptions = workflowOptions(input, options);
  const { workflowId } = startOptions;
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await client.workflow.start(WORKFLOW_TYPE, {
        ...startOptions,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
      return { workflowId, runId: handle.firstExecutionRunId, started: true };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    const latest = await describeLatest(client, workflowId);
    if (latest?.status.name === 'RUNNING') {
      const fields = differingFields(await startInputOf(client, workflowId, latest.runId), input);
      if (fields.length > 0) throw new ConflictingOffboardingError(input.tenantId, workflowId, latest.runId, fields);
      return { workflowId, runId: latest.runId, started: false };
    }
    if (latest?.status.name === 'COMPLETED' && !options.restart) {
      throw new AlreadyCompletedError(input.tenantId, workflowId, latest.runId, latest.closeTime);
    }
    // The open run closed (or a completed one was restarted by someone else) between our start and describe.
    if (attempt >= START_ATTEMPTS) {
      throw new Error(`could not start ${workflowId}: its runs kept changing during ${START_ATTEMPTS} attempts`);
    }
  }
}

/**
 * Starts the offboarding and delivers `cancel` or `reactivate` with the start (signal-with-start): the workflow
 * sees the decision before any activity, so a run started this way makes no call to Qlik. When a run is already
 * open, the signal goes to it instead (its input is not compared).
 */
export async function startWithSignal(
  client: Client,
  rawInput: OffboardingInput,
  signal: 'cancel' | 'reactivate',
  args: MessageArgs = {},
  options: StartOptions = {},
): Promise<{ workflowId: string; runId: string }> {
  const input = validInput(rawInput);
  const validatedArgs = validateMessageArgs(args);
  if (!validatedArgs.ok) throw new InvalidInputError(validatedArgs.problems);
  const { args: workflowArgs, ...startOptions } = workflowOptions(input, options);
  const handle = await client.workflow.signalWithStart(WORKFLOW_TYPE, {
    ...startOptions,
    args: workflowArgs,
    signal: signal === 'cancel' ? MESSAGE_NAMES.cancelSignal : MESSAGE_NAMES.reactivateSignal,
    signalArgs: [validatedArgs.value],
  });
  return { workflowId: handle.workflowId, runId: handle.signaledRunId };
}
