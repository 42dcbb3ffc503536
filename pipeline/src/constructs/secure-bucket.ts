import { SECURE_BUCKET_DEFAULTS as PROJECT_BUCKET_DEFAULTS } from '@sep/infra';
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket the pipeline stack owns has in common: the project's secure bucket defaults
 * (versioned, TLS 1.2+ only, no public access, ACLs off — the same set as the environment and
 * account buckets), retained (artifacts, reports and their access logs are evidence). Encryption,
 * logging and lifecycle are per bucket.
 */
export const SECURE_BUCKET_DEFAULTS = {
  ...PROJECT_BUCKET_DEFAULTS,
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies s3.BucketProps;
