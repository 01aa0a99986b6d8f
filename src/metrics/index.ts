/**
 * The product's metrics, on the Temporal runtime's meter (see names.ts for what each counts).
 */
export { METRIC_NAMES, statusClassOf } from './names';
export { createQlikMetrics, type QlikMetrics } from './qlik-metrics';
export { createWebhookMetrics, type WebhookMetrics } from './webhook-metrics';
