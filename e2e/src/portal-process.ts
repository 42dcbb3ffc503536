import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

/** The monorepo root: e2e/src/.. /.. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PORTAL_DIR = path.join(REPO_ROOT, 'portal');

/** Where `next build` leaves the production build the portal's start script serves. */
const BUILD_ID_FILE = path.join(PORTAL_DIR, '.next', 'BUILD_ID');

export interface StartPortalOptions {
  /** A fresh folder for this portal's registry, audit, platform state and session secret. */
  readonly dataDir: string;
  /** Where the portal's stdout and stderr go (read back when it fails to start). */
  readonly logFile: string;
  /** Simulated deployments run this many times faster than AWS. */
  readonly speedFactor: number;
  /** @default a free loopback port */
  readonly port?: number;
  /** Register staging and prod on the fresh data folder. @default true */
  readonly seedPersistent?: boolean;
  /** Extra `PORTAL_*` variables (failure injection and the like). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 90_000 */
  readonly readyTimeoutMs?: number;
}

export interface PortalProcess {
  readonly baseURL: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** SIGTERM to the whole process group (start script, next, synth children), SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group: a crash, nothing gets to flush or clean up. */
  crash(): Promise<void>;
}

/** A port the kernel just handed out on loopback (closed again before the portal binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/** Fails early, with the command to run, when the production build is missing. */
export function assertPortalBuilt(): void {
  if (!existsSync(BUILD_ID_FILE)) {
    throw new Error(
      `the portal's production build is missing (${BUILD_ID_FILE}): run "NEXT_TELEMETRY_DISABLED=1 npm run build -w @sep/portal" and "npm run build -w @sep/lambda" first (turbo orders both before @sep/e2e#test)`,
    );
  }
}

function logTail(logFile: string, lines = 40): string {
  if (!existsSync(logFile)) return '(no log)';
  return readFileSync(logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the group the start script leads (next and the synth children are in it).
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function portClosed(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (!open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`port ${port} still accepts connections ${timeoutMs} ms after the portal was stopped`);
}

async function waitUntilServing(options: {
  baseURL: string;
  child: ChildProcess;
  logFile: string;
  timeoutMs: number;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (options.child.exitCode !== null || options.child.signalCode !== null) {
      throw new Error(
        `the portal exited (${options.child.exitCode ?? options.child.signalCode}) before serving:\n${logTail(options.logFile)}`,
      );
    }
    try {
      // A route that needs the runtime: the registry store is open and staging is seeded once it answers.
      const token = await fetch(`${options.baseURL}/api/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice' }),
      });
      if (token.ok) {
        const { token: bearer } = (await token.json()) as { token: string };
        const list = await fetch(`${options.baseURL}/api/environments`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        if (list.ok) return;
        lastError = `GET /api/environments answered ${list.status}`;
      } else {
        lastError = `POST /api/auth/token answered ${token.status}`;
      }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `the portal did not serve within ${options.timeoutMs} ms (${lastError}):\n${logTail(options.logFile)}`,
  );
}

/**
 * Starts the portal the way `npm start` does — its own `scripts/start.ts` on
 * the production build — in local mode on loopback, and waits until its
 * runtime answers API calls.
 */
export async function startPortal(options: StartPortalOptions): Promise<PortalProcess> {
  assertPortalBuilt();
  const port = options.port ?? (await freePort());
  const host = '127.0.0.1';
  const baseURL = `http://${host}:${port}`;
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const tsxCli = createRequire(path.join(REPO_ROOT, 'package.json')).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsxCli, 'scripts/start.ts'], {
    cwd: PORTAL_DIR,
    // Its own process group, so stop/crash reach next and the synth children too.
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      PORTAL_MODE: 'local',
      PORTAL_HOST: host,
      PORT: String(port),
      PORTAL_PUBLIC_ORIGIN: baseURL,
      PORTAL_DATA_DIR: options.dataDir,
      PORTAL_SPEED_FACTOR: String(options.speedFactor),
      PORTAL_POLL_INTERVAL_MS: '500',
      // Flows assert on a failed deployment as it failed: no automatic second attempt behind their back.
      PORTAL_AUTO_RECREATIONS: '0',
      // Flows create environments at their own pace, across specs: the limits have unit tests of their own.
      PORTAL_LIMIT_CREATES_PER_MINUTE: '100',
      PORTAL_LIMIT_ACTIVE_EPHEMERAL_PER_USER: '100',
      PORTAL_SEED_PERSISTENT: String(options.seedPersistent ?? true),
      PORTAL_LOG_LEVEL: 'info',
      ...options.env,
    },
  });
  const stop = async () => {
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(timer);
    // next may outlive the start script for a moment: make sure the whole group is gone.
    signalGroup(child, 'SIGKILL');
    await portClosed(port, 10_000);
  };
  try {
    await waitUntilServing({
      baseURL,
      child,
      logFile: options.logFile,
      timeoutMs: options.readyTimeoutMs ?? 90_000,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    baseURL,
    port,
    dataDir: options.dataDir,
    logFile: options.logFile,
    stop,
    crash: async () => {
      signalGroup(child, 'SIGKILL');
      await exited(child);
      await portClosed(port, 10_000);
    },
  };
}
