import { type PhysicalNameKind, physicalName } from '@sep/spec';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AUDIT_LOCK_DAYS, HOT_ARCHIVE_DAYS, type KindPolicy } from '../kind-policy';
import { suppressAutoDeleteGrant } from '../nag/cdk-helpers';
import { acrossPacks, type NagSuppression, suppress } from '../nag/suppressions';
import { SECURE_BUCKET_DEFAULTS } from './secure-bucket';

/** Noncurrent object versions move to Glacier after this many days (seed 000). */
export const NONCURRENT_TO_GLACIER_DAYS = 30;

/** The audit table's GSI (ARCHITECTURE.md). */
export const AUDIT_TIMESTAMP_INDEX = 'by-timestamp';

export interface EnvironmentStorageProps {
  readonly environmentSuffix: string;
  /** What the environment's kind decides: removal, auto-delete, protection, archive days, MFA deletes. */
  readonly policy: KindPolicy;
  /** Encrypts the data bucket and both tables. */
  readonly dataKey: kms.IKey;
  /** Encrypts the flow-log and audit-log buckets. */
  readonly logsKey: kms.IKey;
}

/**
 * The environment's S3 buckets (data, server access logs, VPC flow logs, audit
 * archive) and DynamoDB tables (audit, transactions).
 *
 * Server access logs: S3 delivers them only to a bucket encrypted with SSE-S3
 * (AES-256), never SSE-KMS, so the access-log bucket is the one bucket without
 * the CMK; everything else it shares (versioning, TLS-only, public access
 * block, lifecycle). MFA Delete cannot be switched on by CloudFormation (only
 * the root user with MFA through the API can); prod instead denies
 * `s3:DeleteObjectVersion` without MFA in the data bucket policy.
 */
