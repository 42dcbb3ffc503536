import { z } from 'zod';
import { commonEnvironmentSchema, parseEnvironment } from '../../shared/config';

export const documentApiEnvironmentSchema = commonEnvironmentSchema.extend({
  DATA_BUCKET_NAME: z.string().min(3),
  DATA_KEY_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, 'must be a KMS key ARN'),
  /** Largest `content` accepted, in UTF-8 bytes. */
  MAX_DOCUMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .max(6 * 1024 * 1024)
    .default(1_048_576),
});
export type DocumentApiConfig = z.output<typeof documentApiEnvironmentSchema>;

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DocumentApiConfig {
  return parseEnvironment(documentApiEnvironmentSchema, env);
}
