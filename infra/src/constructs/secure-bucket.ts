import { RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket the product owns has in common (the environment's, the account-security stack's and the
 * pipeline's): versioned, TLS 1.2+ only, no public access, ACLs off, retained (data, archives, artifacts,
 * reports and their access logs are evidence). Encryption, access logging and lifecycle are per bucket:
 * S3 delivers server access logs only to SSE-S3 buckets, every other bucket uses its KMS key.
 */
export const SECURE_BUCKET_DEFAULTS = {
  versioned: true,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies s3.BucketProps;
