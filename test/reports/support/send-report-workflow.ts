/**
 * A workflow that sends one lifecycle report with a short retry policy, so that Temporal's own retry handling of the
 * webhook failures can be watched without the offboarding workflow. A local activity, as in the offboarding.
 */
import { proxyLocalActivities } from '@temporalio/workflow';
import type { LifecycleEvent } from '../../../src/activities/types';
import type { ReportActivities } from '../../../src/reports';

const { sendLifecycleEvent } = proxyLocalActivities<ReportActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms', backoffCoefficient: 2, maximumInterval: '500ms', maximumAttempts: 8 },
});

export async function sendReport(event: LifecycleEvent): Promise<void> {
  await sendLifecycleEvent(event);
}
