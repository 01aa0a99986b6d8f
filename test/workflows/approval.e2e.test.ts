/**
 * Issue "[4 of 4] Grace-period controls", item 2: four-eyes approval before anything destructive (CONTRACT v3). On the
 * dev server, with the product's workers and the Qlik simulator over real HTTP, under `OFFBOARD_APPROVAL=required`:
 * a run waits in `awaiting-approval` with no call to the tenant until someone other than its requester approves it
 * through `approveOffboarding`, and only then deactivates; the validator rejects self-approval, a second approval,
 * other phases and every malformed argument; cancel, reactivate and a cancellation request end a waiting run with no
 * call; an approval given while `scheduled` takes effect at notBefore; unapproved runs end `approval-expired`; a run
 * without `requestedBy` fails `InvalidInput` before any call; a dry run needs no approval.
 *
 * Three harnesses share one dev server: approval required with a long timeout, required with a 2 s timeout (the
 * expiry cases), and off. Every case starts in `beforeAll` and is observed concurrently.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approveOffboarding } from '../../src/client';
import type { RequestLogEntry } from '../../src/simulator';
import { MESSAGE_NAMES, type OffboardingStatus, type Phase } from '../../src/shared/contract';
import {
  approveUpdate,
  cancelSignal,
  reactivateUpdate,
  searchAttributes,
  statusQuery,
} from '../../src/workflows/definitions';
import { tenant } from '../../harness/simulator';
import { waitFor } from '../../harness/wait';
import { type Harness, startHarness, startLocalHarness, stopLocalHarness } from '../../harness/workers';
import {
  describeEnd,
  type Handle,
  offboarding,
  requestsFor,
  type RunEnd,
  Scenarios,
  settle,
  sleep,
  start,
  waitForStatus,
} from '../support/edges';

const { EventType } = temporal.api.enums.v1;
const LONG_TIMEOUT = '10m';

let env: TestWorkflowEnvironment;
/** OFFBOARD_APPROVAL=required, OFFBOARD_APPROVAL_TIMEOUT=10m. */
let h: Harness;
/** OFFBOARD_APPROVAL=required, OFFBOARD_APPROVAL_TIMEOUT=2s. */
let hx: Harness;
/** OFFBOARD_APPROVAL=off (the default). */
let hoff: Harness;
/** OFFBOARD_APPROVAL=required, 10m, and a history bound of 80 events: runs continue as new while they wait. */
let hcan: Harness;

const scenarios = new Scenarios<unknown>();
function observation<T>(name: string): Promise<T> {
  return scenarios.get(name) as Promise<T>;
}

/** The tenant's calls as `route` names (token requests are per region, so they are not about one tenant). */
function tenantCalls(harness: Harness, id: string): Array<RequestLogEntry['route']> {
  return requestsFor(harness, id).map((r) => r.route);
}

/** Sends `approveOffboarding` with `args` exactly as given (untyped handle); the status, or the rejection's reason. */
async function approveRaw(
  harness: Harness,
  workflowId: string,
  args: unknown[],
): Promise<{ accepted: OffboardingStatus } | { rejected: string; error: string }> {
  return (
    harness.client.workflow
      .getHandle(workflowId)
      // The untyped handle sends the arguments as they are: no client-side validation, no wrapping.
      .executeUpdate(MESSAGE_NAMES.approveUpdate, { args: args as [unknown] })
      .then(
        (status) => ({ accepted: status as OffboardingStatus }),
        (error: Error & { cause?: Error }) => ({
          rejected: error.cause?.message ?? error.message,
          error: error.constructor.name,
        }),
      )
  );
}

function reasonOf(answer: Awaited<ReturnType<typeof approveRaw>>): string {
  return 'rejected' in answer ? answer.rejected : 'accepted';
}

/** The messages of the run's failed workflow tasks (none, when the validator kept every rejection to itself). */
async function workflowTaskFailures(handle: Handle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .map((e) => e.workflowTaskFailedEventAttributes?.failure?.message ?? '(no message)');
}

