/**
 * The in-process worker's logs, captured instead of printed: the secrets scan reads them, and a test run with
 * hundreds of workflows stays readable. `Runtime.install` may run once per process (per Jest file), before any
 * worker or test environment is created: call {@link captureWorkerLogs} first thing in the file.
 */
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

export interface CapturedLogs {
  /** Every line so far, formatted as the worker's JSON log lines would be (message plus metadata). */
  lines(): string[];
}

let captured: CapturedLogs | undefined;

function format(entry: LogEntry): string {
  return JSON.stringify({ level: entry.level, message: entry.message, ...entry.meta }, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value instanceof Error ? `${value.name}: ${value.message}` : value,
  );
}

/**
 * Installs a Runtime whose logger keeps every line (DEBUG and up, so that the scan also covers what operators could
 * switch on). `RELIABILITY_VERBOSE=1` also prints WARN and ERROR lines.
 */
export function captureWorkerLogs(): CapturedLogs {
  if (captured) return captured;
  const lines: string[] = [];
  const verbose = process.env.RELIABILITY_VERBOSE === '1';
  Runtime.install({
    logger: new DefaultLogger('DEBUG', (entry) => {
      const line = format(entry);
      lines.push(line);
      if (verbose && (entry.level === 'WARN' || entry.level === 'ERROR')) process.stderr.write(`${line}\n`);
    }),
  });
  captured = { lines: () => lines };
  return captured;
}
