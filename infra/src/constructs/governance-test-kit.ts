import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { SepPolicyChecks } from '../nag/sep-pack';
import { KEY_ADMIN_ACTIONS } from './key-actions';

/**
 * Test support for the governance constructs (monitoring, compliance, secrets,
 * database, access): a stack with the four cdk-nag packs the stage applies,
 * and helpers reading their unsuppressed findings. Used by tests only.
 */

export const TEST_ENV = { account: '111111111111', region: 'us-east-1' } as const;

/** A stack whose synthesis runs AwsSolutions, PCIDSS321, NIST80053R5 and the project's Sep. */
export function nagCheckedStack(id = 'GovernanceTest'): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, id, { env: TEST_ENV });
  for (const pack of [
    new AwsSolutionsChecks(),
    new PCIDSS321Checks(),
    new NIST80053R5Checks(),
    new SepPolicyChecks(),
  ]) {
    Aspects.of(stack).add(pack);
  }
  return stack;
}

/** Unsuppressed cdk-nag errors and warnings as `<path>: <message>` lines (empty when clean). */
export function unsuppressedFindings(stack: Stack): string[] {
  const annotations = Annotations.fromStack(stack);
  const any = Match.stringLikeRegexp('.*');
  return [...annotations.findError('*', any), ...annotations.findWarning('*', any)].map(
    (finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`,
  );
}

/**
 * A rotating CMK for tests; the real keys come from the encryption construct. Its policy names its
 * actions as theirs do (aws-kms's default policy grants the account `kms:*`, which Sep reports).
 */
export function testKey(scope: Stack, id: string): kms.Key {
  const account = new iam.AccountRootPrincipal();
  return new kms.Key(scope, id, {
    enableKeyRotation: true,
    policy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ principals: [account], actions: [...KEY_ADMIN_ACTIONS], resources: ['*'] }),
        new iam.PolicyStatement({
          principals: [account],
          actions: [
            'kms:Decrypt',
            'kms:Encrypt',
            'kms:GenerateDataKey',
            'kms:DescribeKey',
            'kms:CreateGrant',
          ],
          resources: ['*'],
        }),
      ],
    }),
  });
}
