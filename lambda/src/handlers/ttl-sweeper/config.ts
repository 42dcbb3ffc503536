import { z } from 'zod';
import { parseEnvironment } from '../../shared/config';
import { LOG_LEVELS } from '../../shared/logger';

/** The sweeper runs on the pipeline side, across environments: no environment suffix, no audit table. */
export const sweeperEnvironmentSchema = z.object({
  REGISTRY_TABLE_NAME: z.string().min(1),
  NOTIFY_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN'),
  STACK_NAME_PREFIX: z.string().min(1).default('sep-'),
  /** Started after each teardown so self-mutation drops the environment's stage. Optional: no restart when unset. */
  PIPELINE_NAME: z.string().min(1).optional(),
  /** The pipeline account: environments whose spec names no account live there. */
  DEFAULT_ACCOUNT: z.string().regex(/^\d{12}$/, 'must be a 12-digit account ID'),
  /** Stop starting teardowns this long before the Lambda's own timeout; unfinished ones resume next run. */
  SAFETY_MARGIN_SECONDS: z.coerce.number().int().min(10).max(600).default(60),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});
export type SweeperEnvironment = z.output<typeof sweeperEnvironmentSchema>;

export function loadSweeperEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): SweeperEnvironment {
  return parseEnvironment(sweeperEnvironmentSchema, env);
}
