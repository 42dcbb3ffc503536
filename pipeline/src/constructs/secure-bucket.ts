import { RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket the pipeline stack owns has in common: versioned, TLS 1.2+
 * only, no public access, ACLs off, retained (artifacts, reports and their
 * access logs are evidence). Encryption, logging and lifecycle are per bucket.
 */
export const SECURE_BUCKET_DEFAULTS = {
  versioned: true,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies s3.BucketProps;