export class EnvironmentStorage extends Construct {
  public readonly dataBucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  public readonly flowLogBucket: s3.Bucket;
  public readonly auditLogBucket: s3.Bucket;
  public readonly auditTable: dynamodb.Table;
  public readonly transactionsTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: EnvironmentStorageProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { policy } = props;
    const name = (kind: PhysicalNameKind) =>
      physicalName(kind, { suffix: props.environmentSuffix, account: stack.account, region: stack.region });
    const archiveRules: s3.LifecycleRule[] = [
      {
        id: 'archive-then-expire',
        // Standard (immediately available) for 90 days, then Glacier until the archive period ends.
        transitions: [
          { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(HOT_ARCHIVE_DAYS) },
        ],
        expiration: Duration.days(policy.archiveRetentionDays),
        noncurrentVersionExpiration: Duration.days(policy.archiveRetentionDays),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ];
    const common = {
      ...SECURE_BUCKET_DEFAULTS,
      removalPolicy: policy.dataRemovalPolicy,
      autoDeleteObjects: policy.autoDeleteObjects,
    } satisfies s3.BucketProps;

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      ...common,
      bucketName: name('accessLogBucket'),
      // S3 server access logging delivers only to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: archiveRules,
    });

    this.dataBucket = new s3.Bucket(this, 'DataBucket', {
      ...common,
      bucketName: name('dataBucket'),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.dataKey,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'data/',
      // The PII scanner reacts to `Object Created` events through EventBridge.
      eventBridgeEnabled: true,
      lifecycleRules: [
        {
          id: 'noncurrent-to-glacier',
          noncurrentVersionTransitions: [
            {
              storageClass: s3.StorageClass.GLACIER,
              transitionAfter: Duration.days(NONCURRENT_TO_GLACIER_DAYS),
            },
          ],
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    this.denyUnencryptedUploads(this.dataBucket, props.dataKey);
    if (policy.mfaOnVersionDeletes) {
      this.dataBucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyVersionDeletesWithoutMfa',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:DeleteObjectVersion'],
          resources: [this.dataBucket.arnForObjects('*')],
          conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        }),
      );
    }

    // Governance, not compliance, mode: nobody without s3:BypassGovernanceRetention (which no role of
    // the stage holds, and the human roles' guardrails deny) can delete or overwrite a locked version,
    // yet a security officer can still purge a log that captured cardholder data by mistake
    // (PCI DSS 3.2.1 / erasure duties), which compliance mode would forbid for a whole year.
    const auditLock = policy.lockAuditLogs
      ? {
          objectLockEnabled: true,
          objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(AUDIT_LOCK_DAYS)),
        }
      : {};
    this.flowLogBucket = new s3.Bucket(this, 'FlowLogBucket', {
      ...common,
      ...auditLock,
      bucketName: name('flowLogBucket'),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.logsKey,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'flow/',
      lifecycleRules: archiveRules,
    });

    this.auditLogBucket = new s3.Bucket(this, 'AuditLogBucket', {
      ...common,
      ...auditLock,
      bucketName: name('auditLogBucket'),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.logsKey,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'audit/',
      lifecycleRules: archiveRules,
    });
    this.denyUnencryptedUploads(this.auditLogBucket, props.logsKey);
    if (policy.autoDeleteObjects) {
      for (const bucket of [this.accessLogBucket, this.dataBucket, this.flowLogBucket, this.auditLogBucket]) {
        keepWriteDenyUntilBucketIsGone(bucket);
        suppressAutoDeleteGrant(bucket);
      }
    }

    const table = (tableId: string, tableName: string, tableProps: Partial<dynamodb.TableProps>) =>
      new dynamodb.Table(this, tableId, {
        tableName,
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        ...tableProps,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: props.dataKey,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        contributorInsightsSpecification: { enabled: true },
        deletionProtection: policy.deletionProtection,
        removalPolicy: policy.dataRemovalPolicy,
      });
    this.auditTable = table('AuditTable', name('auditTable'), {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });
    this.auditTable.addGlobalSecondaryIndex({
      indexName: AUDIT_TIMESTAMP_INDEX,
      partitionKey: { name: 'auditDay', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'timestamp', type: dynamodb.AttributeType.STRING },
      contributorInsightsSpecification: { enabled: true },
    });
    this.transactionsTable = table('TransactionsTable', name('transactionsTable'), {
      partitionKey: { name: 'transactionId', type: dynamodb.AttributeType.STRING },
    });

    this.suppressFindings(policy);
  }

  /** Every upload states SSE-KMS with the bucket's own key (seed 002 "deny unencrypted uploads"). */
  private denyUnencryptedUploads(bucket: s3.Bucket, key: kms.IKey): void {
    const deny = (sid: string, conditions: Record<string, unknown>) =>
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects('*')],
          conditions,
        }),
      );
    deny('DenyUploadsWithoutSseKms', { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } });
    deny('DenyUploadsWithAnotherKey', {
      StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn },
    });
  }

  private suppressFindings(policy: KindPolicy): void {
    const everyBucket: NagSuppression[] = [
      ...acrossPacks(
        ['PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled'],
        'Cross-region replication would copy regulated data out of the environment region (data residency); durability comes from S3 (11 nines), versioning and, in prod, RETAIN.',
      ),
      {
        ruleId: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason:
          'Only the access-log bucket lacks SSE-KMS: S3 server access logging cannot deliver to SSE-KMS buckets, so it uses SSE-S3 (AES-256) as AWS requires.',
      },
      {
        ruleId: 'PCI.DSS.321-S3DefaultEncryptionKMS',
        reason:
          'Only the access-log bucket lacks SSE-KMS: S3 server access logging cannot deliver to SSE-KMS buckets, so it uses SSE-S3 (AES-256) as AWS requires.',
      },
    ];
    const lockBlocksTeardown: NagSuppression = {
      ruleId: 'NIST.800.53.R5-S3BucketDefaultLockEnabled',
      reason:
        'Object Lock cannot be removed once set and would block the teardown ephemeral and staging environments offer (locked objects outlive the stack); versioning plus the lifecycle archive keep history. Prod locks its security-log buckets.',
      kinds: ['ephemeral', 'staging'],
    };
    const notCopied = (extra: NagSuppression[]) =>
      everyBucket.filter((s) => !s.ruleId.endsWith('S3DefaultEncryptionKMS')).concat(extra);
    suppress(
      this.dataBucket,
      notCopied([
        policy.lockAuditLogs
          ? {
              ruleId: 'NIST.800.53.R5-S3BucketDefaultLockEnabled',
              reason:
                'The data bucket holds customer documents that must stay erasable on request (retention and erasure duties); a default Object Lock would make every upload undeletable for its period. Versioning keeps history and prod denies version deletes without MFA.',
            }
          : lockBlocksTeardown,
      ]),
    );
    for (const bucket of [this.flowLogBucket, this.auditLogBucket]) {
      suppress(bucket, notCopied(policy.lockAuditLogs ? [] : [lockBlocksTeardown]));
    }
    suppress(this.accessLogBucket, [
      ...everyBucket,
      {
        ruleId: 'NIST.800.53.R5-S3BucketDefaultLockEnabled',
        reason:
          'S3 server access logging refuses a target bucket with a default Object Lock retention (AWS documents it as unsupported); the access logs are versioned, TLS-only and kept by the lifecycle archive.',
      },
      ...acrossPacks(
        ['AwsSolutions-S1', 'PCI.DSS.321-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketLoggingEnabled'],
        'This is the server-access-log target bucket; logging it into itself would create a delivery loop. Changes to its policy, ACL and configuration are management events of the account trail, and its policy admits only S3 log delivery from this account to write.',
      ),
    ]);
    const notifications = this.dataBucket.node.tryFindChild('Notifications');
    if (notifications !== undefined) {
      suppress(
        notifications,
        acrossPacks(
          ['PCI.DSS.321-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy'],
          'aws-cdk-lib attaches this policy (s3:PutBucketNotification on the data bucket only) to its bucket-notifications helper role to switch on EventBridge delivery; its shape is fixed by aws-cdk-lib.',
        ),
        { applyToChildren: true },
      );
    }
    for (const table of [this.auditTable, this.transactionsTable]) {
      if (policy.vaultedBackups) continue;
      suppress(table, [
        {
          ruleId: 'NIST.800.53.R5-DynamoDBInBackupPlan',
          reason:
            'Point-in-time recovery (35 days of continuous backups) is on for the table; a vaulted AWS Backup plan per ephemeral or staging environment would duplicate it for data that is not the system of record. Prod tables are in a backup plan.',
          kinds: ['ephemeral', 'staging'],
        },
      ]);
    }
  }
}

/**
 * Log deliveries (S3 server access logs, VPC flow logs) keep arriving minutes to hours after their
 * source is gone, so an auto-deleted bucket can be refilled between its emptying and its deletion
 * and the stack ends DELETE_FAILED with BucketNotEmpty (aws/aws-cdk#21776, #16332). aws-cdk-lib's
 * auto-delete handler first adds a statement denying `s3:PutObject` to everyone, then empties the
 * bucket; but CloudFormation then deletes the AWS::S3::BucketPolicy resource, and the deny goes
 * with it before the bucket itself is deleted. Retaining the policy resource keeps that deny until
 * the bucket is deleted (a bucket's policy is deleted with the bucket): late deliveries are refused,
 * not written, and the bucket stays empty. Ephemeral environments only.
 */
export function keepWriteDenyUntilBucketIsGone(bucket: s3.Bucket): void {
  if (bucket.policy === undefined) {
    throw new Error(`${bucket.node.path}: an auto-deleted bucket has a bucket policy (the handler's grant)`);
  }
  bucket.policy.applyRemovalPolicy(RemovalPolicy.RETAIN);
}
