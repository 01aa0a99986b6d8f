/**
 * The grace probes' two pure parts ("[4 of 4]"): the jitter that spreads a bulk wave's probes over the interval, and
 * the judgement of each answer (what ends the run, what only warns, what changes nothing, when the next probe is
 * due). The end-to-end paths, against the simulator over real HTTP, are in grace-probes.e2e.test.ts.
 */
import type { ProbeAnswer } from '../../src/activities/types';
import type { GraceProbeStatus } from '../../src/shared/contract';
import { mayHaveApplied } from '../../src/workflows/grace-extensions';
import { firstProbeOffsetMs, judgeGraceProbe, type GraceJudgement } from '../../src/workflows/grace-probes';

const DAY = 86_400_000;
const CONFIRM = 5_000;
const T0 = Date.parse('2026-12-01T00:00:00.000Z');

describe('firstProbeOffsetMs', () => {
  it('spreads a wave of 1,000 workflow IDs evenly over the interval', () => {
    // The IDs of a bulk wave: alike but for a counter at the end.
    const offsets = Array.from({ length: 1_000 }, (_, i) =>
      firstProbeOffsetMs(`offboard-tenant-bulk-${String(i).padStart(4, '0')}`, DAY),
    );
    expect(offsets.every((offset) => offset >= 0 && offset < DAY && Number.isInteger(offset))).toBe(true);
    // Ten buckets of 2.4 h: each within ±30 % of the 100 an even spread gives.
    const buckets = Array.from({ length: 10 }, () => 0);
    for (const offset of offsets) buckets[Math.floor((offset / DAY) * 10)]!++;
    expect(buckets.filter((count) => count < 70 || count > 130)).toEqual([]);
    // No hour holds more than 1.5 times its share (41.7) of the first probes; without jitter all would come at once.
    const perHour = Array.from({ length: 24 }, () => 0);
    for (const offset of offsets) perHour[Math.floor(offset / 3_600_000)]!++;
    expect(Math.max(...perHour)).toBeLessThanOrEqual(62);
    expect(new Set(offsets).size).toBeGreaterThan(990);
  });

  it('is a function of the ID alone: the same on replay and after a continue-as-new', () => {
    expect(firstProbeOffsetMs('offboard-tenant-acme', DAY)).toBe(firstProbeOffsetMs('offboard-tenant-acme', DAY));
    expect(firstProbeOffsetMs('offboard-tenant-acme', DAY)).not.toBe(firstProbeOffsetMs('offboard-tenant-acmf', DAY));
  });
});

/** Runs answers through the judgement as the watch does: each one at the time the previous answer scheduled. */
function run(
  answers: Array<ProbeAnswer['state'] | ProbeAnswer>,
  options: { seenDeactivated?: boolean; lateByMs?: number } = {},
): Array<{ judgement: GraceJudgement; at: number; status: GraceProbeStatus }> {
  let status: GraceProbeStatus = { intervalMs: DAY, nextAt: new Date(T0).toISOString(), probes: 0 };
  const out = [];
  for (const answer of answers) {
    const dueAtMs = Date.parse(status.nextAt!);
    const nowMs = dueAtMs + (options.lateByMs ?? 0);
    const judged = judgeGraceProbe(status, typeof answer === 'string' ? { state: answer } : answer, {
      nowMs,
      dueAtMs,
      confirmIntervalMs: CONFIRM,
      seenDeactivated: options.seenDeactivated ?? true,
    });
    status = judged.status;
    out.push({ judgement: judged.judgement, at: nowMs, status });
  }
  return out;
}

const judgements = (steps: ReturnType<typeof run>) => steps.map((s) => s.judgement);

