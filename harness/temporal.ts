/**
 * Temporal test environments that the SDK starts and stops itself, on the binaries that `temporal-dev.sh install`
 * put in .temporal/ (the SDK's own download cannot work without internet), and the workflow bundle their workers run.
 * A dev server that survives a restart is ./dev-server.ts.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowBundleOptions } from '../src/worker/workflow-bundle';
import { searchAttributes } from '../src/workflows/definitions';
import { temporalBinary } from './repo';

const SEARCH_ATTRIBUTE_KEYS = Object.values(searchAttributes);

/**
 * A real dev server (SQLite in memory) with the contract's search attributes: for Updates and end-to-end tests. One
 * partition per task queue unless `partitions: 'default'` asks for the server's own layout (4).
 */
export async function createLocalEnv(
  options: { uiPort?: number; partitions?: 1 | 'default' } = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary('cli') },
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      ip: '127.0.0.1',
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
      extraArgs:
        options.partitions === 'default'
          ? []
          : [
              '--dynamic-config-value',
              'matching.numTaskqueueReadPartitions=1',
              '--dynamic-config-value',
              'matching.numTaskqueueWritePartitions=1',
            ],
    },
  });
}

/** The Java time-skipping server, which knows no custom search attributes until they are registered. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinary('test-server') } },
  });
  const { IndexedValueType } = temporal.api.enums.v1;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_KEYS.map((key) => [
        key.name,
        key.type === 'DATETIME'
          ? IndexedValueType.INDEXED_VALUE_TYPE_DATETIME
          : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    ...workflowBundleOptions,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  return bundle;
}
