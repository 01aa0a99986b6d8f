import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/**
 * Where Temporal is, from Temporal's standard environment configuration (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE`, `TEMPORAL_CONFIG_FILE`): the local dev server by default,
 * a self-hosted cluster with mTLS, or Temporal Cloud with an API key — the same code for all three.
 * `env` defaults to the process's environment (tests pass their own).
 */
export function temporalConnectionConfig(env: Record<string, string | undefined> = process.env): {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
} {
  const overrideEnvVars =
    env === process.env
      ? undefined
      : Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const { connectionOptions, namespace } = loadClientConnectConfig(overrideEnvVars ? { overrideEnvVars } : {});
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? 'localhost:7233' },
    namespace: namespace ?? 'default',
  };
}
