/**
 * The worker's Worker Deployment Version (contract v3, "[3 of 4]"): `OFFBOARD_DEPLOYMENT_NAME` and
 * `OFFBOARD_BUILD_ID`, both or neither. Neither: the worker is unversioned, as before versioning existed. How the
 * version is used is `src/worker/versioning.ts`; how to roll out a build, the README ("Changing the workflow safely").
 */
import type { WorkerDeploymentVersion } from '@temporalio/common';

export const DEPLOYMENT_NAME_VARIABLE = 'OFFBOARD_DEPLOYMENT_NAME';
export const BUILD_ID_VARIABLE = 'OFFBOARD_BUILD_ID';

/**
 * Our own bound, well under what the server accepts (server 1.32 refused a deployment name of about 490 characters
 * and a build ID of about 500): a Git SHA, a version or an image tag fits with room to spare.
 */
const MAX_LENGTH = 255;

type Env = Record<string, string | undefined>;

/**
 * The version, or the problems that stop the worker. The character rules are the server's: it refuses such a poll,
 * and SDK 1.24 keeps retrying the refused poll without a word, so a worker with a bad value would sit idle while
 * looking healthy. Checked here instead, where the message can name the variable.
 */
export function deploymentVersionFrom(env: Env): { version?: WorkerDeploymentVersion; problems: string[] } {
  // Empty counts as unset, as for the other settings: `OFFBOARD_BUILD_ID=${TAG}` with no TAG is caught by the pair rule.
  const deploymentName = env[DEPLOYMENT_NAME_VARIABLE]?.trim() || undefined;
  const buildId = env[BUILD_ID_VARIABLE]?.trim() || undefined;
  if (deploymentName === undefined && buildId === undefined) return { problems: [] };
  if (deploymentName === undefined || buildId === undefined) {
    const [set, unset] =
      deploymentName === undefined
        ? [BUILD_ID_VARIABLE, DEPLOYMENT_NAME_VARIABLE]
        : [DEPLOYMENT_NAME_VARIABLE, BUILD_ID_VARIABLE];
    return {
      problems: [
        `${set} is set but ${unset} is not: set both (a versioned worker, a Worker Deployment Version) or neither ` +
          '(an unversioned worker)',
      ],
    };
  }
  const problems: string[] = [];
  for (const [name, value] of [
    [DEPLOYMENT_NAME_VARIABLE, deploymentName],
    [BUILD_ID_VARIABLE, buildId],
  ] as const) {
    if (value.length > MAX_LENGTH) problems.push(`${name}: longer than ${MAX_LENGTH} characters`);
  }
  if (/[.:]/.test(deploymentName)) {
    problems.push(
      `${DEPLOYMENT_NAME_VARIABLE}: "${deploymentName}" contains "." or ":", which Temporal refuses in a deployment name`,
    );
  }
  if (buildId.startsWith('__')) {
    problems.push(
      `${BUILD_ID_VARIABLE}: "${buildId}" starts with "__", which Temporal reserves (e.g. __unversioned__)`,
    );
  }
  return problems.length > 0 ? { problems } : { version: { deploymentName, buildId }, problems };
}
