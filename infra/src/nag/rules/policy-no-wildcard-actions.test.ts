import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagRuleCompliance } from 'cdk-nag';
import rule from './policy-no-wildcard-actions';

const stack = () => new Stack(new App(), 'Probe', { env: { account: '111111111111', region: 'us-east-1' } });
const allow = (actions: string[]) =>
  new iam.PolicyStatement({ actions, resources: ['arn:aws:s3:::probe/*'], principals: [] });

describe('Sep-PolicyNoWildcardActions', () => {
  it('passes a customer-managed policy that names every action', () => {
    const scope = stack();
    const policy = new iam.ManagedPolicy(scope, 'Named', { statements: [allow(['s3:GetObject'])] });
    expect(rule(policy.node.defaultChild as iam.CfnManagedPolicy)).toBe(NagRuleCompliance.COMPLIANT);
  });

  it('reports `*`, `service:*` and prefix wildcards, one finding per action, in identity policies', () => {
    const scope = stack();
    const policy = new iam.Policy(scope, 'Wild', {
      statements: [allow(['s3:Get*', 'sqs:*']), allow(['*', 's3:Get*'])],
    });
    expect(rule(policy.node.defaultChild as iam.CfnPolicy)).toEqual([
      'Action::s3:Get*',
      'Action::sqs:*',
      'Action::*',
    ]);
  });

  it("reads a role's inline policies", () => {
    const scope = stack();
    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { wide: new iam.PolicyDocument({ statements: [allow(['kms:GenerateDataKey*'])] }) },
    });
    expect(rule(role.node.defaultChild as iam.CfnRole)).toEqual(['Action::kms:GenerateDataKey*']);
  });

  it("reports the default key policy's `kms:*` and passes a key policy with named actions", () => {
    const scope = stack();
    const wide = new kms.Key(scope, 'Default');
    expect(rule(wide.node.defaultChild as kms.CfnKey)).toEqual(['Action::kms:*']);
    const narrow = new kms.Key(scope, 'Narrow', {
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            principals: [new iam.AccountRootPrincipal()],
            resources: ['*'],
          }),
        ],
      }),
    });
    expect(rule(narrow.node.defaultChild as kms.CfnKey)).toBe(NagRuleCompliance.COMPLIANT);
  });

  it("ignores wildcards in Deny statements (enforceSSL's TLS-only `s3:*` deny)", () => {
    const scope = stack();
    const bucket = new s3.Bucket(scope, 'Tls', { enforceSSL: true });
    const policy = bucket.policy?.node.defaultChild as s3.CfnBucketPolicy;
    expect(rule(policy)).toBe(NagRuleCompliance.COMPLIANT);
  });

  it('reports wildcards a grant writes into a queue policy', () => {
    const scope = stack();
    const queue = new sqs.Queue(scope, 'Queue');
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage*'],
        principals: [new iam.AccountRootPrincipal()],
        resources: [queue.queueArn],
      }),
    );
    const policy = scope.node.findAll().find((child) => child instanceof sqs.CfnQueuePolicy);
    expect(policy).toBeDefined();
    if (policy instanceof sqs.CfnQueuePolicy) expect(rule(policy)).toEqual(['Action::sqs:SendMessage*']);
  });

  it('is not applicable to a resource without a policy document', () => {
    const scope = stack();
    const bucket = new s3.Bucket(scope, 'Plain');
    expect(rule(bucket.node.defaultChild as s3.CfnBucket)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });

  it('skips what is still an intrinsic after resolve (it cannot be judged at synth time)', () => {
    const scope = stack();
    const policy = new iam.CfnManagedPolicy(scope, 'Imported', {
      policyDocument: { 'Fn::ImportValue': 'shared-policy' },
    });
    expect(rule(policy)).toBe(NagRuleCompliance.COMPLIANT);
    const action = new iam.CfnManagedPolicy(scope, 'TokenAction', {
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: { 'Fn::ImportValue': 'action' }, Resource: '*' }],
      },
    });
    expect(rule(action)).toBe(NagRuleCompliance.COMPLIANT);
  });
});
