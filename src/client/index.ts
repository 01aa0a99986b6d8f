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
export { extendGracePeriod, waitForExtension } from './extend';
export type { ApprovalSelector, RunSelector } from './steer';
export { getOffboardingResult, getOffboardingStatus } from './read';
export { buildListQuery, countNotYetSent, listOffboardings, notYetSentQuery } from './visibility';
export type { ListFilters, OffboardingRun } from './visibility';
export { listStops, resumeDeactivations, stopDeactivations } from './stops';
export type { RegistryOptions } from './stops';
export type { ResumeRequest, Stop, StopRequest, StopSelector } from '../shared/stops';
export { selectRequestedBy, selectTenants } from './selection';
export type { RequesterSelector, Selection, SelectedRun, UnselectedTenant } from './selection';
export { steerRun, steerRuns } from './steer-runs';
export type { RunResult } from './steer-runs';
export { closedOffboardingsReport } from './report';
export type { ReportRow } from './report';
export { differingFields } from './compare-inputs';
export * from './errors';
export { runCli } from './cli/run-cli';
export type { CliIo } from './cli/io';
