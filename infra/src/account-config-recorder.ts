// The optional AWS Config recorder, delivery channel and archive bucket (off where Control Tower records).
import { physicalName } from '@sep/spec';
import type { Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ACCOUNT } from './account-names';
import { SECURE_BUCKET_DEFAULTS } from './constructs/secure-bucket';
import { suppress } from './nag/suppressions';

export interface AccountConfigRecorderOptions {
  readonly names: { suffix: string; account: string; region: string };
  /** Encrypts the Config archive bucket and the delivered snapshots. */
  readonly logsKey: kms.IKey;
  /** The archive lifecycle of the account's audit buckets (Glacier, then expiry after the archive period). */
  readonly lifecycleRule: s3.LifecycleRule;
  readonly accessLogBucket: s3.IBucket;
  readonly recordGlobalResources: boolean;
}

/**
 * The Config recorder (`service-role/AWS_ConfigRole`) and its delivery channel into a KMS-encrypted archive bucket of
 * this account and region; the bucket is returned so the stack can apply its archive suppressions.
 */
export function addConfigRecorder(
  stack: Stack,
  options: AccountConfigRecorderOptions,
): { recorder: config.CfnConfigurationRecorder; configBucket: s3.Bucket } {
  const configBucket = new s3.Bucket(stack, 'ConfigBucket', {
    ...SECURE_BUCKET_DEFAULTS,
    bucketName: physicalName('accountConfigBucket', options.names),
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.logsKey,
    bucketKeyEnabled: true,
    serverAccessLogsBucket: options.accessLogBucket,
    serverAccessLogsPrefix: 'config/',
    lifecycleRules: [options.lifecycleRule],
  });
  const sourceAccount = { StringEquals: { 'AWS:SourceAccount': stack.account } };
  configBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'ConfigAclCheck',
      principals: [new iam.ServicePrincipal('config.amazonaws.com')],
      actions: ['s3:GetBucketAcl', 's3:ListBucket'],
      resources: [configBucket.bucketArn],
      conditions: sourceAccount,
    }),
  );
  configBucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'ConfigWrite',
      principals: [new iam.ServicePrincipal('config.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [configBucket.arnForObjects(`AWSLogs/${stack.account}/Config/*`)],
      conditions: sourceAccount,
    }),
  );

  const role = new iam.Role(stack, 'ConfigRole', {
    roleName: physicalName('accountConfigRole', options.names),
    description: 'AWS Config recorder of this account and region',
    assumedBy: new iam.ServicePrincipal('config.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
    }),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
  });
  const deliveryPolicy = new iam.ManagedPolicy(stack, 'ConfigDeliveryPolicy', {
    description: 'AWS Config writes snapshots and history to the archive bucket only',
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [configBucket.arnForObjects(`AWSLogs/${stack.account}/Config/*`)],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetBucketAcl'], resources: [configBucket.bucketArn] }),
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [options.logsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    ],
  });
  suppress(role, [
    {
      ruleId: 'AwsSolutions-IAM4',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole'],
      reason:
        'AWS_ConfigRole is the AWS-maintained policy for a Config recorder: it lists the read-only Describe/Get/List calls for every supported resource type and is updated by AWS as types are added; a hand-written copy would fall behind. Required by the SPEC and the seeds.',
    },
  ]);
  suppress(deliveryPolicy, [
    {
      ruleId: 'AwsSolutions-IAM5',
      appliesTo: [{ regex: '/^Resource::.*\\/AWSLogs\\/.*\\/Config\\/\\*$/g' }],
      reason:
        "AWS Config writes objects under AWSLogs/<account>/Config/ with names it chooses; the pattern is limited to that prefix of this account's Config archive bucket.",
    },
  ]);

  const recorder = new config.CfnConfigurationRecorder(stack, 'ConfigRecorder', {
    name: physicalName('accountConfigRecorder', ACCOUNT),
    roleArn: role.roleArn,
    recordingGroup: { allSupported: true, includeGlobalResourceTypes: options.recordGlobalResources },
  });
  const channel = new config.CfnDeliveryChannel(stack, 'ConfigDeliveryChannel', {
    name: physicalName('accountDeliveryChannel', ACCOUNT),
    s3BucketName: configBucket.bucketName,
    s3KmsKeyArn: options.logsKey.keyArn,
    // No SNS topic: the channel would mail every configuration change in the
    // account. Non-compliance reaches people through the environments' rules.
    configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
  });
  // CloudFormation starts the recorder once its delivery channel exists.
  channel.node.addDependency(recorder, configBucket, deliveryPolicy);
  return { recorder, configBucket };
}
