import { z } from 'zod';
import { commonEnvironmentSchema, parseEnvironment } from '../../shared/config';

export const piiScannerEnvironmentSchema = commonEnvironmentSchema.extend({
  /** The only bucket this function scans; events for any other bucket are refused. */
  DATA_BUCKET_NAME: z.string().min(3),
});
export type PiiScannerConfig = z.output<typeof piiScannerEnvironmentSchema>;

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PiiScannerConfig {
  return parseEnvironment(piiScannerEnvironmentSchema, env);
}
