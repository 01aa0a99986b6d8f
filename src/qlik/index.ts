/**
 * The Qlik Cloud HTTP client: what the worker and the activities import.
 */
export {
  createQlikClient,
  type QlikClientOptions,
  type QlikHttpClient,
  type QlikResponseInfo,
} from './create-qlik-client';
export { classifyProbe, PROBE_REQUEST_BODY, type ProbeObservation } from './probe';
export { assertSafeUrlTemplate, isLoopbackHost, type TemplatePlaceholder } from './url-template';
export { errorFromResponse, errorFromTransportFailure, parseQlikErrorBody, type QlikCall } from './errors';
export * from './types';
