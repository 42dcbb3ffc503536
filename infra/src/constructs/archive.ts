import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { suppress } from '../nag/suppressions';
import { EnvironmentKeys } from './encryption';

export interface AuditLogArchiveProps {
  /** The KMS-encrypted, versioned audit bucket whose lifecycle keeps objects at least 365 days. */
  readonly auditBucket: s3.IBucket;
  /** Encrypts the delivery stream and the archived objects (the audit bucket's key). */
  readonly logsKey: kms.IKey;
  /** Audit-relevant log groups to archive, by a short label (the S3 prefix). */
  readonly logGroups: Readonly<Record<string, logs.ILogGroup>>;
}

/**
 * PCI DSS v4.0 10.5.1: twelve months of audit history. CloudWatch keeps 90
 * days; this copies every event of the audit-relevant log groups (API access,
 * WAF) through a KMS-encrypted Firehose stream into the audit bucket, whose
 * lifecycle keeps them 400 days. L1 resources with policies we write: the L2
 * grants would add wildcard actions (`s3:GetObject*`, `kms:GenerateDataKey*`).
 */
export class AuditLogArchive extends Construct {
  public readonly deliveryStream: firehose.CfnDeliveryStream;

  constructor(scope: Construct, id: string, props: AuditLogArchiveProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const deliveryRole = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': stack.account } },
      }),
      description: 'Firehose writes archived audit logs to the audit bucket',
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'DeliveryPolicy', {
      roles: [deliveryRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'AuditBucket',
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [props.auditBucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'AuditObjects',
          actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          resources: [props.auditBucket.arnForObjects('cloudwatch/*')],
        }),
      ],
    });
    EnvironmentKeys.allow(props.logsKey, deliveryRole, 'encryptDecrypt', 'AuditArchiveDelivery');

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: {
        keyType: 'CUSTOMER_MANAGED_CMK',
        keyArn: props.logsKey.keyArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: props.auditBucket.bucketArn,
        roleArn: deliveryRole.roleArn,
        prefix: 'cloudwatch/',
        errorOutputPrefix: 'cloudwatch/errors/',
        // CloudWatch Logs already gzips what it sends.
        compressionFormat: 'UNCOMPRESSED',
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 5 },
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.logsKey.keyArn } },
      },
    });
    this.deliveryStream.node.addDependency(deliveryPolicy);

    const groupArns = Object.values(props.logGroups).map((group) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${group.logGroupName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    const subscriptionRole = new iam.Role(this, 'SubscriptionRole', {
      assumedBy: new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`, {
        conditions: { ArnLike: { 'aws:SourceArn': groupArns } },
      }),
      description: 'CloudWatch Logs forwards audit-relevant log events to the archive stream',
    });
    const subscriptionPolicy = new iam.ManagedPolicy(this, 'SubscriptionPolicy', {
      roles: [subscriptionRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'ArchiveStream',
          actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
          resources: [this.deliveryStream.attrArn],
        }),
      ],
    });

    for (const [label, group] of Object.entries(props.logGroups)) {
      const filter = new logs.CfnSubscriptionFilter(this, `Archive${label}`, {
        logGroupName: group.logGroupName,
        filterPattern: '',
        destinationArn: this.deliveryStream.attrArn,
        roleArn: subscriptionRole.roleArn,
      });
      filter.node.addDependency(subscriptionPolicy);
    }

    suppress(deliveryPolicy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [{ regex: '/^Resource::<StorageAuditLogBucket[0-9A-F]{8}\\.Arn>\\/cloudwatch\\/\\*$/' }],
        reason:
          'Firehose names each archived object at delivery time (date prefix + stream sequence); the statement covers only the cloudwatch/ prefix of this environment audit bucket.',
      },
    ]);
  }
}
