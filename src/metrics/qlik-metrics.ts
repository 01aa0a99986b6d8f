/**
 * Counters of the Qlik client's HTTP traffic, fed by its `onResponse` hook: ops see error rates per route and
 * region, how often Qlik throttles us, and whether the token cache holds (one token request per region and lifetime).
 */
import type { MetricMeter, MetricTags } from '@temporalio/common';
import type { QlikResponseInfo } from '../qlik/create-qlik-client';
import { METRIC_NAMES, statusClassOf } from './names';

/** The hook for `createQlikClient({ onResponse })`. */
export interface QlikMetrics {
  onResponse(info: QlikResponseInfo): void;
}

/** Creates the Qlik counters on `meter` (e.g. `Runtime.instance().metricMeter`); call once per process. */
export function createQlikMetrics(meter: MetricMeter): QlikMetrics {
  const responses = meter.createCounter(
    METRIC_NAMES.qlikHttpResponses,
    undefined,
    'Qlik HTTP answers by route, status class and region',
  );
  const rateLimited = meter.createCounter(METRIC_NAMES.qlikRateLimited, undefined, 'Qlik answers with HTTP 429');
  const tokenRequests = meter.createCounter(
    METRIC_NAMES.qlikTokenRequests,
    undefined,
    'OAuth token requests sent to Qlik, by region',
  );
  return {
    onResponse(info) {
      // Probes go to tenant hosts, not to a region endpoint: they carry no region label.
      const region: MetricTags = info.region !== undefined ? { region: info.region } : {};
      responses.add(1, { route: info.route, status_class: statusClassOf(info.status), ...region });
      if (info.status === 429) rateLimited.add(1, { route: info.route, ...region });
      if (info.route === 'token') tokenRequests.add(1, region);
    },
  };
}
