import { SECURE_BUCKET_DEFAULTS } from '@sep/infra';
import { EXECUTION_TEMPLATES_PREFIX, NAG_REPORTS_PREFIX } from '@sep/registry/names';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { createAccessLogBucket } from './access-log-bucket';

/** A superseded report (an older synth's) is kept this long, then expires. */
export const SUPERSEDED_REPORT_DAYS = 90;

export interface ComplianceReportsProps {
  /** The platform key: the reports bucket's default encryption. */
  readonly encryptionKey: kms.IKey;
}

/**
 * Where the synth step publishes each environment stage's cdk-nag report
 * (`nag-reports/<suffix>.json`) for the portal to read in aws mode (SPEC
 * section 5). SSE-KMS with the platform key and an S3 Bucket Key, TLS only,
 * public access blocked, ACLs disabled, versioned, retained; server access
 * logs go to a second bucket, which (like infra's access-log buckets) is
 * SSE-S3 because S3 delivers server access logs to nothing else.
 */
export class ComplianceReports extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ComplianceReportsProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    // Server access logs delivered under a bucket policy, not the LogDeliveryWrite ACL (ACLs stay
    // disabled): the flag infra's SecureEnvironmentStage sets for its own access-log buckets.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    this.accessLogBucket = createAccessLogBucket(this, 'AccessLogBucket');
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...SECURE_BUCKET_DEFAULTS,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      // One KMS data key per bucket instead of one call per object.
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'compliance-reports/',
      lifecycleRules: [
        {
          // Every synth rewrites the current reports; the previous versions are history only.
          id: 'expire-superseded-reports',
          noncurrentVersionExpiration: Duration.days(SUPERSEDED_REPORT_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        {
          // One set per pipeline execution, never rewritten after it: needed while its approval waits
          // (CodePipeline fails an approval after 7 days), kept as long as a superseded report after that.
          id: 'expire-execution-templates',
          prefix: EXECUTION_TEMPLATES_PREFIX,
          expiration: Duration.days(SUPERSEDED_REPORT_DAYS),
        },
      ],
    });
    this.suppressFindings();
  }

  /** What the synth step needs to publish reports: PutObject under `nag-reports/`, the key through S3. */
  publishStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'PublishNagReports',
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${NAG_REPORTS_PREFIX}*`)],
      }),
      this.keyStatement('NagReportsKeyEncrypt', 'kms:GenerateDataKey'),
    ];
  }

  /**
   * What the portal needs to read reports: GetObject under `nag-reports/`, the key through S3, and
   * ListBucket on this bucket, without which S3 answers a missing report with 403 AccessDenied instead
   * of 404 NoSuchKey (the bucket holds only these reports, whose keys are environment suffixes).
   */
  readStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'ReadNagReports',
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${NAG_REPORTS_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ListNagReports',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
      this.keyStatement('NagReportsKeyDecrypt', 'kms:Decrypt'),
    ];
  }

  private keyStatement(sid: string, action: string): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions: [action],
      resources: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
    });
  }

  /** The findings cdk-nag's AwsSolutions, PCI DSS 3.2.1 and NIST 800-53 R5 packs raise here, each with why (Sep raises none). */
  private suppressFindings(): void {
    const replication = (reason: string) =>
      ['PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled'].map((id) => ({
        id,
        reason,
      }));
    NagSuppressions.addResourceSuppressions(
      this.bucket,
      replication(
        'The reports are derived data: every pipeline run rewrites them from the synthesized stages, so a lost object is restored by the next run; a replica in another region would hold nothing the source repository cannot regenerate.',
      ),
    );
  }
}
