import { ephemeralSpec } from './spec.testing';
import {
  DeploymentTargetsError,
  deploymentTargetErrors,
  parseDeploymentTargets,
  parseTargetSelection,
} from './targets';

const spec = ephemeralSpec;

const targets = parseDeploymentTargets(
  '111111111111/us-east-1, 222222222222/eu-west-1\n222222222222/us-east-1',
);

describe('parseDeploymentTargets', () => {
  it('reads account/region pairs separated by commas or whitespace, duplicates once', () => {
    expect(
      parseDeploymentTargets('111111111111/us-east-1,111111111111/us-east-1 222222222222/eu-west-1'),
    ).toEqual([
      { account: '111111111111', region: 'us-east-1' },
      { account: '222222222222', region: 'eu-west-1' },
    ]);
  });

  it('names every bad entry', () => {
    expect(() => parseDeploymentTargets('1111/us-east-1,111111111111/mars-1')).toThrow(
      new DeploymentTargetsError(
        'deployment targets: "1111/us-east-1" is not <12-digit account>/<region>; "111111111111/mars-1": region mars-1 is not one of us-east-1, us-east-2, us-west-2, ca-central-1, eu-west-1, eu-west-2, eu-central-1, ap-southeast-1, ap-southeast-2, ap-northeast-1',
      ),
    );
  });
});

describe('parseTargetSelection', () => {
  it('takes * for every target, or a subset of them', () => {
    expect(parseTargetSelection('*', targets)).toEqual(targets);
    expect(parseTargetSelection('222222222222/eu-west-1', targets)).toEqual([
      { account: '222222222222', region: 'eu-west-1' },
    ]);
    expect(() => parseTargetSelection('333333333333/eu-west-1', targets)).toThrow(
      'not deployment targets: 333333333333/eu-west-1',
    );
  });
});

describe('deploymentTargetErrors', () => {
  const options = { targets, defaultAccount: '111111111111' };

  it('accepts an allowed account/region, the pipeline account standing in for a spec without one', () => {
    expect(deploymentTargetErrors(spec({}), options)).toEqual([]);
    expect(deploymentTargetErrors(spec({ account: '222222222222', region: 'eu-west-1' }), options)).toEqual(
      [],
    );
  });

  it('blames the account when it is not a target at all, the region when the account lacks it', () => {
    expect(deploymentTargetErrors(spec({ account: '333333333333' }), options)).toEqual([
      {
        path: 'account',
        message:
          'account 333333333333 is not a deployment target of this platform (bootstrapped: 111111111111/us-east-1, 222222222222/eu-west-1, 222222222222/us-east-1)',
      },
    ]);
    expect(deploymentTargetErrors(spec({ region: 'eu-west-1' }), options)).toEqual([
      {
        path: 'region',
        message: 'region eu-west-1 is not bootstrapped in account 111111111111 (its regions: us-east-1)',
      },
    ]);
  });
});
