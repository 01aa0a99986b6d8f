import type { LogLevel } from '@temporalio/common';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';

function timestamp(entry: LogEntry): string {
  return new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
}

/** Metadata worth a human's attention; the SDK adds much more (namespace, run ID, …) that JSON keeps. */
function shortMeta(meta: LogEntry['meta']): string {
  if (!meta) return '';
  const keep = ['workflowId', 'activityType', 'phase', 'message', 'why', 'error'];
  const parts = keep.filter((key) => meta[key] !== undefined).map((key) => `${key}=${formatValue(meta[key])}`);
  return parts.length ? ` (${parts.join(' ')})` : '';
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The worker's logger: human-readable lines by default, one JSON object per line with `LOG_FORMAT=json`.
 * Nothing logged here carries a secret: the Qlik client never puts one in a message or error.
 */
export function createLogger(format: 'text' | 'json', level: LogLevel = 'INFO'): DefaultLogger {
  return new DefaultLogger(level, (entry) => {
    if (format === 'json') {
      const line = JSON.stringify(
        { time: timestamp(entry), level: entry.level, message: entry.message, ...entry.meta },
        (_key, value: unknown) =>
          typeof value === 'bigint' ? value.toString() : value instanceof Error ? value.message : value,
      );
      process.stderr.write(`${line}\n`);
    } else {
      process.stderr.write(`${timestamp(entry)} ${entry.level.padEnd(5)} ${entry.message}${shortMeta(entry.meta)}\n`);
    }
  });
}
