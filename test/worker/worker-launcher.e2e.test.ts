/**
 * bin/qlik-offboard-worker, the worker as `npm run worker` starts it: it refuses a heap cap that is not one, and the
 * cap it is given is the one the running worker has (its start-up line reports the heap limit and the cache bound).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runWorkerToExit, spawnWorker } from '../../harness/processes';
import { ensureBuilt } from '../../harness/repo';
import { createLocalEnv } from '../../harness/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  ensureBuilt();
  env = await createLocalEnv();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

/** A configuration the worker accepts, on a task queue of its own. */
function workerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: `launcher-${process.pid}-${Math.random().toString(36).slice(2)}`,
    QLIK_EU_CLIENT_ID: 'launcher-eu-client',
    QLIK_EU_CLIENT_SECRET: 'launcher-secret',
    QLIK_REGISTER_URL_TEMPLATE: 'http://127.0.0.1:9/register/{region}',
    QLIK_TENANT_URL_TEMPLATE: 'http://127.0.0.1:9/tenant/{hostname}',
    ...extra,
  };
}

/** Starts the worker until it polls; returns its start-up line. */
async function startupLine(extra: Record<string, string> = {}): Promise<string> {
  const worker = spawnWorker(workerEnv(extra));
  try {
    await worker.waitForLog(/worker polling/, 30_000);
    return worker
      .logs()
      .split('\n')
      .find((line) => line.includes('worker polling'))!;
  } finally {
    worker.kill('SIGTERM');
    await worker.exited;
  }
}

/** The heap limit (MB) a start-up line reports. */
function heapLimitOf(line: string): number {
  const match = /heap limit (\d+) MB/.exec(line);
  expect(match).not.toBeNull();
  return Number(match![1]);
}

describe('bin/qlik-offboard-worker', () => {
  it.each([
    ['abc', /not a whole number/],
    ['12.5', /not a whole number/],
    ['-1', /not a whole number/],
    ['64', /under 128/],
  ])(
    'refuses OFFBOARD_WORKER_HEAP_MB=%s, naming the variable',
    async (value, message) => {
      const exit = await runWorkerToExit(workerEnv({ OFFBOARD_WORKER_HEAP_MB: value }));
      expect(exit.code).toBe(2);
      expect(exit.output).toContain('OFFBOARD_WORKER_HEAP_MB');
      expect(exit.output).toMatch(message);
      expect(exit.output).not.toContain('worker polling');
    },
    30_000,
  );

  it('starts the worker with a heap capped at 192 MB and a cache of 50 workflows by default', async () => {
    const line = await startupLine();
    // V8 reports the old-generation cap plus its young generation (some tens of MB).
    expect(heapLimitOf(line)).toBeGreaterThanOrEqual(192);
    expect(heapLimitOf(line)).toBeLessThan(192 + 100);
    expect(line).toContain('up to 50 workflows cached');
  }, 60_000);

  it('passes OFFBOARD_WORKER_HEAP_MB and OFFBOARD_MAX_CACHED_WORKFLOWS on', async () => {
    const line = await startupLine({ OFFBOARD_WORKER_HEAP_MB: '384', OFFBOARD_MAX_CACHED_WORKFLOWS: '300' });
    expect(heapLimitOf(line)).toBeGreaterThanOrEqual(384);
    expect(heapLimitOf(line)).toBeLessThan(384 + 100);
    expect(line).toContain('up to 300 workflows cached');
  }, 60_000);
});