describe('judgeGraceProbe', () => {
  it('two "active" answers an interval apart, after a seen deactivation: reactivated externally', () => {
    const steps = run(['deactivated', 'active', 'active']);
    expect(judgements(steps)).toEqual(['deactivated', 'nothing', 'reactivated-externally']);
    expect(steps[2]!.at - Date.parse(steps[2]!.status.activeSince!)).toBe(DAY);
  });

  it('never seen deactivated: the same answers only warn', () => {
    expect(judgements(run(['active', 'active', 'active'], { seenDeactivated: false }))).toEqual([
      'nothing',
      'active-unconfirmed',
      'active-unconfirmed',
    ]);
  });

  it('a single "active" then "deactivated" is nothing: the row is broken', () => {
    const steps = run(['active', 'deactivated', 'active']);
    expect(judgements(steps)).toEqual(['nothing', 'deactivated', 'nothing']);
    expect(steps[2]!.status.activeSince).toBe(new Date(steps[2]!.at).toISOString());
  });

  it('unknown answers change nothing and break no row', () => {
    expect(judgements(run(['active', 'unknown', 'unknown', 'active']))).toEqual([
      'nothing',
      'nothing',
      'nothing',
      'reactivated-externally',
    ]);
    expect(judgements(run(['unknown', 'unknown', 'deactivated', 'unknown']))).toEqual([
      'nothing',
      'nothing',
      'deactivated',
      'nothing',
    ]);
  });

  it('"deactivated" answers change nothing but the record that the tenant was seen so', () => {
    const steps = run(['deactivated', 'deactivated', 'deactivated']);
    expect(judgements(steps)).toEqual(['deactivated', 'deactivated', 'deactivated']);
    expect(steps.map((s) => s.at - T0)).toEqual([0, DAY, 2 * DAY]);
  });

  it('a first "purged" is confirmed a probe interval later, not a day', () => {
    const steps = run(['purged', 'purged']);
    expect(judgements(steps)).toEqual(['nothing', 'purged']);
    expect(steps[1]!.at - steps[0]!.at).toBe(CONFIRM);
  });

  it('"purged" then "deactivated" starts again; unclear answers meanwhile double the wait, up to the interval', () => {
    expect(judgements(run(['purged', 'deactivated', 'purged']))).toEqual(['nothing', 'deactivated', 'nothing']);
    const steps = run(['purged', 'unknown', 'unknown', 'unknown', 'purged']);
    expect(judgements(steps)).toEqual(['nothing', 'nothing', 'nothing', 'nothing', 'purged']);
    expect(steps.map((s) => s.at - T0)).toEqual([0, CONFIRM, 2 * CONFIRM, 4 * CONFIRM, 8 * CONFIRM]);
  });

  it('keeps the phase of the jitter after late probes, and the interval between two "active" answers', () => {
    const late = run(['deactivated', 'deactivated', 'active', 'active'], { lateByMs: 10 * 60_000 });
    // Each probe came 10 minutes late, yet the next was due on the regular schedule: T0 + k days.
    expect(late.slice(0, 3).map((s) => Date.parse(s.status.nextAt!) - T0)).toEqual([
      DAY,
      2 * DAY,
      3 * DAY + 10 * 60_000,
    ]);
    expect(late[3]!.judgement).toBe('reactivated-externally');
  });

  it('respects a retry-after longer than the schedule', () => {
    const steps = run([{ state: 'unknown', httpStatus: 429, retryAfterMs: 2 * DAY }]);
    expect(Date.parse(steps[0]!.status.nextAt!) - T0).toBe(2 * DAY);
  });

  it('counts the probes and keeps the last answer for the Web UI', () => {
    const steps = run(['deactivated', { state: 'unknown', httpStatus: 503 }]);
    expect(steps[1]!.status).toMatchObject({
      probes: 2,
      last: { at: new Date(T0 + DAY).toISOString(), state: 'unknown', httpStatus: 503 },
    });
  });
});

describe('mayHaveApplied: which extensions count as a deactivate', () => {
  const failure = { type: 'Forbidden', message: '403' } as never;
  it.each([
    [{ kind: 'answered', answer: {} as never }, true],
    [{ kind: 'interrupted' }, true],
    [{ kind: 'failed', failure, started: 2 }, true],
    [{ kind: 'failed', failure, started: 1 }, false],
    [{ kind: 'withdrawn' }, false],
  ] as const)('%j: %s', (outcome, expected) => {
    expect(mayHaveApplied(outcome)).toBe(expected);
  });
});
