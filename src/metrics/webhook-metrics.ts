/**
 * The counter of webhook delivery attempts, fed by `createReportActivities({ onDelivery })`: a receiver that keeps
 * failing shows up as a growing `5xx`/`network-error` count before anyone misses a report.
 */
import type { MetricMeter } from '@temporalio/common';
import type { DeliveryInfo } from '../reports/report-activities';
import { METRIC_NAMES, statusClassOf } from './names';

/** The hook for `createReportActivities({ onDelivery })`. */
export interface WebhookMetrics {
  onDelivery(info: DeliveryInfo): void;
}

/** Creates the webhook counter on `meter`; call once per process. */
export function createWebhookMetrics(meter: MetricMeter): WebhookMetrics {
  const deliveries = meter.createCounter(
    METRIC_NAMES.webhookDeliveries,
    undefined,
    'Lifecycle report delivery attempts, by event and status class',
  );
  return {
    onDelivery(info) {
      deliveries.add(1, { event: info.kind, status_class: statusClassOf(info.status) });
    },
  };
}
