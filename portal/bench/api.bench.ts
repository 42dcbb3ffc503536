/**
 * `npm run bench -w @sep/portal` (after `npm run build -w @sep/portal`).
 *
 * Against the BUILT portal in local mode with 1,000 registered environments:
 *  1. p50/p95 latency of `GET /api/environments` and of the detail endpoint
 *     under 50 concurrent clients (autocannon); the detail endpoint twice, the
 *     first run including every environment's first read since start;
 *  2. upstream platform calls per poll interval with 200 SSE watchers over 20
 *     in-flight environments (target: 20, the environment count).
 * Prints the figures; asserts nothing about timing.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPipelineAssemblies } from '@sep/pipeline/definition';
import {
  createLocalDynamoClient,
  createRegistryTable,
  DynamoDbEnvironmentRegistry,
  startLocalDynamo,
} from '@sep/registry';
import { parseEnvironmentSpec } from '@sep/spec';
import autocannon from 'autocannon';
import { createAuditTable } from '../src/server/audit/audit-store';
import { LocalPipelines } from '../src/server/platform/local/pipelines';
import { LocalStacks } from '../src/server/platform/local/stacks';

const portalDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(portalDir, '..');
const ENVIRONMENTS = 1000;
const WATCHED = 20;
const WATCHERS = 200;
const CONNECTIONS = 50;
const DURATION_S = 10;
const POLL_INTERVAL_MS = 1000;
const SSE_WINDOW_INTERVALS = 20;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Registry + local platform state for 1,000 environments from ONE real synth: the pipeline app
 * synthesized through the CDK CLI with one environment (its pipeline becomes the deployed pipeline, its
 * stage template every environment's), then one stack per environment written by the local
 * CloudFormation store itself — finished creates, except the watched ones, which deploy in real time.
 */
