import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Connection, createConnection } from 'mysql2/promise';

/**
 * A throwaway MariaDB for tests: its own temp datadir (mariadb-install-db), loopback TCP on a
 * free port, TLS with a self-signed certificate made here by openssl, root reachable only
 * through the unix socket in the temp dir. Needs Debian's `mariadb-server`; when it is missing
 * this throws (the test fails) rather than letting the rotation test skip silently.
 */

const run = promisify(execFile);

const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin'];

export interface MariaDbServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** PEM of the self-signed server certificate: the only CA clients should trust. */
  readonly ca: string;
  /** Runs SQL as root over the unix socket (setup and assertions only). */
  admin(sql: string, values?: (string | number | null)[]): Promise<unknown>;
  /** Stops mariadbd and deletes its directory. */
  close(): Promise<void>;
}

function findBinary(names: readonly string[], directories: readonly string[]): string | undefined {
  for (const directory of directories) {
    for (const name of names) {
      const candidate = join(directory, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function runOpenssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      throw new Error(
        'openssl not found: the MariaDB test setup makes its TLS certificate with it (apt-get install -y openssl)',
      );
    }
    throw error;
  }
}

async function createCertificate(directory: string): Promise<{ cert: string; key: string }> {
  const cert = join(directory, 'server-cert.pem');
  const key = join(directory, 'server-key.pem');
  await runOpenssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

export interface StartMariaDbOptions {
  /**
   * How long to wait for mariadbd to accept connections.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
  /**
   * Directories searched for mariadbd and mariadb-install-db.
   * @default $PATH, then the usual sbin/bin directories
   */
  readonly searchPath?: readonly string[];
}

export async function startMariaDb(options: StartMariaDbOptions = {}): Promise<MariaDbServer> {
  const searchPath = options.searchPath ?? [
    ...(process.env.PATH ?? '').split(':').filter(Boolean),
    ...SEARCH_PATH,
  ];
  const mariadbd = findBinary(['mariadbd', 'mysqld'], searchPath);
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db'], searchPath);
  if (mariadbd === undefined || installDb === undefined) {
    throw new Error(
      'mariadbd / mariadb-install-db not found: the secret-rotation test needs a real MariaDB. ' +
        'Install it with `apt-get install -y mariadb-server` (.ci/run does this when mariadbd is missing).',
    );
  }
  const directory = await mkdtemp(join(tmpdir(), 'sep-mariadb-'));
  const dataDir = join(directory, 'data');
  const socket = join(directory, 'mariadb.sock');
  const errorLog = join(directory, 'error.log');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const userArgs = asRoot ? ['--user=root'] : [];
  let child: ChildProcess | undefined;
  // Last resort if the test process dies without afterAll: no orphaned server, no stale datadir.
  const killOnExit = () => {
    child?.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await run(installDb, [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...userArgs,
    ]);
    const { cert, key } = await createCertificate(directory);
    const port = await freePort();
    child = spawn(
      mariadbd,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        `--socket=${socket}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--pid-file=${join(directory, 'mariadb.pid')}`,
        `--log-error=${errorLog}`,
        '--skip-name-resolve',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=16M',
        `--ssl-cert=${cert}`,
        `--ssl-key=${key}`,
        `--ssl-ca=${cert}`,
        ...userArgs,
      ],
      { stdio: 'ignore' },
    );
    process.once('exit', killOnExit);
    const exited = new Promise<never>((_, reject) => {
      child?.once('exit', async (code, signal) => {
        const log = await readFile(errorLog, 'utf8').catch(() => '');
        reject(new Error(`mariadbd exited early (code ${code}, signal ${signal}):\n${log.slice(-2000)}`));
      });
    });
    exited.catch(() => undefined);
    const root = await Promise.race([waitForSocket(socket, options.startTimeoutMs ?? 30_000), exited]);
    const ca = await readFile(cert, 'utf8');
    const process_ = child;
    return {
      host: '127.0.0.1',
      port,
      ca,
      admin: async (sql, values) => (await root.query(sql, values))[0],
      close: async () => {
        await root.end().catch(() => undefined);
        await stop(process_);
        process.removeListener('exit', killOnExit);
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (child !== undefined) await stop(child);
    process.removeListener('exit', killOnExit);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function waitForSocket(socketPath: string, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await createConnection({ socketPath, user: 'root', password: '' });
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`mariadbd did not accept connections within ${timeoutMs} ms: ${String(lastError)}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
