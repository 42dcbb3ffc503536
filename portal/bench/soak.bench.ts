// Crash soak of the lifecycle (issue: "nothing gets stuck, nothing is lost"): the BUILT portal in local mode
// on one data folder; each round fires a burst of creates and destroys and kills the Next server with
// SIGKILL at a random moment inside the burst (an OOM kill: only the server, its synth children are left
// behind as a real crash leaves them). After the last round the portal starts once more and is given time
// to settle; then the bench reports
//   - stuck: registry entries that are neither settled (ready, failed) nor moving any more
//     (requested / synthesizing / deploying / destroying with no status change during the last window);
//   - missing audit: a create answered 201, an entry present in the registry, or a destroy answered 202
//     without its `environment.requested` / `environment.destroy-requested` audit entry.
// Both must be 0. Asserts nothing about timing.
//   npm run bench:soak -w @sep/portal [-- --rounds=3 --burst=8 --speed=50 --settle=900]
// Needs `npm run build -w @sep/lambda` and `NEXT_TELEMETRY_DISABLED=1 npm run build -w @sep/portal` first.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    burst: { type: 'string', default: '8' },
    speed: { type: 'string', default: '50' },
    settle: { type: 'string', default: '900' },
    keep: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const BURST = Number(values.burst);
const SETTLE_MS = Number(values.settle) * 1000;
/** An entry whose status has not changed for this long, unsettled, is stuck. */
const QUIET_MS = 120_000;
const portalDir = path.resolve(__dirname, '..');
const SETTLED = new Set(['ready', 'failed']);