/** Waits until the run shows `phase`; throws with the last status otherwise. */
async function inPhase(handle: Handle, phase: Phase): Promise<OffboardingStatus> {
  const { reached, status } = await waitForStatus(handle, (s) => s.phase === phase, 30_000);
  if (!reached) throw new Error(`never reached ${phase}: phase ${status.phase}, ${JSON.stringify(status.lastError)}`);
  return status;
}

/** The phases a run shows from now until it closes, polled every 100 ms. */
function phasesUntilClosed(handle: Handle): Promise<Phase[]> {
  const seen: Phase[] = [];
  return (async () => {
    for (;;) {
      const status = await handle.query(statusQuery).catch(() => undefined);
      if (status && seen.at(-1) !== status.phase) seen.push(status.phase);
      if (status?.phase === 'completed' || status?.phase === 'failed') return seen;
      await sleep(100);
    }
  })();
}

function ended(end: RunEnd) {
  return { end: end.end, outcome: end.outcome, failureType: end.failureType };
}

beforeAll(async () => {
  ({ env, h } = await startLocalHarness({
    env: { OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: LONG_TIMEOUT },
  }));
  hx = await startHarness(env, { env: { OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: '2s' } });
  hoff = await startHarness(env, {});
  hcan = await startHarness(env, { env: { OFFBOARD_APPROVAL: 'required', OFFBOARD_APPROVAL_TIMEOUT: LONG_TIMEOUT } });
  hcan.config.historyBounds = { events: 80, bytes: 1024 * 1024 };
  for (const harness of [h, hx, hoff, hcan]) await harness.startWorkers();

  scenarios.run('approved', approvedCase);
  scenarios.run('four eyes', fourEyesCase);
  scenarios.run('approved while scheduled', approvedWhileScheduledCase);
  scenarios.run('cancel signal', () => stopWhileWaiting('Ap-Cancel', (handle) => handle.signal(cancelSignal, {})));
  scenarios.run('reactivate update', () =>
    stopWhileWaiting('Ap-React', (handle) => handle.executeUpdate(reactivateUpdate, { args: [{ reason: 'no' }] })),
  );
  scenarios.run('cancellation request', () => stopWhileWaiting('Ap-Request', (handle) => handle.cancel()));
  scenarios.run('malformed', malformedCase);
  scenarios.run('no requester', () => noRequesterCase('Ap-NoRequester', undefined));
  scenarios.run('blank requester', () => noRequesterCase('Ap-BlankRequester', '   '));
  scenarios.run('dry run', dryRunCase);
  scenarios.run('expired', expiredCase);
  scenarios.run('expired after notBefore', expiredAfterNotBeforeCase);
  scenarios.run('approval off', approvalOffCase);
  scenarios.run('continued as new', continuedAsNewCase);
}, 120_000);

afterAll(async () => {
  await hx?.close();
  await hoff?.close();
  await hcan?.close();
  await stopLocalHarness(h, env);
}, 120_000);

interface ApprovedSeen {
  end: ReturnType<typeof ended>;
  whileWaiting: {
    phase: Phase;
    searchAttributePhase?: string;
    tenantCalls: string[];
    details: string;
  };
  answer?: OffboardingStatus['approval'];
  recorded?: OffboardingStatus['approval'];
  /** ms from sending the approval to the deactivate's receipt at the simulator (positive: after). */
  deactivateAfterApprovalMs: number;
  deactivates: number;
  deadlineShown: string;
}

