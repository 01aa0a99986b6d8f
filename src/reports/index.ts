/**
 * Signed lifecycle reports to the customer-lifecycle system's webhook (docs/webhook.md).
 */
export {
  createReportActivities,
  REPORT_USER_AGENT,
  type DeliveryInfo,
  type ReportActivities,
  type ReportActivityDeps,
} from './report-activities';
export {
  buildReportPayload,
  CANCELED_FAILURE_TYPE,
  idempotencyKeyOf,
  REPORT_SCHEMA_VERSION,
  type ReportNote,
  type ReportPayload,
  type RunStatus,
} from './payload';
export { DEFAULT_SIGNATURE_TOLERANCE_S, REPORT_HEADERS, signReport, verifySignature } from './signature';
export { WEBHOOK_FAILURE_TYPES, type WebhookFailureDetails, type WebhookFailureType } from './failures';
