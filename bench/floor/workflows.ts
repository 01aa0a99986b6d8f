/**
 * The floor of the engine-overhead scenario: a bare workflow with the offboarding's shape and none of its work. Per
 * run it has what `offboardTenant` has on the happy path: two local activities (settings, token), one activity on a
 * second task queue (the deactivate on the region's registration queue), one activity (the probe loop until
 * deactivated), one timer (the grace period, plus the probe interval that the purge confirmation waits), one last
 * activity (the probe loop until purged), and, when the product runs with reports, the two report local activities
 * ("deactivated" and the final report). What `offboardTenant` costs above this is the product's overhead.
 *
 * Like the offboarding, it sleeps until a date counted from the deactivate (not for a fixed time from whenever it
 * gets there), and not at all when that date has already passed: under load both then wait, or skip, alike.
 *
 * With `searchAttributes`, it also upserts the contract's search attributes where the offboarding does (one upsert
 * per phase): the cost that the contract itself asks for, so that the table can tell it from the product's own.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { proxyActivities, proxyLocalActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

/** The floor workflow's one input. */
export interface FloorInput {
  /** The registration queue stand-in. */
  secondTaskQueue: string;
  /** The offboarding's grace period, counted from the deactivate. */
  graceMs: number;
  /** The probe interval that the purge confirmation waits between its two "purged" answers. */
  probeIntervalMs: number;
  /** Mirror the product's two report local activities. */
  reports: boolean;
  /** Mirror the product's search-attribute upserts (the contract's phase attributes). */
  searchAttributes: boolean;
}

const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10s' });
const remote = proxyActivities<FloorActivities>({ startToCloseTimeout: '1m' });

const phase = defineSearchAttributeKey('OffboardingPhase', SearchAttributeType.KEYWORD);
const phaseSince = defineSearchAttributeKey('OffboardingPhaseSince', SearchAttributeType.DATETIME);

export async function floorOffboarding(input: FloorInput): Promise<void> {
  const enter = (name: string, extra: SearchAttributeUpdatePair[] = []) => {
    if (input.searchAttributes) {
      upsertSearchAttributes([{ key: phase, value: name }, { key: phaseSince, value: new Date() }, ...extra]);
    }
  };
  await local.noop(); // worker settings
  await local.noop(); // token
  enter('deactivating', [
    { key: defineSearchAttributeKey('QlikTenantId', SearchAttributeType.KEYWORD), value: 'floor' },
    { key: defineSearchAttributeKey('QlikTenantHostname', SearchAttributeType.KEYWORD), value: 'floor.example' },
    { key: defineSearchAttributeKey('QlikRegion', SearchAttributeType.KEYWORD), value: 'eu' },
    { key: defineSearchAttributeKey('QlikRequestedBy', SearchAttributeType.KEYWORD), value: 'npm run bench' },
  ]);
  await proxyActivities<FloorActivities>({ taskQueue: input.secondTaskQueue, startToCloseTimeout: '1m' }).noop();
  const wakeAt = Date.now() + input.graceMs + input.probeIntervalMs;
  if (input.reports) await local.noop(); // "deactivated" report
  enter('verifying', [
    { key: defineSearchAttributeKey('EstimatedPurgeDate', SearchAttributeType.DATETIME), value: new Date(wakeAt) },
  ]);
  await remote.noop(); // probe until deactivated
  enter('grace-period');
  if (Date.now() < wakeAt) await sleep(wakeAt - Date.now()); // grace period
  enter('confirming-purge');
  await remote.noop(); // probe until purged
  if (input.reports) await local.noop(); // final report
  enter('completed', [
    { key: defineSearchAttributeKey('OffboardingOutcome', SearchAttributeType.KEYWORD), value: 'purged' },
  ]);
}
