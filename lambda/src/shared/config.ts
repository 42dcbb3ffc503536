import { DATA_CLASSIFICATIONS } from '@sep/spec';
import { z } from 'zod';
import { ValidationError, zodFieldErrors } from './errors';
import { LOG_LEVELS } from './logger';

/**
 * Environment variables every environment handler receives (ARCHITECTURE.md). Each
 * handler's config.ts extends this schema and parses `process.env` once at cold start.
 */
export const commonEnvironmentSchema = z.object({
  ENVIRONMENT_SUFFIX: z.string().min(1),
  AUDIT_TABLE_NAME: z.string().min(1),
  ALERT_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(?:\.fifo)?$/, 'must be an SNS topic ARN'),
  DATA_CLASSIFICATION: z.enum(DATA_CLASSIFICATIONS),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});
export type CommonEnvironment = z.output<typeof commonEnvironmentSchema>;

/** Parses env with the schema, failing with every missing/invalid variable named. */
export function parseEnvironment<Schema extends z.ZodType>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>>,
): z.output<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ValidationError('invalid Lambda environment variables', zodFieldErrors(result.error.issues));
  }
  return result.data;
}
