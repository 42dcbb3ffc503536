import { z } from 'zod';
import { commonEnvironmentSchema, parseEnvironment } from '../../shared/config';

const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-zA-Z-]+$/, 'must be a KMS key ARN');

export const complianceEvaluatorEnvironmentSchema = commonEnvironmentSchema.extend({
  /** The environment's data CMK; buckets must default-encrypt with it. */
  DATA_KEY_ARN: kmsKeyArn,
  /** The environment's logs CMK; log groups must be encrypted with it. */
  LOGS_KEY_ARN: kmsKeyArn,
  /** Minimum CloudWatch Logs retention in days (the seeds' 90). */
  REQUIRED_LOG_RETENTION_DAYS: z.coerce.number().int().positive().default(90),
});
export type ComplianceEvaluatorConfig = z.output<typeof complianceEvaluatorEnvironmentSchema>;

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ComplianceEvaluatorConfig {
  return parseEnvironment(complianceEvaluatorEnvironmentSchema, env);
}
