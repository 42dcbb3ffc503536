import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { nagReportKey } from '@sep/registry/names';
import { staticCompliance } from '../domain/nag-report';
import type { ComplianceReport } from '../domain/types';

/**
 * The static half of an environment's compliance: the cdk-nag report the pipeline's synth step
 * published to the compliance-reports bucket as `nag-reports/<suffix>.json` (in AWS; in local mode, the
 * local S3 the local synth step published to). Never rejects: a report that cannot be read is
 * `available: false` with the reason.
 */
export async function readPublishedNagReport(options: {
  readonly s3: S3Client;
  readonly bucket: string | undefined;
  readonly environmentSuffix: string;
  /** The reason shown when no bucket is configured. */
  readonly unconfigured: string;
}): Promise<ComplianceReport['static']> {
  const unavailable = (unavailableReason: string) => ({ ...staticCompliance(undefined), unavailableReason });
  const { bucket } = options;
  if (bucket === undefined) return unavailable(options.unconfigured);
  const key = nagReportKey(options.environmentSuffix);
  let body: string;
  try {
    const object = await options.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    body = (await object.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    return unavailable(nagReportReadFailure(error, bucket, key));
  }
  let content: unknown;
  try {
    content = JSON.parse(body);
  } catch {
    content = undefined;
  }
  const report = staticCompliance(content);
  return report.available
    ? report
    : unavailable(
        `s3://${bucket}/${key} is not a cdk-nag report this portal can read (nag-report.json format)`,
      );
}

/** What S3 (and the SDK) call a throttled request. */
const THROTTLING_ERRORS = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded']);

/** Why a published cdk-nag report could not be read, for the compliance card. */
function nagReportReadFailure(error: unknown, bucket: string, key: string): string {
  const name = error instanceof Error ? error.name : 'Error';
  const detail = `${name}: ${error instanceof Error ? error.message : String(error)}`;
  const { $metadata } = (error ?? {}) as { $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') {
    return `bucket ${bucket} does not exist: check PORTAL_COMPLIANCE_REPORTS_BUCKET against the pipeline stack's ComplianceReportsBucketName output`;
  }
  if (name === 'NoSuchKey' || status === 404) {
    return `no cdk-nag report published yet for this environment (s3://${bucket}/${key}): the pipeline's synth publishes it once the stage has been synthesized`;
  }
  if (name === 'AccessDenied' || status === 403) {
    return `the portal may not read s3://${bucket}/${key} (${detail}): its role needs s3:GetObject on nag-reports/*, s3:ListBucket and kms:Decrypt on the platform key, as the pipeline stack's portal role grants`;
  }
  if (THROTTLING_ERRORS.has(name) || status === 503) {
    return `S3 throttled the read of s3://${bucket}/${key} past the SDK's retries (${name}); it is read again on the next refresh`;
  }
  return `s3://${bucket}/${key} could not be read (${detail})`;
}
