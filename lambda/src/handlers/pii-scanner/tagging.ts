import {
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import type { ScanResult } from '../../pii/types';

/** S3 allows at most 10 tags per object. */
const MAX_TAGS = 10;

/** The tags this function owns; other tags on the object are kept. */
export function scanTags(result: ScanResult): Tag[] {
  const pii = result.verdict === 'pii' ? 'true' : result.verdict === 'clean' ? 'false' : 'incomplete';
  return [
    { Key: 'pii', Value: pii },
    { Key: 'pii-types', Value: result.types.map((t) => t.type).join('+') || 'none' },
    { Key: 'pii-scan', Value: result.status },
  ];
}

export interface TagObjectOptions {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly tags: readonly Tag[];
}

/**
 * Merges `tags` into the object's tag set. Ours win over other tags when the 10-tag
 * limit forces a choice: an unlabelled object would look unscanned. Returns dropped keys.
 */
export async function tagObject(options: TagObjectOptions): Promise<string[]> {
  const { client, bucket, key, versionId } = options;
  const current = await client.send(
    new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  const ours = new Set(options.tags.map((t) => t.Key));
  const others = (current.TagSet ?? []).filter((t) => !ours.has(t.Key));
  const room = MAX_TAGS - options.tags.length;
  const kept = others.slice(0, room);
  await client.send(
    new PutObjectTaggingCommand({
      Bucket: bucket,
      Key: key,
      VersionId: versionId,
      Tagging: { TagSet: [...kept, ...options.tags] },
    }),
  );
  return others.slice(room).map((t) => t.Key ?? '');
}