async function approvedCase(): Promise<ApprovedSeen> {
  h.sim.addTenant(tenant('Ap-Approved'));
  const handle = await start(h, offboarding('Ap-Approved', { purgeAfterDays: 10, requestedBy: 'alice' }));
  const waiting = await inPhase(handle, 'awaiting-approval');
  // It stays there: a second and a half later still nothing has reached the tenant.
  await sleep(1_500);
  const still = await handle.query(statusQuery);
  const described = await handle.describe();
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  const whileWaiting = {
    phase: still.phase,
    searchAttributePhase: described.typedSearchAttributes.get(searchAttributes.phase),
    tenantCalls: tenantCalls(h, 'Ap-Approved'),
    details: metadata.currentDetails ?? '',
  };
  const sentAt = Date.now();
  const answer = await handle.executeUpdate(approveUpdate, { args: [{ approvedBy: 'bob', reason: 'checked CRM' }] });
  const end = await settle(handle, 45_000);
  const deactivates = requestsFor(h, 'Ap-Approved').filter((r) => r.route === 'deactivate');
  return {
    end: ended(end),
    whileWaiting,
    answer: answer.approval,
    recorded: end.status?.approval,
    deactivateAfterApprovalMs: (deactivates[0]?.at ?? 0) - sentAt,
    deactivates: deactivates.length,
    deadlineShown: new Date(Date.parse(waiting.phaseSince) + 10 * 60_000).toISOString(),
  };
}

