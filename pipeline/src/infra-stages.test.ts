import { SepPolicyChecks } from '@sep/infra';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { accountSecurityStageFactory } from './infra-stages';
import { environment } from './test-support/pipeline-fixture';

const build = (nag: boolean) => {
  const app = new App();
  const stage = accountSecurityStageFactory([
    environment({ environmentSuffix: 'prod', kind: 'prod', alertEmails: ['ops@example.com'] }).spec,
  ])(app, 'AccountSecurity', {
    env: { account: '111111111111', region: 'us-east-1' },
    createConfigRecorder: true,
    nag,
    platformAccess: {
      pipelineAccount: '111111111111',
      readerRoleArns: ['arn:aws:iam::111111111111:role/sep-delivery-portal'],
      smokeTestRoleArn: 'arn:aws:iam::111111111111:role/sep-delivery-smoke-test',
    },
  });
  return stage;
};

describe('accountSecurityStageFactory', () => {
  it('applies the four packs with nag on, and the stack draws no unsuppressed finding', () => {
    const stage = build(true);
    const aspects = Aspects.of(stage).all;
    expect(aspects.some((aspect) => aspect instanceof SepPolicyChecks)).toBe(true);
    expect(aspects.some((aspect) => aspect instanceof AwsSolutionsChecks)).toBe(true);
    const stack = stage.node.children.find((child): child is Stack => child instanceof Stack);
    if (stack === undefined) throw new Error('no account-security stack');
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('.*'));
    expect(errors.map((error) => String(error.entry.data).split(': ')[0])).toEqual([]);
  });

  it('applies none with nag off', () => {
    expect(Aspects.of(build(false)).all).toEqual([]);
  });
});
