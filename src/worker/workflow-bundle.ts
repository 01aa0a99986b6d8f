/**
 * How the workflow code is bundled, everywhere it is: `npm run build`, a worker without a prebuilt bundle, the tests
 * and the replay check, so that what is tested is what runs.
 */
import type { BundleOptions } from '@temporalio/worker';

const WORKFLOWS = require.resolve('../workflows');

export const workflowBundleOptions: Pick<BundleOptions, 'workflowsPath' | 'preloadModules'> = {
  workflowsPath: WORKFLOWS,
  // Evaluated once in the worker's V8 context and shared by every workflow, instead of once per workflow: each
  // workflow created (a cache miss: one that wakes, is queried or was evicted) then costs less CPU and memory. Safe
  // because the workflow modules keep no state at module scope: what they define there is only read (ESLint refuses
  // a module-scope `let` or `var`; a mutable object would get past it), and everything per run lives in the objects
  // that `offboardTenant` creates.
  preloadModules: [WORKFLOWS],
};
