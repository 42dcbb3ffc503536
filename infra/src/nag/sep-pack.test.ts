import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { SepPolicyChecks } from './sep-pack';

function probe() {
  const stack = new Stack(new App(), 'Probe', { env: { account: '111111111111', region: 'us-east-1' } });
  const wild = new iam.ManagedPolicy(stack, 'Wild', {
    statements: [new iam.PolicyStatement({ actions: ['s3:Get*', 's3:List*'], resources: ['*'] })],
  });
  new iam.ManagedPolicy(stack, 'AllBut', {
    statements: [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })],
  });
  new iam.ManagedPolicy(stack, 'Named', {
    statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })],
  });
  return { stack, wild };
}

const errors = (stack: Stack) =>
  Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('^Sep-'))
    .map((finding) => `${finding.id} ${String(finding.entry.data).split(': ')[0]}`);

describe('SepPolicyChecks', () => {
  it("names itself 'Sep' and reports both rules as errors on the offending resources only", () => {
    const { stack } = probe();
    const pack = new SepPolicyChecks();
    expect(pack.readPackName).toBe('Sep');
    Aspects.of(stack).add(pack);
    expect(errors(stack).sort()).toEqual([
      '/Probe/AllBut/Resource Sep-PolicyNoNotAction',
      '/Probe/Wild/Resource Sep-PolicyNoWildcardActions[Action::s3:Get*]',
      '/Probe/Wild/Resource Sep-PolicyNoWildcardActions[Action::s3:List*]',
    ]);
  });

  it('lets a suppression name one granular finding and leaves the other reported', () => {
    const { stack, wild } = probe();
    NagSuppressions.addResourceSuppressions(wild, [
      {
        id: 'Sep-PolicyNoWildcardActions',
        reason: 'probe: one finding accepted',
        appliesTo: ['Action::s3:Get*'],
      },
    ]);
    Aspects.of(stack).add(new SepPolicyChecks());
    expect(errors(stack)).toContain('/Probe/Wild/Resource Sep-PolicyNoWildcardActions[Action::s3:List*]');
    expect(errors(stack)).not.toContain('/Probe/Wild/Resource Sep-PolicyNoWildcardActions[Action::s3:Get*]');
  });
});
