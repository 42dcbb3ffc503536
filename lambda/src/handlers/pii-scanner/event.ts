import { z } from 'zod';
import { ValidationError, zodFieldErrors } from '../../shared/errors';
import { isWellFormedUnicode } from '../../shared/text';

/** S3 object keys are at most 1024 bytes of UTF-8. */
const keySchema = z
  .string()
  .min(1)
  .refine((key) => Buffer.byteLength(key, 'utf8') <= 1024, { error: 'must be at most 1024 bytes' })
  .refine(isWellFormedUnicode, { error: 'must be valid Unicode' });
const bucketSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name' });

/** `Object Created` from S3's EventBridge integration (keys are not URL-encoded there). */
const eventBridgeSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  id: z.string().min(1),
  detail: z.object({
    bucket: z.object({ name: bucketSchema }),
    object: z.object({
      key: keySchema,
      size: z.number().int().nonnegative().optional(),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
    }),
  }),
});

/** Direct invoke (on-demand rescan). */
const directSchema = z.strictObject({
  bucket: bucketSchema,
  key: keySchema,
  versionId: z.string().min(1).optional(),
});

export interface ScanRequest {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  /** Where the request came from, for the audit trail. */
  readonly trigger: string;
}

export function parseScanEvent(event: unknown): ScanRequest {
  if (typeof event === 'object' && event !== null && 'detail-type' in event) {
    const parsed = eventBridgeSchema.safeParse(event);
    if (!parsed.success)
      throw new ValidationError('invalid S3 Object Created event', zodFieldErrors(parsed.error.issues));
    const { bucket, object } = parsed.data.detail;
    return {
      bucket: bucket.name,
      key: object.key,
      ...(object['version-id'] === undefined ? {} : { versionId: object['version-id'] }),
      trigger: `eventbridge:${parsed.data.id}`,
    };
  }
  const parsed = directSchema.safeParse(event);
  if (!parsed.success) throw new ValidationError('invalid scan request', zodFieldErrors(parsed.error.issues));
  return { ...parsed.data, trigger: 'direct-invoke' };
}
