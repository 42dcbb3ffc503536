import { SECURE_BUCKET_DEFAULTS, suppress } from '@sep/infra';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accountKeyPolicyStatements } from './platform-key';

/** Superseded artifact versions (older runs' source, cloud assembly, assets) are kept this long. */
export const NONCURRENT_ARTIFACT_DAYS = 30;
/** Prefix of the artifact bucket's server access logs in the platform's access-log bucket. */
export const ARTIFACT_ACCESS_LOG_PREFIX = 'pipeline-artifacts/';

export interface PipelineArtifactsProps {
  /** Where the bucket's server access logs go (the platform's SSE-S3 access-log bucket). */
  readonly accessLogBucket: s3.IBucket;
}

/**
 * The pipeline's artifact store, instead of the bucket CDK Pipelines would
 * create: SSE-KMS with its own customer-managed key (rotated yearly), TLS 1.2+
 * only, public access blocked, ACLs disabled, versioned, server access logs,
 * retained. The key is its own (not the platform key) because cross-account
 * deployments add the target accounts' deploy roles to its key policy: they
 * must be able to read artifacts and nothing else. Every CodeBuild project the
 * pipeline runs takes this key as its `EncryptionKey` (CodeBuild binds a
 * project to its pipeline's artifact-bucket key).
 */
export class PipelineArtifacts extends Construct {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: PipelineArtifactsProps) {
    super(scope, id);
    // Server access logs delivered under a bucket policy, not the LogDeliveryWrite ACL (ACLs stay disabled).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.key = new kms.Key(this, 'Key', {
      description: 'Secure Environment Portal delivery pipeline artifacts',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      // Retained with the bucket: a retained artifact stays readable.
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({ statements: accountKeyPolicyStatements() }),
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      ...SECURE_BUCKET_DEFAULTS,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: ARTIFACT_ACCESS_LOG_PREFIX,
      lifecycleRules: [
        {
          id: 'expire-superseded-artifacts',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_ARTIFACT_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    suppress(
      this.bucket,
      ['PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled'].map(
        (ruleId) => ({
          ruleId,
          reason:
            'Pipeline artifacts are intermediate build outputs (source snapshot, cloud assembly, asset zips) that every pipeline run regenerates from the source repository; a cross-region replica would hold nothing that cannot be rebuilt, and versioning plus RETAIN already protect against deletion.',
        }),
      ),
    );
  }
}
