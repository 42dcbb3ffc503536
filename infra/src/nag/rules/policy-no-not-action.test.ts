import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagRuleCompliance } from 'cdk-nag';
import rule from './policy-no-not-action';

const stack = () => new Stack(new App(), 'Probe', { env: { account: '111111111111', region: 'us-east-1' } });

describe('Sep-PolicyNoNotAction', () => {
  it('passes statements that name their actions', () => {
    const policy = new iam.ManagedPolicy(stack(), 'Named', {
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::probe/*'] }),
      ],
    });
    expect(rule(policy.node.defaultChild as iam.CfnManagedPolicy)).toBe(NagRuleCompliance.COMPLIANT);
  });

  it('reports an Allow statement with NotAction', () => {
    const policy = new iam.ManagedPolicy(stack(), 'AllBut', {
      statements: [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })],
    });
    expect(rule(policy.node.defaultChild as iam.CfnManagedPolicy)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  it("reports it in a role's inline policy too", () => {
    const role = new iam.Role(stack(), 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        allBut: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ notActions: ['s3:DeleteObject'], resources: ['*'] })],
        }),
      },
    });
    expect(rule(role.node.defaultChild as iam.CfnRole)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  it('passes Deny + NotAction ("deny all but"), which narrows access', () => {
    const scope = stack();
    const bucket = new s3.Bucket(scope, 'Bucket');
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        notActions: ['s3:GetObject'],
        principals: [new iam.AnyPrincipal()],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    expect(rule(bucket.policy?.node.defaultChild as s3.CfnBucketPolicy)).toBe(NagRuleCompliance.COMPLIANT);
  });

  it('is not applicable to a resource without a policy document', () => {
    const bucket = new s3.Bucket(stack(), 'Plain');
    expect(rule(bucket.node.defaultChild as s3.CfnBucket)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });
});
