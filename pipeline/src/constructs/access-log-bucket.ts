import { acrossPacks, SECURE_BUCKET_DEFAULTS, suppress } from '@sep/infra';
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Server access logs are kept a year of audit history (PCI DSS 3.2.1 requirement 10.7). */
export const ACCESS_LOG_RETENTION_DAYS = 365;

/**
 * A bucket for S3 server access logs of the platform's buckets in one region: the secure bucket defaults,
 * SSE-S3 (S3 delivers server access logs to nothing else), a year of logs. Created under `scope` with `id`
 * so that an existing bucket keeps its logical ID.
 */
export function createAccessLogBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    ...SECURE_BUCKET_DEFAULTS,
    // S3 server access logging delivers only to SSE-S3 buckets.
    encryption: s3.BucketEncryption.S3_MANAGED,
    lifecycleRules: [
      {
        id: 'expire-access-logs',
        expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS),
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  suppress(bucket, [
    ...acrossPacks(
      ['PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled'],
      'Access logs stay in the region the platform runs in: durability comes from S3 (11 nines), versioning and RETAIN; cross-region replication would copy audit records out of that region.',
    ),
    ...acrossPacks(
      ['PCI.DSS.321-S3DefaultEncryptionKMS', 'NIST.800.53.R5-S3DefaultEncryptionKMS'],
      'S3 server access logging cannot deliver to SSE-KMS buckets, so the access-log bucket uses SSE-S3 (AES-256) as AWS requires; the buckets it logs are SSE-KMS with customer-managed keys.',
    ),
  ]);
  return bucket;
}
