/**
 * The client library for customer-lifecycle systems and ops: typed functions over a `@temporalio/client` Client
 * that start, steer and read tenant offboardings by the contract's names (CONTRACT.md).
 */
export { connectClient, connectionConfigFrom, taskQueueFrom, webUiLink } from './connection';
export type { ConnectedClient, Env } from './connection';
export {
  initialSearchAttributes,
  startOffboarding,
  startWithSignal,
  staticDetailsFor,
  staticSummaryFor,
  validInput,
} from './start';
export type { StartOptions, StartedOffboarding } from './start';
export { approveOffboarding, cancelOffboarding, reactivateTenant } from './steer';
export type { ApprovalSelector, RunSelector } from './steer';
export { getOffboardingResult, getOffboardingStatus } from './read';
export { buildListQuery, listOffboardings } from './visibility';
export type { ListFilters, OffboardingRun } from './visibility';
export { closedOffboardingsReport } from './report';
export type { ReportRow } from './report';
export { differingFields } from './compare-inputs';
export * from './errors';
export { runCli } from './cli/run-cli';
export type { CliIo } from './cli/io';