async function seed(dataDir: string): Promise<{ suffixes: string[]; watched: string[]; synth: string }> {
  const synthDir = path.join(dataDir, 'seed-synth');
  await mkdir(synthDir, { recursive: true });
  const environmentsFile = path.join(synthDir, 'environments.json');
  const template = parseEnvironmentSpec({
    environmentSuffix: 'bench-template',
    kind: 'ephemeral',
    owner: 'bench',
    project: 'bench',
    costCenter: 'CC-BENCH',
  });
  if (!template.success) throw new Error('bench spec invalid');
  await writeFile(
    environmentsFile,
    JSON.stringify({
      version: 1,
      exportedAt: new Date().toISOString(),
      source: 'bench',
      invalid: [],
      environments: [
        {
          environmentSuffix: 'bench-template',
          spec: template.spec,
          status: 'requested',
          requestedBy: 'bench',
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          version: 1,
        },
      ],
    }),
  );
  const started = Date.now();
  const assemblyDir = path.join(synthDir, 'cdk.out');
  await new Promise<void>((resolve, reject) => {
    execFile(
      'npx',
      ['--no-install', 'cdk', 'synth', '-q', '-o', assemblyDir],
      {
        cwd: path.join(repoRoot, 'pipeline'),
        env: { ...process.env, ENVIRONMENTS_FILE: environmentsFile, CDK_DISABLE_CLI_TELEMETRY: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, _stdout, stderr) =>
        error === null ? resolve() : reject(new Error(String(stderr).slice(-2000))),
    );
  });
  const synthMs = Date.now() - started;
  const deploy = readPipelineAssemblies(assemblyDir)
    .flatMap((definition) => definition.stages)
    .flatMap((stage) => stage.actions)
    .find((action) => action.kind === 'deploy' && action.environmentSuffix === 'bench-template');
  if (deploy?.stack === undefined) throw new Error('the synthesized pipeline has no bench-template stage');
  const templateText = await readFile(path.join(assemblyDir, deploy.stack.templatePath), 'utf8');
  const pipelines = new LocalPipelines({
    dataDir: path.join(dataDir, 'platform', 'pipeline'),
    speedFactor: 1,
    work: {
      synth: () => Promise.reject(new Error('the bench runs no pipeline')),
      deploy: () => Promise.reject(new Error('the bench runs no pipeline')),
      deployProgress: () => Promise.reject(new Error('the bench runs no pipeline')),
      smoke: () => Promise.reject(new Error('the bench runs no pipeline')),
    },
    clock: () => new Date(),
    onError: (error) => console.error(error),
  });
  await pipelines.deploy(assemblyDir);
  await pipelines.close();

  const dynamo = await startLocalDynamo({ dataDir: path.join(dataDir, 'dynamo') });
  const client = createLocalDynamoClient({ endpoint: dynamo.endpoint });
  await createRegistryTable({ client, tableName: 'sep-environment-registry' });
  await createAuditTable({ client, tableName: 'sep-portal-audit' });
  const registry = new DynamoDbEnvironmentRegistry({ tableName: 'sep-environment-registry', client });
  const suffixes = Array.from({ length: ENVIRONMENTS }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
  const watched = suffixes.slice(0, WATCHED);
  const now = Date.now();
  // Finished stacks were created two hours ago at speed 100; watched ones deploy now, in real time.
  const finished = new LocalStacks({ dataDir: path.join(dataDir, 'platform', 'stacks'), speedFactor: 100 });
  const live = new LocalStacks({ dataDir: path.join(dataDir, 'platform', 'stacks'), speedFactor: 1 });
  for (let i = 0; i < suffixes.length; i += 25) {
    await Promise.all(
      suffixes.slice(i, i + 25).map(async (suffix, j) => {
        const parsed = parseEnvironmentSpec({
          environmentSuffix: suffix,
          kind: 'ephemeral',
          owner: ['alice', 'bob'][j % 2],
          project: 'bench',
          costCenter: 'CC-BENCH',
          features: { database: j % 3 === 0, networkFirewall: j % 5 === 0 },
        });
        if (!parsed.success) throw new Error(`bad spec ${suffix}`);
        const record = await registry.register({ spec: parsed.spec, requestedBy: parsed.spec.owner });
        const inFlight = watched.includes(suffix);
        let current = await registry.updateStatus({
          environmentSuffix: suffix,
          status: 'synthesizing',
          expectedVersion: record.version,
        });
        current = await registry.updateStatus({
          environmentSuffix: suffix,
          status: 'deploying',
          expectedVersion: current.version,
        });
        if (!inFlight)
          await registry.updateStatus({
            environmentSuffix: suffix,
            status: 'ready',
            expectedVersion: current.version,
          });
        await (inFlight ? live : finished).deploy({
          address: {
            account: deploy.stack?.account ?? '111111111111',
            region: 'us-east-1',
            stackName: `sep-${suffix}-environment`,
          },
          templateText,
          startedAt: new Date(inFlight ? now : now - 7_200_000),
          environmentSuffix: suffix,
        });
      }),
    );
  }
  client.destroy();
  await dynamo.close();
  return {
    suffixes,
    watched,
    synth: `pipeline app through the CDK CLI (one environment), ${synthMs} ms; each environment's stack from its template`,
  };
}

async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'scripts/start.ts'], {
    cwd: portalDir,
    env: {
      ...process.env,
      PORT: String(port),
      PORTAL_DATA_DIR: dataDir,
      PORTAL_SEED_PERSISTENT: 'false',
      PORTAL_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      PORTAL_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  for (let i = 0; i < 300; i += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the portal did not start');
}

async function load(options: { url: string; token: string; paths: () => string; title: string }) {
  const latencies: number[] = [];
  const instance = autocannon({
    url: options.url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { authorization: `Bearer ${options.token}` },
    requests: [
      { method: 'GET', setupRequest: (request: { path: string }) => ({ ...request, path: options.paths() }) },
    ],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
    latencies.push(responseTime),
  );
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    endpoint: options.title,
    requests: result.requests.total,
    non2xx: result.non2xx,
    rps: Math.round(result.requests.average),
    p50ms: Number(percentile(latencies, 50).toFixed(1)),
    p95ms: Number(percentile(latencies, 95).toFixed(1)),
    p99ms: Number(percentile(latencies, 99).toFixed(1)),
  };
}

async function metrics(
  base: string,
  token: string,
): Promise<{ upstreamCalls: number; keys: number; listeners: number }> {
  const response = await fetch(`${base}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { hub: { upstreamCalls: number; keys: number; listeners: number } }).hub;
}

function openWatcher(base: string, token: string, suffix: string): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${base}/api/environments/${suffix}/events`,
      { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`SSE ${suffix}: ${response.statusCode}`));
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (chunk.includes('event: snapshot')) resolve(request);
        });
      },
    );
    request.on('error', reject);
  });
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sep-portal-bench-'));
  let server: ChildProcess | undefined;
  try {
    console.log(`seeding ${ENVIRONMENTS} environments…`);
    const seeded = await seed(dataDir);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await startServer(dataDir, port);
    const token = (
      (await (
        await fetch(`${base}/api/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"username":"alice"}',
        })
      ).json()) as { token: string }
    ).token;
    const list = (await (
      await fetch(`${base}/api/environments?limit=1`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { total: number };
    if (list.total !== ENVIRONMENTS)
      throw new Error(`expected ${ENVIRONMENTS} environments, the portal lists ${list.total}`);

    // What the list page loads first (the default page of 100), then every environment in one answer.
    const listFigures = await load({
      url: base,
      token,
      title: 'GET /api/environments (page of 100)',
      paths: () => '/api/environments',
    });
    const fullListFigures = await load({
      url: base,
      token,
      title: 'GET /api/environments?limit=1000',
      paths: () => '/api/environments?limit=1000',
    });
    // Twice over the same sweep of suffixes: the first run includes each environment's first read since the
    // portal started (its state file read, its rollout replayed once, its body encoded), the second is the
    // steady state a running portal serves.
    let i = 0;
    const detailPath = () => `/api/environments/${seeded.suffixes[(i++ * 7919) % seeded.suffixes.length]}`;
    const coldDetailFigures = await load({
      url: base,
      token,
      title: 'GET /api/environments/{suffix} (first 10 s: every first read)',
      paths: detailPath,
    });
    const detailFigures = await load({
      url: base,
      token,
      title: 'GET /api/environments/{suffix} (steady state)',
      paths: detailPath,
    });

    const watchers: http.ClientRequest[] = [];
    for (let w = 0; w < WATCHERS; w += 1)
      watchers.push(await openWatcher(base, token, seeded.watched[w % WATCHED] ?? ''));
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS * 2));
    const before = await metrics(base, token);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS * SSE_WINDOW_INTERVALS));
    const after = await metrics(base, token);
    for (const watcher of watchers) watcher.destroy();
    const perInterval = (after.upstreamCalls - before.upstreamCalls) / SSE_WINDOW_INTERVALS;

    console.log(`\nsynth: ${seeded.synth}`);
    console.log(
      `environments registered: ${ENVIRONMENTS}; ${CONNECTIONS} concurrent clients for ${DURATION_S} s each`,
    );
    console.table([listFigures, fullListFigures, coldDetailFigures, detailFigures]);
    console.log(
      `SSE: ${WATCHERS} watchers over ${WATCHED} environments → ${perInterval.toFixed(1)} upstream platform calls per ${POLL_INTERVAL_MS} ms poll interval (hub: ${after.keys} environments, ${after.listeners} listeners incl. the lifecycle reconciler)`,
    );
    // Each environment's loop has its own phase, so a finite window sees ±1 poll per environment at its edges.
    console.log(
      `calls per interval = environments (±${(WATCHED / SSE_WINDOW_INTERVALS).toFixed(1)} window-edge tolerance): ${Math.abs(perInterval - WATCHED) <= WATCHED / SSE_WINDOW_INTERVALS ? 'yes' : 'NO'}`,
    );
  } finally {
    if (server?.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
