import {
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ArnContext, Inspection } from './inspection';

const FULL_BLOCK: Required<PublicAccessBlockConfiguration> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** Re-applies all four bucket-level public access blocks (what the stage deploys). */
export async function inspectBucketPublicAccess(options: {
  readonly s3: S3Client;
  readonly bucketName: string;
  readonly arn: ArnContext;
}): Promise<Inspection> {
  const { s3, bucketName } = options;
  const entity = `arn:${options.arn.partition}:s3:::${bucketName}`;
  const base = { action: 'block-public-access', entity };
  let tags: unknown = [];
  try {
    tags = (await s3.send(new GetBucketTaggingCommand({ Bucket: bucketName }))).TagSet ?? [];
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchBucket') {
      return {
        ...base,
        tags: [],
        state: 'missing',
        summary: `bucket ${bucketName} no longer exists`,
        details: { bucketName },
        apply: noop,
      };
    }
    // An untagged bucket is simply not ours; the orchestrator refuses it.
    if (name !== 'NoSuchTagSet') throw error;
  }
  let current: PublicAccessBlockConfiguration = {};
  try {
    current =
      (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucketName })))
        .PublicAccessBlockConfiguration ?? {};
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchPublicAccessBlockConfiguration') throw error;
  }
  const previous = {
    BlockPublicAcls: current.BlockPublicAcls === true,
    IgnorePublicAcls: current.IgnorePublicAcls === true,
    BlockPublicPolicy: current.BlockPublicPolicy === true,
    RestrictPublicBuckets: current.RestrictPublicBuckets === true,
  };
  const details = { bucketName, previous };
  if (Object.values(previous).every(Boolean)) {
    return {
      ...base,
      tags,
      state: 'already-remediated',
      summary: `bucket ${bucketName} already blocks all public access`,
      details,
      apply: noop,
    };
  }
  return {
    ...base,
    tags,
    state: 'needs-change',
    summary: `re-apply the full public access block on bucket ${bucketName}`,
    details,
    apply: async () => {
      await s3.send(
        new PutPublicAccessBlockCommand({ Bucket: bucketName, PublicAccessBlockConfiguration: FULL_BLOCK }),
      );
    },
  };
}

async function noop(): Promise<void> {}