interface Entry {
  readonly environmentSuffix: string;
  readonly status: string;
  readonly statusReason?: string;
}
interface AuditEntry {
  readonly action: string;
  readonly target: string;
  readonly outcome: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `next start` itself (not the npm wrapper): SIGKILL then ends exactly the server process. */
async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const nextBin = require.resolve('next/dist/bin/next', { paths: [portalDir] });
  const child = spawn(
    process.execPath,
    [nextBin, 'start', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: portalDir,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        PORTAL_MODE: 'local',
        PORT: String(port),
        PORTAL_HOST: '127.0.0.1',
        PORTAL_PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
        PORTAL_DATA_DIR: dataDir,
        PORTAL_REPO_ROOT: path.resolve(portalDir, '..'),
        PORTAL_SPEED_FACTOR: String(values.speed),
        PORTAL_SEED_PERSISTENT: 'false',
        PORTAL_LIMIT_CREATES_PER_MINUTE: '1000',
        PORTAL_LIMIT_ACTIVE_EPHEMERAL_PER_USER: '1000',
        PORTAL_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error(`the portal exited (${child.exitCode}) while starting`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/openapi.json`)).ok) return child;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('the portal did not start');
}

class Api {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  static async signIn(base: string, username: string): Promise<Api> {
    const response = await fetch(`${base}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username }),
    });
    return new Api(base, ((await response.json()) as { token: string }).token);
  }

  private headers() {
    return { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' };
  }

  /** The answer's status, or 0 when the server died before answering. */
  async create(suffix: string): Promise<number> {
    try {
      const response = await fetch(`${this.base}/api/environments`, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify({
          environmentSuffix: suffix,
          kind: 'ephemeral',
          project: 'soak',
          costCenter: 'CC-SOAK',
          ttlHours: 24,
        }),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  async destroy(suffix: string): Promise<number> {
    try {
      const response = await fetch(`${this.base}/api/environments/${suffix}`, {
        method: 'DELETE',
        headers: this.headers(),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  async environments(): Promise<Entry[]> {
    const all: Entry[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
      const page = (await (
        await fetch(`${this.base}/api/environments?${query}`, { headers: this.headers() })
      ).json()) as { environments: Entry[]; nextCursor?: string };
      all.push(...page.environments);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  }

  async audit(): Promise<AuditEntry[]> {
    const all: AuditEntry[] = [];
    let before: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '200', ...(before ? { before } : {}) });
      const page = (await (
        await fetch(`${this.base}/api/audit?${query}`, { headers: this.headers() })
      ).json()) as {
        entries: AuditEntry[];
        nextBefore?: string;
      };
      all.push(...page.entries);
      before = page.nextBefore;
    } while (before !== undefined);
    return all;
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(portalDir, '.next', 'BUILD_ID')))
    throw new Error('build the portal first: NEXT_TELEMETRY_DISABLED=1 npm run build -w @sep/portal');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sep-soak-'));
  console.log(
    `soak: ${ROUNDS} rounds of ${BURST} creates (+ destroys of the last round's), SIGKILL inside each burst; speed ×${values.speed}; load ${loadavg()[0]?.toFixed(1)}; data ${dataDir}`,
  );
  const created = new Set<string>();
  const destroyAccepted = new Set<string>();
  const answered: Record<string, number> = {};
  let server: ChildProcess | undefined;
  const started = Date.now();
  try {
    let previous: string[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      server = await startServer(dataDir, port);
      const alice = await Api.signIn(base, 'alice');
      const suffixes = Array.from({ length: BURST }, (_, i) => `soak-${round}-${i}`);
      const killAfterMs = Math.floor(Math.random() * 1500);
      const burst = [
        ...suffixes.map(async (suffix) => {
          const status = await alice.create(suffix);
          answered[status] = (answered[status] ?? 0) + 1;
          if (status === 201) created.add(suffix);
        }),
        ...previous.slice(0, Math.ceil(previous.length / 2)).map(async (suffix) => {
          const status = await alice.destroy(suffix);
          if (status === 202) destroyAccepted.add(suffix);
        }),
      ];
      await sleep(killAfterMs);
      server.kill('SIGKILL');
      await Promise.all(burst);
      console.log(
        `round ${round}: SIGKILL after ${killAfterMs} ms; answers so far ${JSON.stringify(answered)}`,
      );
      previous = suffixes;
    }

    // The last start: the portal drives every entry it finds on, without a request to wake it.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await startServer(dataDir, port);
    const dave = await Api.signIn(base, 'dave');
    const lastChange = new Map<string, { status: string; at: number }>();
    let entries: Entry[] = [];
    const deadline = Date.now() + SETTLE_MS;
    for (;;) {
      entries = await dave.environments();
      const now = Date.now();
      for (const entry of entries) {
        const seen = lastChange.get(entry.environmentSuffix);
        if (seen?.status !== entry.status)
          lastChange.set(entry.environmentSuffix, { status: entry.status, at: now });
      }
      const unsettled = entries.filter((e) => !SETTLED.has(e.status) && e.status !== 'destroyed');
      if (unsettled.length === 0 || now > deadline) break;
      await sleep(5000);
    }
    const now = Date.now();
    const stuck = entries.filter(
      (e) =>
        !SETTLED.has(e.status) &&
        e.status !== 'destroyed' &&
        now - (lastChange.get(e.environmentSuffix)?.at ?? now) >= QUIET_MS,
    );
    const moving = entries.filter(
      (e) => !SETTLED.has(e.status) && e.status !== 'destroyed' && !stuck.includes(e),
    );
    const audit = await dave.audit();
    const audited = (action: string, suffix: string) =>
      audit.some((a) => a.action === action && a.target === suffix && a.outcome === 'success');
    const present = new Set(entries.map((e) => e.environmentSuffix));
    const missingCreate = [...new Set([...created, ...present])].filter(
      (suffix) => !audited('environment.requested', suffix),
    );
    const missingDestroy = [...destroyAccepted].filter(
      (suffix) => !audited('environment.destroy-requested', suffix),
    );
    const byStatus: Record<string, number> = {};
    for (const entry of entries) byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
    console.table([
      {
        rounds: ROUNDS,
        'creates answered 201': created.size,
        'destroys answered 202': destroyAccepted.size,
        'entries after restart': entries.length,
        'by status': JSON.stringify(byStatus),
        'still moving': moving.length,
        stuck: stuck.length,
        'missing audit entries': missingCreate.length + missingDestroy.length,
        minutes: ((Date.now() - started) / 60_000).toFixed(1),
      },
    ]);
    if (stuck.length > 0)
      console.log('stuck:', stuck.map((e) => `${e.environmentSuffix}=${e.status}`).join(', '));
    if (missingCreate.length + missingDestroy.length > 0)
      console.log(
        'missing audit:',
        [...missingCreate, ...missingDestroy.map((s) => `destroy ${s}`)].join(', '),
      );
  } finally {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
    }
    if (values.keep) console.log(`kept ${dataDir}`);
    // A synth the stopped server started may still be finishing its writes.
    else rmSync(dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 500 });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
