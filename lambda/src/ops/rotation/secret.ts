import { z } from 'zod';

/**
 * The JSON a MySQL database secret holds (the shape CDK's `DatabaseSecret` and RDS write).
 * Extra keys (dbClusterIdentifier…) are kept untouched through rotation.
 */
export const SUPPORTED_ENGINES = ['mysql', 'aurora-mysql'] as const;

export const mysqlSecretSchema = z.looseObject({
  engine: z.enum(SUPPORTED_ENGINES, { error: 'must be "mysql" or "aurora-mysql"' }),
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535).default(3306),
  username: z.string().min(1).max(80),
  password: z.string().min(1),
  dbname: z.string().min(1).optional(),
});
export type MysqlSecret = z.output<typeof mysqlSecretSchema>;

/** Parses a secret string; the message names fields, never values (the string holds a password). */
export function parseMysqlSecret(secretString: string | undefined, label: string): MysqlSecret {
  if (secretString === undefined) throw new Error(`${label}: secret has no SecretString`);
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new Error(`${label}: SecretString is not JSON`);
  }
  const parsed = mysqlSecretSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`${label}: invalid MySQL secret (${fields.join('; ')})`);
  }
  return parsed.data;
}
