/**
 * Where things are: the repository root, the built product in dist/, and the Temporal binaries that
 * `temporal-dev.sh install` put in .temporal/ (the SDK's own download cannot work without internet).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository root: the nearest folder above this file that holds temporal-dev.sh (this file runs from harness/
 * under Jest and compiled from dist/harness/ in the benchmark and scripts/record-histories.ts).
 */
function findRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'temporal-dev.sh'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`temporal-dev.sh not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot();
export const DEV_SCRIPT = path.join(ROOT, 'temporal-dev.sh');
const WORKER_JS = path.join(ROOT, 'dist', 'src', 'worker.js');
const WORKFLOW_BUNDLE_JS = path.join(ROOT, 'dist', 'workflow-bundle.js');

/**
 * Builds `dist/` once when the worker or the workflow bundle is missing (CI runs `npm ci`, whose `prepare` step
 * builds; a fresh checkout in a developer's shell may not have).
 */
export function ensureBuilt(): void {
  if (existsSync(WORKER_JS) && existsSync(WORKFLOW_BUNDLE_JS)) return;
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** Path of an installed Temporal binary, installing the pinned ones first when missing. */
export function temporalBinary(which: 'cli' | 'test-server'): string {
  const binary = execFileSync(DEV_SCRIPT, ['path', which], { encoding: 'utf8' }).trim();
  if (!existsSync(binary)) execFileSync(DEV_SCRIPT, ['install'], { stdio: 'inherit' });
  return binary;
}
