// Request → ready in local mode with 1, 10 and 50 registered environments: the BUILT portal (local mode,
// fresh data folder) on a free port; N-1 environments are requested and deployed first, then one more is
// requested and timed until it is ready. Prints, per fleet size, request→ready, the pipeline run's synth
// time and the time each stage took in that run (from GET /api/pipeline). Asserts nothing about timing.
//   npm run bench:delivery -w @sep/pipeline [-- --counts=1,10,50 --speed=20]
// Needs `npm run build -w @sep/lambda` and `NEXT_TELEMETRY_DISABLED=1 npm run build -w @sep/portal` first.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { estimateRequestToReady } from './aws-estimate';

const { values } = parseArgs({
  options: { counts: { type: 'string', default: '1,10,50' }, speed: { type: 'string', default: '20' } },
});
const counts = String(values.counts).split(',').map(Number);
const repoRoot = join(__dirname, '..', '..');

interface PipelineView {
  readonly stages: readonly {
    name: string;
    status: string;
    startedAt?: string;
    finishedAt?: string;
    executionId?: string;
    actions: { name: string; status: string; summary?: string }[];
  }[];
  readonly currentExecution?: { executionId: string; status: string; startedAt?: string };
  /** The pipeline that deploys ephemeral environments, when the stack has a release pipeline apart. */
  readonly environmentsPipeline?: Omit<PipelineView, 'environmentsPipeline'>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function startPortal(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'scripts/start.ts'], {
    cwd: join(repoRoot, 'portal'),
    env: {
      ...process.env,
      PORT: String(port),
      PORTAL_DATA_DIR: dataDir,
      PORTAL_SEED_PERSISTENT: 'false',
      PORTAL_SPEED_FACTOR: String(values.speed),
      PORTAL_LOG_LEVEL: 'warn',
      // One user requests the whole fleet: the per-user limits guard a shared portal, not what is measured here.
      PORTAL_LIMIT_CREATES_PER_MINUTE: '10000',
      PORTAL_LIMIT_ACTIVE_EPHEMERAL_PER_USER: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  for (let i = 0; i < 600; i += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/openapi.json`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the portal did not start');
}

async function main(): Promise<void> {
  console.log(
    `local delivery bench: request → ready, speed factor ${values.speed}, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const rows: Record<string, string | number>[] = [];
  for (const count of counts) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sep-delivery-bench-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const portal = await startPortal(dataDir, port);
    try {
      const token = (
        (await (
          await fetch(`${base}/api/auth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"username":"dave"}',
          })
        ).json()) as { token: string }
      ).token;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const request = async (suffix: string) => {
        const response = await fetch(`${base}/api/environments`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            environmentSuffix: suffix,
            kind: 'ephemeral',
            project: 'bench',
            costCenter: 'CC-BENCH',
            ttlHours: 72,
          }),
        });
        if (response.status !== 201)
          throw new Error(`request ${suffix}: ${response.status} ${await response.text()}`);
      };
      const statusOf = async (suffix: string) =>
        (await (await fetch(`${base}/api/environments/${suffix}`, { headers })).json()) as {
          status: string;
          statusReason?: string;
        };
      const untilSettled = async (suffixes: readonly string[]) => {
        for (;;) {
          const statuses = await Promise.all(suffixes.map(statusOf));
          const failed = statuses.find((s) => s.status === 'failed');
          if (failed !== undefined) throw new Error(`an environment failed: ${failed.statusReason}`);
          if (statuses.every((s) => s.status === 'ready')) return;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      };
      const fleet = Array.from({ length: count - 1 }, (_, i) => `fleet-${String(i + 1).padStart(3, '0')}`);
      const warm = Date.now();
      for (const suffix of fleet) await request(suffix);
      await untilSettled(fleet);
      const fleetSeconds = (Date.now() - warm) / 1000;

      const started = Date.now();
      await request('timed');
      await untilSettled(['timed']);
      const seconds = (Date.now() - started) / 1000;
      const view = (await (await fetch(`${base}/api/pipeline`, { headers })).json()) as PipelineView;
      // Ephemeral environments go through the environments pipeline (the release one holds staging and prod).
      const pipeline = view.environmentsPipeline ?? view;
      const stageSeconds = (name: string) => {
        const stage = pipeline.stages.find((s) => s.name === name);
        return stage?.startedAt !== undefined && stage.finishedAt !== undefined
          ? ((Date.parse(stage.finishedAt) - Date.parse(stage.startedAt)) / 1000).toFixed(1)
          : '-';
      };
      const synth = pipeline.stages.find((s) => s.name === 'Build')?.actions[0]?.summary ?? '';
      const waves = pipeline.stages.filter((s) => s.name.startsWith('ephemeral-'));
      rows.push({
        environments: count,
        'request→ready s': seconds.toFixed(1),
        'fleet first deploy s': count > 1 ? fleetSeconds.toFixed(1) : '-',
        'Build stage s': stageSeconds('Build'),
        'UpdatePipeline s': stageSeconds('UpdatePipeline'),
        'Assets s': stageSeconds('Assets'),
        'account-security s': stageSeconds('account-security'),
        waves: waves.length,
        'waves s': waves.map((w) => stageSeconds(w.name)).join('+'),
        synth: synth.replace(/^synthesized /, ''),
      });
      // Each fleet size as it finishes: a long run that stops later still leaves the sizes it measured.
      console.log(JSON.stringify(rows.at(-1)));
    } finally {
      if (portal.pid !== undefined) process.kill(-portal.pid, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.table(rows);
  console.log(
    "\nPaper estimate in AWS (bench/aws-estimate.ts: the pipeline's wave planning and per-action costs):",
  );
  console.table(
    [1, 50, 500].map((n) => {
      const estimate = estimateRequestToReady(n);
      return {
        environments: n,
        waves: estimate.waves,
        'Build s (×2 per request)': Math.round(estimate.buildSeconds),
        'waves before its own s': Math.round(estimate.wavesBeforeSeconds),
        'request→ready min': (estimate.totalSeconds / 60).toFixed(1),
      };
    }),
  );
  console.log(
    "request→ready = the last request's Source, Build (synth of every registered environment), self-mutation and the restart it causes (Build reused), Assets, account-security, its wave, and its smoke test; simulated stages run at the speed factor, the synth and smoke test in real time.",
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
