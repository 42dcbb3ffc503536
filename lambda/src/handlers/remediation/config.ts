import { z } from 'zod';
import { commonEnvironmentSchema, parseEnvironment } from '../../shared/config';

export const remediationEnvironmentSchema = commonEnvironmentSchema.extend({
  /**
   * `true`: read, decide, audit and notify, change nothing. Anything but exactly `true`/`false` is refused.
   * @default 'false'
   */
  DRY_RUN: z
    .enum(['true', 'false'], { error: 'must be "true" or "false"' })
    .default('false')
    .transform((value) => value === 'true'),
  /** The environment's quarantine security group (no ingress, no egress rules). */
  QUARANTINE_SECURITY_GROUP_ID: z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group ID'),
});
export type RemediationConfig = z.output<typeof remediationEnvironmentSchema>;

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): RemediationConfig {
  return parseEnvironment(remediationEnvironmentSchema, env);
}