describe('under OFFBOARD_APPROVAL=required', () => {
  it('waits in awaiting-approval with no tenant call, then deactivates only after the approval and offboards', async () => {
    const seen = await observation<ApprovedSeen>('approved');
    expect(seen).toEqual({
      end: { end: 'completed', outcome: 'purged', failureType: undefined },
      whileWaiting: {
        phase: 'awaiting-approval',
        searchAttributePhase: 'awaiting-approval',
        tenantCalls: [],
        details: expect.any(String),
      },
      answer: { approvedBy: 'bob', at: expect.any(String), reason: 'checked CRM' },
      recorded: { approvedBy: 'bob', at: seen.answer?.at, reason: 'checked CRM' },
      deactivateAfterApprovalMs: expect.any(Number),
      deactivates: 1,
      deadlineShown: expect.any(String),
    });
    expect(seen.deactivateAfterApprovalMs).toBeGreaterThanOrEqual(0);
    // The Web UI says what the run waits for, who may approve, how, and until when.
    const { details } = seen.whileWaiting;
    expect(details).toContain('**Phase** awaiting-approval');
    expect(details).toMatch(/anyone but the requester alice may approve/);
    expect(details).toContain('`npx qlik-offboard approve Ap-Approved --approved-by <who>');
    expect(details).toContain(
      '`temporal workflow update execute --workflow-id offboard-tenant-Ap-Approved --name approveOffboarding --input',
    );
    expect(details).toContain(`**Deadline** ${seen.deadlineShown} (OFFBOARD_APPROVAL_TIMEOUT, 10m after`);
    expect(details).toMatch(/\*\*Cancel\*\* `temporal workflow signal --workflow-id offboard-tenant-Ap-Approved/);
  });
});

interface FourEyesSeen {
  selfApprovals: string[];
  firstValid: string;
  secondApproval: string;
  end: ReturnType<typeof ended>;
  recorded?: OffboardingStatus['approval'];
  workflowTaskFailures: string[];
}

async function fourEyesCase(): Promise<FourEyesSeen> {
  h.sim.addTenant(tenant('Ap-FourEyes'));
  const handle = await start(h, offboarding('Ap-FourEyes', { purgeAfterDays: 10, requestedBy: 'Alice.Smith' }));
  await inPhase(handle, 'awaiting-approval');
  const selfApprovals: string[] = [];
  for (const approvedBy of ['Alice.Smith', 'alice.smith', '  ALICE.SMITH  ']) {
    selfApprovals.push(reasonOf(await approveRaw(h, handle.workflowId, [{ approvedBy }])));
  }
  const firstValid = reasonOf(await approveRaw(h, handle.workflowId, [{ approvedBy: ' Bob ' }]));
  const secondApproval = reasonOf(await approveRaw(h, handle.workflowId, [{ approvedBy: 'carol' }]));
  const end = await settle(handle, 45_000);
  return {
    selfApprovals,
    firstValid,
    secondApproval,
    end: ended(end),
    recorded: end.status?.approval,
    workflowTaskFailures: await workflowTaskFailures(handle),
  };
}

describe('the approveOffboarding validator', () => {
  it('rejects self-approval (trimmed, case-insensitive) and a second approval; the first valid one counts', async () => {
    const seen = await observation<FourEyesSeen>('four eyes');
    const self =
      'approvedBy: must be someone other than the run\'s requestedBy "Alice.Smith" (four eyes; compared trimmed and case-insensitively)';
    expect(seen).toEqual({
      selfApprovals: [self, self, self],
      firstValid: 'accepted',
      secondApproval: expect.stringMatching(/^the offboarding was already approved by Bob at \d{4}-/),
      end: { end: 'completed', outcome: 'purged', failureType: undefined },
      recorded: { approvedBy: 'Bob', at: expect.any(String) },
      workflowTaskFailures: [],
    });
  });
});

interface ScheduledSeen {
  answer: { phase?: Phase; approvedBy?: string };
  phases: Phase[];
  end: ReturnType<typeof ended>;
  deactivateAfterNotBeforeMs: number;
  /** The twin scheduled for the same time without an approval: it waits for one at notBefore, untouched. */
  twin: { phase: Phase; tenantCalls: string[] };
}

async function approvedWhileScheduledCase(): Promise<ScheduledSeen> {
  h.sim.addTenant(tenant('Ap-Scheduled'));
  h.sim.addTenant(tenant('Ap-ScheduledTwin'));
  const notBefore = new Date(Date.now() + 4_000).toISOString();
  const handle = await start(h, offboarding('Ap-Scheduled', { purgeAfterDays: 10, requestedBy: 'alice', notBefore }));
  const twin = await start(h, offboarding('Ap-ScheduledTwin', { purgeAfterDays: 10, requestedBy: 'alice', notBefore }));
  await inPhase(handle, 'scheduled');
  const answer = await handle.executeUpdate(approveUpdate, { args: [{ approvedBy: 'bob' }] });
  const phases = await phasesUntilClosed(handle);
  const end = await settle(handle, 45_000);
  const deactivate = requestsFor(h, 'Ap-Scheduled').find((r) => r.route === 'deactivate');
  // By now notBefore has passed for the twin too; unapproved, it must wait and have called nothing.
  const twinSeen = { phase: (await twin.query(statusQuery)).phase, tenantCalls: tenantCalls(h, 'Ap-ScheduledTwin') };
  await twin.signal(cancelSignal, {}).catch(() => undefined);
  await settle(twin);
  return {
    answer: { phase: answer.phase, approvedBy: answer.approval?.approvedBy },
    phases,
    end: ended(end),
    deactivateAfterNotBeforeMs: (deactivate?.at ?? 0) - Date.parse(notBefore),
    twin: twinSeen,
  };
}

describe('an approval sent while scheduled', () => {
  it('is accepted and takes effect at notBefore: no awaiting-approval, the deactivate comes after notBefore', async () => {
    const seen = await observation<ScheduledSeen>('approved while scheduled');
    expect(seen).toEqual({
      answer: { phase: 'scheduled', approvedBy: 'bob' },
      phases: expect.not.arrayContaining(['awaiting-approval']),
      end: { end: 'completed', outcome: 'purged', failureType: undefined },
      deactivateAfterNotBeforeMs: expect.any(Number),
      twin: { phase: 'awaiting-approval', tenantCalls: [] },
    });
    expect(seen.phases[0]).toBe('scheduled');
    expect(seen.deactivateAfterNotBeforeMs).toBeGreaterThanOrEqual(0);
  });
});

interface StoppedSeen {
  end: ReturnType<typeof ended>;
  decidedBy?: string;
  tenantCalls: string[];
  tenantAtQlik?: string;
}

async function stopWhileWaiting(id: string, stop: (handle: Handle) => Promise<unknown>): Promise<StoppedSeen> {
  h.sim.addTenant(tenant(id));
  const handle = await start(h, offboarding(id, { purgeAfterDays: 10, requestedBy: 'alice' }));
  await inPhase(handle, 'awaiting-approval');
  await stop(handle);
  const end = await settle(handle, 45_000);
  const status = end.status ?? (await handle.query(statusQuery));
  // A little longer: a deactivate that slipped through would show by now.
  await sleep(500);
  return {
    end: ended(end),
    decidedBy: status.decidedBy?.message,
    tenantCalls: tenantCalls(h, id),
    tenantAtQlik: h.sim.tenant(id)?.status,
  };
}

describe('a decision while awaiting approval', () => {
  const noCall = { tenantCalls: [], tenantAtQlik: 'active' };
  it('cancel: outcome cancelled, no call', async () => {
    expect(await observation<StoppedSeen>('cancel signal')).toEqual({
      end: { end: 'completed', outcome: 'cancelled', failureType: undefined },
      decidedBy: 'cancel',
      ...noCall,
    });
  });

  it('reactivateTenant: outcome cancelled (never deactivated), no call', async () => {
    expect(await observation<StoppedSeen>('reactivate update')).toEqual({
      end: { end: 'completed', outcome: 'cancelled', failureType: undefined },
      decidedBy: 'reactivate',
      ...noCall,
    });
  });

  it('a cancellation request: the run ends Canceled, no call', async () => {
    expect(await observation<StoppedSeen>('cancellation request')).toEqual({
      end: { end: 'canceled', outcome: undefined, failureType: undefined },
      decidedBy: 'cancellation',
      ...noCall,
    });
  });
});

/** Each class of malformed argument (as the payload converter would deliver it) and the rule it must be refused by. */
const MALFORMED: Array<{ name: string; args: unknown[]; reason: RegExp }> = [
  { name: 'no argument', args: [], reason: /^invalid argument: \(argument\): must be an object .*\(got nothing\)$/ },
  { name: 'null', args: [null], reason: /\(argument\): must be an object .*\(got null\)$/ },
  { name: 'a number', args: [42], reason: /\(got number\)$/ },
  { name: 'a string', args: ['bob'], reason: /\(got string\)$/ },
  { name: 'an array', args: [['bob']], reason: /\(got array\)$/ },
  { name: 'an empty object', args: [{}], reason: /^invalid argument: approvedBy: is required/ },
  {
    name: 'an empty approvedBy',
    args: [{ approvedBy: '' }],
    reason: /approvedBy: must not be empty or only whitespace/,
  },
  { name: 'a blank approvedBy', args: [{ approvedBy: '   ' }], reason: /approvedBy: must not be empty or only/ },
  { name: 'approvedBy null', args: [{ approvedBy: null }], reason: /approvedBy: must not be null/ },
  { name: 'approvedBy a number', args: [{ approvedBy: 7 }], reason: /approvedBy: must be a string \(got number\)/ },
  { name: 'a control character', args: [{ approvedBy: 'bo\nb' }], reason: /approvedBy: must not contain control/ },
  {
    name: 'an oversized approvedBy',
    args: [{ approvedBy: 'b'.repeat(10_000) }],
    reason: /approvedBy: must be at most 200 characters \(got 10000\)/,
  },
  { name: 'a reason object', args: [{ approvedBy: 'bob', reason: { a: 1 } }], reason: /reason: must be a string/ },
  { name: 'an unknown field', args: [{ approvedBy: 'bob', requestedBy: 'x' }], reason: /requestedBy: is not a known/ },
  {
    name: 'keys that shadow Object.prototype members',
    args: [JSON.parse('{"constructor":"x","__proto__":{"a":1},"valueOf":1,"approvedBy":"bob"}')],
    reason: /^invalid argument: constructor: is not a known field; __proto__: is not a known field; valueOf: is not/,
  },
  {
    name: 'deep nesting',
    args: [JSON.parse(`{"approvedBy":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}}`)],
    reason: /^invalid argument: approvedBy: must be a string \(got object\)$/,
  },
];

interface MalformedSeen {
  rejections: Array<{ name: string; error: string; reason: string }>;
  phaseAfter: Phase;
  accepted: string;
  end: ReturnType<typeof ended>;
  workflowTaskFailures: string[];
}

async function malformedCase(): Promise<MalformedSeen> {
  h.sim.addTenant(tenant('Ap-Malformed'));
  const handle = await start(h, offboarding('Ap-Malformed', { purgeAfterDays: 10, requestedBy: 'alice' }));
  await inPhase(handle, 'awaiting-approval');
  const rejections: MalformedSeen['rejections'] = [];
  for (const shape of MALFORMED) {
    const answer = await approveRaw(h, handle.workflowId, shape.args);
    rejections.push({
      name: shape.name,
      error: 'rejected' in answer ? answer.error : 'accepted',
      reason: reasonOf(answer),
    });
  }
  const phaseAfter = (await handle.query(statusQuery)).phase;
  const accepted = reasonOf(await approveRaw(h, handle.workflowId, [{ approvedBy: 'bob' }]));
  const end = await settle(handle, 45_000);
  return {
    rejections,
    phaseAfter,
    accepted,
    end: ended(end),
    workflowTaskFailures: await workflowTaskFailures(handle),
  };
}

describe('an approveOffboarding Update with a malformed argument', () => {
  it('is rejected by the validator naming the field and rule; the run goes on and a valid approval then counts', async () => {
    const seen = await observation<MalformedSeen>('malformed');
    expect(seen).toEqual({
      rejections: MALFORMED.map((shape) => ({
        name: shape.name,
        error: WorkflowUpdateFailedError.name,
        reason: expect.stringMatching(shape.reason),
      })),
      phaseAfter: 'awaiting-approval',
      accepted: 'accepted',
      end: { end: 'completed', outcome: 'purged', failureType: undefined },
      workflowTaskFailures: [],
    });
    for (const { reason } of seen.rejections) expect(reason.length).toBeLessThan(1_000);
  });
});

interface NoRequesterSeen {
  end: ReturnType<typeof ended>;
  failureMessage?: string;
  /** Every request of region us (token requests included): only these runs use that region on this harness. */
  regionCalls: number;
}

async function noRequesterCase(id: string, requestedBy: string | undefined): Promise<NoRequesterSeen> {
  h.sim.addTenant(tenant(id, 'us'));
  const handle = await start(h, offboarding(id, { region: 'us', purgeAfterDays: 10, requestedBy }));
  const end = await settle(handle, 30_000);
  return {
    end: ended(end),
    failureMessage: end.failureMessage,
    regionCalls: h.sim.requests().filter((r) => r.region === 'us' || requestsFor(h, id, 'us').includes(r)).length,
  };
}

describe('a run without requestedBy', () => {
  it.each([
    ['no requester', 'absent'],
    ['blank requester', 'only whitespace'],
  ])('(%s: %s) fails InvalidInput naming the field and the policy, before any call', async (name) => {
    expect(await observation<NoRequesterSeen>(name)).toEqual({
      end: { end: 'failed', outcome: undefined, failureType: 'InvalidInput' },
      failureMessage:
        'requestedBy: is required while the workers require approval (OFFBOARD_APPROVAL=required), so that the ' +
        'approver can be someone other than the requester; start again with requestedBy (--requested-by)',
      regionCalls: 0,
    });
  });
});

async function dryRunCase(): Promise<{ end: ReturnType<typeof ended>; phases: Phase[] }> {
  h.sim.addTenant(tenant('Ap-Dry'));
  const handle = await start(h, offboarding('Ap-Dry', { dryRun: true }));
  const phases = phasesUntilClosed(handle);
  return { end: ended(await settle(handle, 30_000)), phases: await phases };
}

describe('a dry run under the policy', () => {
  it('needs neither requestedBy nor an approval: dry-run-ok without awaiting-approval', async () => {
    const seen = await observation<{ end: ReturnType<typeof ended>; phases: Phase[] }>('dry run');
    expect(seen).toEqual({
      end: { end: 'completed', outcome: 'dry-run-ok', failureType: undefined },
      phases: expect.not.arrayContaining(['awaiting-approval']),
    });
  });
});

interface ExpiredSeen {
  end: ReturnType<typeof ended>;
  waitedMs: number;
  enteredAfterNotBeforeMs?: number;
  /** Every request of region us: only the expiry runs use it on this harness. */
  regionRoutes: string[];
  tenantCalls: string[];
  approvalAfterwards: string;
}

async function expire(id: string, notBefore?: string): Promise<ExpiredSeen> {
  hx.sim.addTenant(tenant(id, 'us'));
  const handle = await start(
    hx,
    offboarding(id, { region: 'us', purgeAfterDays: 10, requestedBy: 'alice', notBefore }),
  );
  const waiting = await inPhase(handle, 'awaiting-approval');
  const end = await settle(handle, 30_000);
  const approvalAfterwards = await approveOffboarding(hx.client, id, { approvedBy: 'bob' }).then(
    () => 'accepted',
    (error: Error) => error.message,
  );
  await sleep(500);
  return {
    end: ended(end),
    waitedMs: end.closedAt - Date.parse(waiting.phaseSince),
    enteredAfterNotBeforeMs: notBefore ? Date.parse(waiting.phaseSince) - Date.parse(notBefore) : undefined,
    regionRoutes: hx.sim
      .requests()
      .filter((r) => r.region === 'us' || requestsFor(hx, id, 'us').includes(r))
      .map((r) => r.route),
    tenantCalls: tenantCalls(hx, id).filter((route) => route !== 'token'),
    approvalAfterwards,
  };
}

function expiredCase(): Promise<ExpiredSeen> {
  return expire('Ap-Expired');
}

function expiredAfterNotBeforeCase(): Promise<ExpiredSeen> {
  return expire('Ap-ExpiredLater', new Date(Date.now() + 2_500).toISOString());
}

describe('an offboarding not approved within OFFBOARD_APPROVAL_TIMEOUT', () => {
  it('ends approval-expired (a completed run) with no tenant call; a later approval is refused', async () => {
    const seen = await observation<ExpiredSeen>('expired');
    expect(seen).toEqual({
      end: { end: 'completed', outcome: 'approval-expired', failureType: undefined },
      waitedMs: expect.any(Number),
      enteredAfterNotBeforeMs: undefined,
      regionRoutes: expect.any(Array),
      tenantCalls: [],
      approvalAfterwards: expect.stringMatching(
        /^approval of tenant Ap-Expired rejected: the offboarding has finished \(run completed\)/,
      ),
    });
    expect(seen.waitedMs).toBeGreaterThanOrEqual(2_000);
  });

  it('measures the timeout from entering awaiting-approval (after notBefore), not from the start', async () => {
    const seen = await observation<ExpiredSeen>('expired after notBefore');
    expect(seen.end).toEqual({ end: 'completed', outcome: 'approval-expired', failureType: undefined });
    expect(seen.enteredAfterNotBeforeMs).toBeGreaterThanOrEqual(0);
    expect(seen.waitedMs).toBeGreaterThanOrEqual(2_000);
    expect(seen.tenantCalls).toEqual([]);
  });

  it('made no request but the token of validation (region us is used by the two expiry runs only)', async () => {
    const [a, b] = await Promise.all([
      observation<ExpiredSeen>('expired'),
      observation<ExpiredSeen>('expired after notBefore'),
    ]);
    for (const seen of [a, b]) expect(new Set(seen.regionRoutes)).toEqual(new Set(['token']));
  });
});

interface OffSeen {
  inGracePeriod: string;
  inScheduled: string;
  ends: string[];
}

async function approvalOffCase(): Promise<OffSeen> {
  hoff.sim.addTenant(tenant('Ap-Off'));
  hoff.sim.addTenant(tenant('Ap-OffScheduled'));
  const grace = await start(hoff, offboarding('Ap-Off', { purgeAfterDays: 90, requestedBy: 'alice' }));
  const notBefore = new Date(Date.now() + 60_000).toISOString();
  const scheduled = await start(hoff, offboarding('Ap-OffScheduled', { requestedBy: 'alice', notBefore }));
  await inPhase(grace, 'grace-period');
  await inPhase(scheduled, 'scheduled');
  const inGracePeriod = reasonOf(await approveRaw(hoff, grace.workflowId, [{ approvedBy: 'bob' }]));
  const inScheduled = reasonOf(await approveRaw(hoff, scheduled.workflowId, [{ approvedBy: 'bob' }]));
  await grace.signal(cancelSignal, {});
  await scheduled.signal(cancelSignal, {});
  const ends = [await settle(grace), await settle(scheduled)].map(describeEnd);
  return { inGracePeriod, inScheduled, ends };
}

describe('under OFFBOARD_APPROVAL=off (the default)', () => {
  it('rejects an approval in any other phase, and in scheduled says the run needs none', async () => {
    expect(await observation<OffSeen>('approval off')).toEqual({
      inGracePeriod:
        'an approval is accepted only in phase scheduled or awaiting-approval; the run is in phase grace-period',
      inScheduled: 'this run needs no approval: OFFBOARD_APPROVAL was off when it started',
      ends: ['completed (COMPLETED); outcome cancelled', 'completed (COMPLETED); outcome cancelled'],
    });
  });
});

interface ContinuedSeen {
  firstRun: string;
  resumed: { phase: Phase; phaseSince: string; runs: number };
  phaseSinceBefore: string;
  answer: string;
  end: ReturnType<typeof ended>;
  deactivateAfterApprovalMs: number;
  tenantCallsBeforeApproval: string[];
}

async function continuedAsNewCase(): Promise<ContinuedSeen> {
  hcan.sim.addTenant(tenant('Ap-Continued'));
  const handle = await start(hcan, offboarding('Ap-Continued', { purgeAfterDays: 10, requestedBy: 'alice' }));
  const waiting = await inPhase(handle, 'awaiting-approval');
  const { runId: firstRunId } = await handle.describe();
  // Signals of a name the workflow does not handle only grow the history (a stand-in for any long wait's growth).
  const raw = hcan.client.workflow.getHandle(handle.workflowId);
  for (let sent = 0; sent < 120; sent += 20) {
    await Promise.all(Array.from({ length: 20 }, () => raw.signal('noise', {}).catch(() => undefined)));
  }
  const latest = hcan.client.workflow.getHandle(handle.workflowId);
  const continued = await waitFor(
    'the continue-as-new',
    async () => (await latest.describe()).runId !== firstRunId,
    30_000,
  ).then(
    () => true,
    () => false,
  );
  const first = await hcan.client.workflow.getHandle(handle.workflowId, firstRunId).describe();
  const resumedStatus = (await waitForStatus(latest, (s) => s.phase === 'awaiting-approval')).status;
  const runs = continued ? 2 : 1;
  const tenantCallsBeforeApproval = tenantCalls(hcan, 'Ap-Continued');
  const sentAt = Date.now();
  const answer = await approveOffboarding(hcan.client, 'Ap-Continued', { approvedBy: 'bob' }).then(
    (status) => status.approval?.approvedBy ?? 'no approval',
    (error: Error) => error.message,
  );
  const end = await settle(latest, 45_000);
  const deactivate = requestsFor(hcan, 'Ap-Continued').find((r) => r.route === 'deactivate');
  return {
    firstRun: first.status.name,
    resumed: { phase: resumedStatus.phase, phaseSince: resumedStatus.phaseSince, runs },
    phaseSinceBefore: waiting.phaseSince,
    answer,
    end: ended(end),
    deactivateAfterApprovalMs: (deactivate?.at ?? 0) - sentAt,
    tenantCallsBeforeApproval,
  };
}

describe('a long wait for approval', () => {
  it('continues as new while awaiting approval, keeps its deadline (phaseSince), and the approval then counts', async () => {
    const seen = await observation<ContinuedSeen>('continued as new');
    expect(seen).toEqual({
      firstRun: 'CONTINUED_AS_NEW',
      resumed: { phase: 'awaiting-approval', phaseSince: seen.phaseSinceBefore, runs: 2 },
      phaseSinceBefore: expect.any(String),
      answer: 'bob',
      end: { end: 'completed', outcome: 'purged', failureType: undefined },
      deactivateAfterApprovalMs: expect.any(Number),
      tenantCallsBeforeApproval: [],
    });
    expect(seen.deactivateAfterApprovalMs).toBeGreaterThanOrEqual(0);
  });
});
