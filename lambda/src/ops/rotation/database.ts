import { type Connection, createConnection, type SslOptions } from 'mysql2/promise';
import type { MysqlSecret } from './secret';

/** MySQL's "Access denied for user": the only failure that means "these credentials do not work". */
const ER_ACCESS_DENIED_ERROR = 1045;

export interface MysqlTls {
  /**
   * mysql2's TLS options: the `'Amazon RDS'` profile (RDS/Aurora CA bundle) in AWS, an explicit CA in tests.
   * Never absent: credentials do not travel in clear text.
   */
  readonly ssl: string | SslOptions;
  /**
   * Connect timeout in milliseconds.
   * @default 5000
   */
  readonly connectTimeoutMs?: number;
}

/**
 * Opens a TLS connection with the secret's credentials. Returns `undefined` when the server
 * refuses the credentials (the rotation template's "could not log in"); any other failure
 * (unreachable host, TLS verification) throws, because it says nothing about the password.
 */
export async function connectWith(secret: MysqlSecret, tls: MysqlTls): Promise<Connection | undefined> {
  try {
    return await createConnection({
      host: secret.host,
      port: secret.port,
      user: secret.username,
      password: secret.password,
      ...(secret.dbname === undefined ? {} : { database: secret.dbname }),
      ssl: tls.ssl,
      connectTimeout: tls.connectTimeoutMs ?? 5000,
    });
  } catch (error) {
    if ((error as { errno?: number }).errno === ER_ACCESS_DENIED_ERROR) return undefined;
    throw new Error(
      `cannot reach MySQL at ${secret.host}:${secret.port} over TLS: ${(error as Error).message ?? String(error)}`,
    );
  }
}

/**
 * Sets the connected user's own password. MySQL 8 (Aurora MySQL 3) takes the clear text;
 * MySQL 5.7 and MariaDB take `PASSWORD(...)`, as in AWS's rotation template. The value is
 * sent as an escaped parameter, never spliced into the SQL text.
 */
export async function setOwnPassword(connection: Connection, password: string): Promise<void> {
  const [rows] = await connection.query('SELECT VERSION() AS version');
  const version = String((rows as { version?: unknown }[])[0]?.version ?? '');
  const usesPasswordFunction = version.startsWith('5.') || /mariadb/i.test(version);
  await connection.query(usesPasswordFunction ? 'SET PASSWORD = PASSWORD(?)' : 'SET PASSWORD = ?', [
    password,
  ]);
}

/** The template's test: the pending credentials log in and can run a statement. */
export async function canQuery(connection: Connection): Promise<boolean> {
  const [rows] = await connection.query('SELECT NOW() AS now');
  return Array.isArray(rows) && rows.length === 1;
}
