// The account-security KMS keys, whose policies are written out in full: `kms.Key` would add `kms:*` for the root.
import { physicalName } from '@sep/spec';
import { ArnFormat, Aws, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCOUNT, ACCOUNT_TRAIL_LOG_GROUP_NAME } from './account-names';
import { administeredKey } from './constructs/encryption';
import { CLOUDWATCH_LOGS_KEY_ACTIONS } from './constructs/key-actions';

/**
 * The key of the trail (S3 and CloudWatch Logs) and of Config delivery: CloudTrail held to this trail, CloudWatch
 * Logs to the trail's log group, Config to this account, archive readers to decryption through S3.
 */
export function accountLogsKey(
  stack: Stack,
  options: { trailArn: string; archiveReaderRoleArns: readonly string[] },
): kms.IKey {
  const trailLogGroupArn = stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: ACCOUNT_TRAIL_LOG_GROUP_NAME,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return explicitKey(stack, 'LogsKey', {
    alias: physicalName('accountLogsKeyAlias', ACCOUNT),
    description:
      'CloudTrail trail (S3 and CloudWatch Logs) and AWS Config delivery of this account and region',
    statements: [
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptsThisTrail',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': options.trailArn },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*`,
          },
        },
      }),
      new iam.PolicyStatement({
        sid: 'CloudTrailDescribesKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': options.trailArn } },
      }),
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsTheTrailLogGroup',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
        resources: ['*'],
        conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': trailLogGroupArn } },
      }),
      new iam.PolicyStatement({
        sid: 'ConfigDeliversToTheArchive',
        principals: [new iam.ServicePrincipal('config.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      ...(options.archiveReaderRoleArns.length > 0
        ? [
            new iam.PolicyStatement({
              sid: 'ArchiveReadersDecryptThroughS3',
              principals: options.archiveReaderRoleArns.map((arn) => new iam.ArnPrincipal(arn)),
              actions: ['kms:Decrypt'],
              resources: ['*'],
              conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
            }),
          ]
        : []),
    ],
  });
}

/** The key of the account's security alert topic. */
export function accountAlertsKey(stack: Stack): kms.IKey {
  return explicitKey(stack, 'AlertsKey', {
    alias: physicalName('accountAlertsKeyAlias', ACCOUNT),
    description: 'Account security alert topic of this account and region',
    statements: [],
  });
}

/**
 * A rotating CMK whose policy is exactly: explicit administration for the
 * account, plus the given statements. `kms.Key` always adds `kms:*` for the
 * account root, which the project's policies may not contain.
 */
function explicitKey(
  scope: Stack,
  id: string,
  options: { alias: string; description: string; statements: iam.PolicyStatement[] },
): kms.IKey {
  const { cfnKey, key } = administeredKey(scope, id, {
    description: options.description,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const statement of options.statements) key.addToResourcePolicy(statement);
  new kms.CfnAlias(scope, `${id}Alias`, { aliasName: options.alias, targetKeyId: cfnKey.attrArn });
  return key;
}
