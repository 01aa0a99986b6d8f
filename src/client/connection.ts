/**
 * Where the client finds Temporal, the task queue and the Web UI. The library functions take a `Client`; these
 * helpers build one from Temporal's standard environment configuration, as the CLI does.
 */
import { Client, Connection } from '@temporalio/client';
import { taskQueueFrom } from '../config/task-queue';
import { temporalConnectionConfig } from '../temporal-connection';

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

const DEFAULT_UI_URL = 'http://localhost:8233';

export { taskQueueFrom };

/** The connection settings from `env` (Temporal's standard environment configuration). */
export function connectionConfigFrom(env: Env = process.env): ReturnType<typeof temporalConnectionConfig> {
  return temporalConnectionConfig(env);
}

/** A connected client, the task queue configured beside it, and how to close it. */
export interface ConnectedClient {
  client: Client;
  namespace: string;
  address: string;
  /** The workflows' task queue from the same environment: pass it to `startOffboarding`. */
  taskQueue: string;
  close(): Promise<void>;
}

/** Connects to Temporal as configured in `env`. Close it when done (open connections keep Node running). */
export async function connectClient(env: Env = process.env): Promise<ConnectedClient> {
  const { connectionOptions, namespace } = connectionConfigFrom(env);
  // envconfig types its result for the worker's NativeConnection; the client's Connection takes the same fields.
  const connection = await Connection.connect(connectionOptions as Parameters<typeof Connection.connect>[0]);
  return {
    client: new Client({ connection, namespace }),
    namespace,
    address: connectionOptions.address!,
    taskQueue: taskQueueFrom(env),
    close: () => connection.close(),
  };
}

/** The Web UI page of a workflow: `${TEMPORAL_UI_URL or http://localhost:8233}/namespaces/<ns>/workflows/<id>`. */
export function webUiLink(workflowId: string, options: { namespace?: string; env?: Env } = {}): string {
  const env = options.env ?? process.env;
  const base = (env.TEMPORAL_UI_URL?.trim() || DEFAULT_UI_URL).replace(/\/+$/, '');
  const namespace = options.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
