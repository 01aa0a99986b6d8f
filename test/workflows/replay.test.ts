/**
 * Safe to change while workflows sleep for 90 days: every recorded history in test/histories/ (one or more per path
 * through the workflow, recorded by scripts/record-histories.ts from real runs) is replayed against the current
 * workflow code with Worker.runReplayHistories. A change that would break a sleeping workflow (nondeterminism:
 * commands in another order, a removed activity, an unpatched change of logic) fails here. The histories are
 * append-only: each must still match the SHA-256 the manifest recorded when it was written.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import { workflowBundle } from '../../harness/temporal';
import { historyFromJson } from '../../harness/replay/history-json';
import { REPLAY_PATHS, type Manifest } from '../../harness/replay/paths';

// Replay workers log every start and stop at INFO: keep the test output for what goes wrong.
Runtime.install({ logger: new DefaultLogger('WARN') });

const HISTORIES = path.resolve(__dirname, '..', 'histories');
const MANIFEST_FILE = 'manifest.json';
const RECORD_COMMAND = 'npm run build && node dist/scripts/record-histories.js';

const manifest = JSON.parse(readFileSync(path.join(HISTORIES, MANIFEST_FILE), 'utf8')) as Manifest;
const files = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json') && f !== MANIFEST_FILE)
  .sort();
const results = new Map<string, ReplayResult>();
const workflowIdOf = (file: string) => manifest[file]?.workflowId ?? file;

function batchesWithUniqueIds(all: string[]): string[][] {
  const batches: string[][] = [];
  for (const file of all) {
    const batch = batches.find((b) => b.every((other) => workflowIdOf(other) !== workflowIdOf(file)));
    if (batch) batch.push(file);
    else batches.push([file]);
  }
  return batches;
}

beforeAll(async () => {
  // One replay worker per batch; each result names its workflow, so a batch holds each workflow ID once (a path
  // recorded again in a later version has the same ID).
  for (const batch of batchesWithUniqueIds(files)) {
    const histories = batch.map((file) => ({
      workflowId: workflowIdOf(file),
      history: historyFromJson(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'))),
    }));
    const byWorkflowId = new Map(batch.map((file) => [workflowIdOf(file), file]));
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      results.set(byWorkflowId.get(result.workflowId)!, result);
    }
  }
}, 120_000);

describe('recorded histories', () => {
  it('every path through the workflow has a recorded history', () => {
    const covered = new Set(Object.values(manifest).map((entry) => entry.path));
    const missing = Object.keys(REPLAY_PATHS).filter((p) => !covered.has(p as keyof typeof REPLAY_PATHS));
    expect({ missing, fix: missing.length ? `record them: ${RECORD_COMMAND}` : undefined }).toEqual({ missing: [] });
  });

  it('every history file is in the manifest, and every manifest entry has its file', () => {
    expect(files).toEqual(Object.keys(manifest).sort());
  });

  it('no history was rewritten: each still has the SHA-256 recorded when it was written (append-only)', () => {
    const rewritten = files.filter(
      (file) =>
        createHash('sha256')
          .update(readFileSync(path.join(HISTORIES, file)))
          .digest('hex') !== manifest[file]?.sha256,
    );
    expect(rewritten).toEqual([]);
  });
});

describe('replay against the current workflow code', () => {
  it.each(files)('%s replays without nondeterminism', (file) => {
    const result = results.get(file);
    expect(result).toBeDefined();
    expect(result!.error).toBeUndefined();
  });
});

describe('the replay check itself', () => {
  it('catches nondeterminism: a history whose deactivate call was another activity fails to replay', async () => {
    const json = JSON.parse(readFileSync(path.join(HISTORIES, 'purged.json'), 'utf8')) as {
      events: Array<{ activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }>;
    };
    const scheduled = json.events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deactivateTenant',
    );
    expect(scheduled).toBeDefined();
    scheduled!.activityTaskScheduledEventAttributes!.activityType!.name = 'suspendTenant';
    const replays = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [
      { workflowId: manifest['purged.json']!.workflowId, history: historyFromJson(json) },
    ]);
    const outcomes: ReplayResult[] = [];
    for await (const result of replays) outcomes.push(result);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.error?.name).toMatch(/DeterminismViolation/);
  });
});
