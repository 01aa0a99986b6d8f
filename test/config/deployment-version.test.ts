/**
 * `OFFBOARD_DEPLOYMENT_NAME` and `OFFBOARD_BUILD_ID` (contract v3, "[3 of 4]"): both make the worker part of a
 * Worker Deployment Version, neither leaves it unversioned, and anything else stops it with a message naming the
 * variables and the rule. The character rules are the server's, which refuses such polls without the worker noticing.
 */
import { ConfigError, loadWorkerConfig } from '../../src/config/worker-config';

const base = { QLIK_CLIENT_ID: 'client', QLIK_CLIENT_SECRET: 'secret' };

function problemsOf(env: Record<string, string>): string {
  try {
    loadWorkerConfig({ ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('the Worker Deployment Version in the worker configuration', () => {
  it('neither variable set: unversioned, as before versioning', () => {
    expect(loadWorkerConfig(base).deploymentVersion).toBeUndefined();
  });

  it('both empty counts as neither (a deploy template whose values were left blank)', () => {
    expect(
      loadWorkerConfig({ ...base, OFFBOARD_DEPLOYMENT_NAME: ' ', OFFBOARD_BUILD_ID: '' }).deploymentVersion,
    ).toBeUndefined();
  });

  it('both set: the version, trimmed', () => {
    const config = loadWorkerConfig({ ...base, OFFBOARD_DEPLOYMENT_NAME: ' offboarding ', OFFBOARD_BUILD_ID: '2.4.1' });
    expect(config.deploymentVersion).toEqual({ deploymentName: 'offboarding', buildId: '2.4.1' });
  });

  it.each([
    [{ OFFBOARD_DEPLOYMENT_NAME: 'offboarding' }, 'OFFBOARD_DEPLOYMENT_NAME is set but OFFBOARD_BUILD_ID is not'],
    [{ OFFBOARD_BUILD_ID: 'abc123' }, 'OFFBOARD_BUILD_ID is set but OFFBOARD_DEPLOYMENT_NAME is not'],
    [
      { OFFBOARD_DEPLOYMENT_NAME: 'offboarding', OFFBOARD_BUILD_ID: '  ' },
      'OFFBOARD_DEPLOYMENT_NAME is set but OFFBOARD_BUILD_ID is not',
    ],
  ])('only one of the pair (%j) is refused, naming both and the rule', (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toContain(message);
    expect(problems).toContain('set both (a versioned worker, a Worker Deployment Version) or neither');
  });

  it.each([
    [
      { OFFBOARD_DEPLOYMENT_NAME: 'qlik.offboarding' },
      /OFFBOARD_DEPLOYMENT_NAME: "qlik.offboarding" contains "\." or ":"/,
    ],
    [{ OFFBOARD_DEPLOYMENT_NAME: 'qlik:offboarding' }, /OFFBOARD_DEPLOYMENT_NAME: "qlik:offboarding" contains/],
    [{ OFFBOARD_BUILD_ID: '__unversioned__' }, /OFFBOARD_BUILD_ID: "__unversioned__" starts with "__"/],
    [{ OFFBOARD_BUILD_ID: 'b'.repeat(256) }, /OFFBOARD_BUILD_ID: longer than 255 characters/],
    [{ OFFBOARD_DEPLOYMENT_NAME: 'd'.repeat(256) }, /OFFBOARD_DEPLOYMENT_NAME: longer than 255 characters/],
  ])('a value Temporal would refuse (%#) is refused at start', (change, message) => {
    expect(problemsOf({ OFFBOARD_DEPLOYMENT_NAME: 'offboarding', OFFBOARD_BUILD_ID: 'abc123', ...change })).toMatch(
      message,
    );
  });

  it('what the server accepts passes: dots and colons in a build ID, 255 characters', () => {
    const buildId = `1.2.3:${'x'.repeat(249)}`;
    expect(
      loadWorkerConfig({ ...base, OFFBOARD_DEPLOYMENT_NAME: 'n'.repeat(255), OFFBOARD_BUILD_ID: buildId })
        .deploymentVersion,
    ).toEqual({ deploymentName: 'n'.repeat(255), buildId });
  });
});
