import { z } from 'zod';
import { commonEnvironmentSchema, parseEnvironment } from '../../shared/config';

export const secretRotationEnvironmentSchema = commonEnvironmentSchema.extend({
  /**
   * Characters the generated password must not contain.
   * @default '/@"\'\\' (AWS's template default)
   */
  EXCLUDE_CHARACTERS: z.string().min(1).optional(),
});
export type SecretRotationConfig = z.output<typeof secretRotationEnvironmentSchema>;

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): SecretRotationConfig {
  return parseEnvironment(secretRotationEnvironmentSchema, env);
}
