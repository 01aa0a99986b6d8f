/**
 * Worker Deployment Versioning for the workers that run workflows (`OFFBOARD_DEPLOYMENT_NAME`, `OFFBOARD_BUILD_ID`;
 * the rollout runbook is in the README, "Changing the workflow safely").
 *
 * AUTO_UPGRADE, not PINNED: an offboarding sleeps up to 90 days (plus the overdue window). Pinned, every run would
 * keep the build it started on alive, workers and all, until its last run ends, and a fix could never reach an open
 * run. Auto-upgrade runs move to the current build at their next workflow task (a timer firing, a message), so a
 * build retires as soon as its successor is current. The price is that new code replays old histories: the project
 * already pays it (behaviour changes only behind recorded flags or `patched()`, and test/histories/ replayed in CI).
 *
 * Declared here, as the worker's default, and not on the workflow with `setWorkflowOptions`: a workflow that
 * declares a behaviour cannot run on an unversioned worker (server 1.32 refuses every workflow task completion with
 * "versioning behavior cannot be specified without deployment options being set with versioned mode", so the runs
 * stall), and unset variables must keep the worker unversioned, exactly as before.
 */
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { WorkerOptions } from '@temporalio/worker';

/** The options that make a workflow worker part of `version`; none (unversioned) without one. */
export function workflowWorkerVersioning(
  version: WorkerDeploymentVersion | undefined,
): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (!version) return {};
  return {
    workerDeploymentOptions: { useWorkerVersioning: true, version, defaultVersioningBehavior: 'AUTO_UPGRADE' },
  };
}

/** For the start-up log: a versioned worker idles until its version is current or ramping, which surprises people. */
export function describeVersioning(version: WorkerDeploymentVersion | undefined): string {
  if (!version) return 'unversioned';
  return (
    `Worker Deployment Version ${version.deploymentName}/${version.buildId} (gets workflow tasks only while current ` +
    'or ramping: temporal worker deployment set-current-version)'
  );
}
