/**
 * The `grace-extended` report ("[4 of 4]"): a run may extend its grace period more than once, so each extension's
 * report needs a key of its own, and the same key on every delivery of it.
 */
import type { LifecycleEvent } from '../../src/activities/types';
import type { GraceExtension, OffboardingStatus } from '../../src/shared/contract';
import { buildReportPayload } from '../../src/reports/payload';

const extension = (at: string, purgeAfterDays: number): GraceExtension => ({
  at,
  purgeAfterDays,
  state: 'applied',
  previousPurgeDate: '2026-03-11T10:00:00.000Z',
  estimatedPurgeDate: '2026-05-01T10:00:00.000Z',
});

function event(extensions: GraceExtension[]): LifecycleEvent {
  const status: OffboardingStatus = {
    tenantId: 'T-acme_1',
    hostname: 'acme.eu.qlikcloud.com',
    region: 'eu',
    dryRun: false,
    phase: 'grace-period',
    phaseSince: '2026-03-01T10:00:05.000Z',
    estimatedPurgeDate: '2026-05-01T10:00:00.000Z',
    ignoredSignals: [],
    extensions,
  };
  return { kind: 'grace-extended', workflowId: 'offboard-tenant-T-acme_1', runId: 'run-1', status };
}

it('each extension of a run has its own idempotency key, and the same one on every delivery', () => {
  const first = event([extension('2026-03-05T09:00:00.000Z', 60)]);
  const second = event([extension('2026-03-05T09:00:00.000Z', 60), extension('2026-03-20T09:00:00.000Z', 90)]);
  const keys = [buildReportPayload(first), buildReportPayload(first), buildReportPayload(second)].map(
    (p) => p.idempotencyKey,
  );
  expect(keys).toEqual([
    'offboard-tenant-T-acme_1/run-1/grace-extended/2026-03-05T09:00:00.000Z',
    'offboard-tenant-T-acme_1/run-1/grace-extended/2026-03-05T09:00:00.000Z',
    'offboard-tenant-T-acme_1/run-1/grace-extended/2026-03-20T09:00:00.000Z',
  ]);
});

it('the report carries the extensions, the new purge date and when the extension was asked', () => {
  const payload = buildReportPayload(event([extension('2026-03-05T09:00:00.000Z', 60)]));
  expect(payload).toEqual(
    expect.objectContaining({
      event: 'grace-extended',
      occurredAt: '2026-03-05T09:00:00.000Z',
      estimatedPurgeDate: '2026-05-01T10:00:00.000Z',
      extensions: [expect.objectContaining({ state: 'applied', purgeAfterDays: 60 })],
    }),
  );
  expect(payload.notes.map((n) => n.code)).toContain('REACTIVATION_POSSIBLE');
});
