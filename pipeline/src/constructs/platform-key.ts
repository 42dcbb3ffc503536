import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Key administration, listed explicitly (no `kms:*`); use is granted per role through IAM policies. */
const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:UpdateKeyDescription',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ListResourceTags',
];
/** Delegated to IAM: a principal also needs an identity policy naming this key to use it. */
const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:CreateGrant',
  'kms:ListGrants',
  'kms:RetireGrant',
  'kms:RevokeGrant',
];

/** Customer-managed key (rotated yearly) of the platform's own data: the registry, the owner notifications and the published cdk-nag reports. */
export class PlatformKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const account = new iam.AccountRootPrincipal();
    this.key = new kms.Key(this, 'Key', {
      description:
        'Secure Environment Portal platform data (environment registry, owner notifications, compliance reports)',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'KeyAdministration',
            principals: [account],
            actions: KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'DelegateUseToIam',
            principals: [account],
            actions: KEY_USE_ACTIONS,
            resources: ['*'],
          }),
        ],
      }),
    });
  }
}
