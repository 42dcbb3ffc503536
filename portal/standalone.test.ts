// The container's artifact, run the way the image runs it: Next's standalone server (`node server.js`)
// in aws mode, its AWS endpoints on loopback: dynalite for the registry and audit tables, s3rver for the
// compliance reports, and (test code only) a Secrets Manager answering its JSON protocol.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCAL_CREDENTIALS, type LocalS3, startLocalS3 } from '@sep/pipeline/local-aws';
import {
  createLocalDynamoClient,
  createRegistryTable,
  DynamoDbEnvironmentRegistry,
  type LocalDynamo,
  startLocalDynamo,
} from '@sep/registry';
import { parseEnvironmentSpec } from '@sep/spec';
import { createAuditTable } from './src/server/audit/audit-store';
import { createSessionTable } from './src/server/auth/revocations';

jest.setTimeout(600_000);

const PORTAL_DIR = __dirname;
const STANDALONE = path.join(PORTAL_DIR, '.next', 'standalone');
const SERVER = path.join(STANDALONE, 'portal', 'server.js');
const ACCOUNT = '111111111111';
const REGISTRY_TABLE = 'sep-registry-standalone';
const AUDIT_TABLE = 'sep-audit-standalone';
const SESSION_TABLE = 'sep-sessions-standalone';
const REPORTS_BUCKET = 'sep-compliance-reports-standalone';
const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`;
const API_TOKEN = 'ci-bot-token-of-the-standalone-test';
const SECRETS: Record<string, string> = {
  [arn('sep/portal/session')]: 'session-secret-of-the-standalone-test-0123456789',
  [arn('sep/portal/oidc-client')]: 'oidc-client-secret-of-the-standalone-test',
  [arn('sep/portal/api-tokens')]: `ci-bot:engineer:${createHash('sha256').update(API_TOKEN).digest('hex')}`,
};

/** Secrets Manager's JSON protocol (`X-Amz-Target: secretsmanager.GetSecretValue`), for SECRETS only. */
async function startSecretsManager(): Promise<{ endpoint: string; server: Server; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
      calls.push(`${target} ${SecretId}`);
      const send = (status: number, payload: unknown, errorType?: string) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
        });
        response.end(JSON.stringify(payload));
      };
      if (target !== 'secretsmanager.GetSecretValue') return send(400, {}, 'UnknownOperationException');
      const value = SecretId === undefined ? undefined : SECRETS[SecretId];
      if (value === undefined)
        return send(
          400,
          {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          },
          'ResourceNotFoundException',
        );
      return send(200, { ARN: SecretId, Name: SecretId, SecretString: value, VersionId: 'v1' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, calls };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let dynamo: LocalDynamo;
let s3: LocalS3;
let secretsManager: Awaited<ReturnType<typeof startSecretsManager>>;
let s3Dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // `npm test` builds first (turbo: test depends on build); a bare jest run builds here.
  if (!existsSync(SERVER)) {
    const build = spawnSync(process.execPath, [require.resolve('next/dist/bin/next'), 'build'], {
      cwd: PORTAL_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
  }
  // As the Dockerfile does: the static assets beside the standalone server.
  cpSync(path.join(PORTAL_DIR, '.next', 'static'), path.join(STANDALONE, 'portal', '.next', 'static'), {
    recursive: true,
  });
  dynamo = await startLocalDynamo();
  const client = createLocalDynamoClient({ endpoint: dynamo.endpoint });
  await createRegistryTable({ client, tableName: REGISTRY_TABLE });
  await createAuditTable({ client, tableName: AUDIT_TABLE });
  await createSessionTable({ client, tableName: SESSION_TABLE });
  const registry = new DynamoDbEnvironmentRegistry({ tableName: REGISTRY_TABLE, client });
  const parsed = parseEnvironmentSpec({
    environmentSuffix: 'pr-standalone',
    kind: 'ephemeral',
    owner: 'alice@example.com',
    project: 'payments',
    costCenter: 'cc-1',
  });
  if (!parsed.success) throw new Error('invalid test spec');
  await registry.register({ spec: parsed.spec, requestedBy: 'alice@example.com' });
  await registry.updateStatus({ environmentSuffix: 'pr-standalone', status: 'ready' });
  client.destroy();
  s3Dir = mkdtempSync(path.join(tmpdir(), 'sep-standalone-s3-'));
  s3 = await startLocalS3({ dataDir: s3Dir, buckets: [REPORTS_BUCKET] });
  secretsManager = await startSecretsManager();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await dynamo?.close();
  await s3?.close();
  await new Promise((resolve) => secretsManager?.server.close(resolve));
  rmSync(s3Dir, { recursive: true, force: true });
});

/** The task definition's environment (portal-stack.ts), endpoints on loopback; nothing inherited. */
function awsModeEnv(port: number, overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const unreachable = 'http://127.0.0.1:9';
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORTAL_MODE: 'aws',
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    PORTAL_HOST: '127.0.0.1',
    PORTAL_LOG_LEVEL: 'warn',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
    // Nothing answers CodePipeline or STS here: a call fails at once instead of reaching AWS.
    AWS_ENDPOINT_URL_CODEPIPELINE: unreachable,
    AWS_ENDPOINT_URL_STS: unreachable,
    PORTAL_PUBLIC_ORIGIN: 'https://portal.bank.example',
    // The load balancer forwards the public Host; this test calls the task directly on loopback.
    PORTAL_ALLOWED_HOSTS: `portal.bank.example,127.0.0.1:${port}`,
    PORTAL_PIPELINE_NAME: 'sep-delivery',
    PORTAL_PIPELINE_ACCOUNT: ACCOUNT,
    PORTAL_DEPLOYMENT_TARGETS: `${ACCOUNT}/us-east-1`,
    PORTAL_REGISTRY_TABLE: REGISTRY_TABLE,
    PORTAL_AUDIT_TABLE: AUDIT_TABLE,
    PORTAL_SESSION_TABLE: SESSION_TABLE,
    PORTAL_COMPLIANCE_REPORTS_BUCKET: REPORTS_BUCKET,
    PORTAL_OIDC_ISSUER: 'https://login.bank.example',
    PORTAL_OIDC_CLIENT_ID: 'sep-portal',
    PORTAL_OIDC_REDIRECT_URI: 'https://portal.bank.example/api/auth/oidc/callback',
    PORTAL_SESSION_SECRET_ARN: arn('sep/portal/session'),
    PORTAL_OIDC_CLIENT_SECRET_ARN: arn('sep/portal/oidc-client'),
    PORTAL_API_TOKENS_SECRET_ARN: arn('sep/portal/api-tokens'),
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined),
  ) as NodeJS.ProcessEnv;
}

function startServer(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [SERVER], { cwd: path.dirname(SERVER), env });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitForReady(base: string, exited: Promise<number | null>, output: () => string) {
  const deadline = Date.now() + 120_000;
  let stopped = false;
  void exited.then(() => {
    stopped = true;
  });
  while (Date.now() < deadline) {
    if (stopped) throw new Error(`the server exited:\n${output()}`);
    try {
      const response = await fetch(`${base}/api/health/ready`);
      if (response.status === 200) return response;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready in time:\n${output()}`);
}

describe('the standalone server in aws mode (the container image runs portal/server.js)', () => {
  it('reads its secrets from Secrets Manager, reports ready, and lists environments for an API token', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = startServer(awsModeEnv(port));
    const ready = await waitForReady(base, server.exited, server.output);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { configuration: true, registry: true, audit: true, sessions: true },
    });
    expect(secretsManager.calls).toEqual(
      expect.arrayContaining(Object.keys(SECRETS).map((id) => `secretsmanager.GetSecretValue ${id}`)),
    );

    const list = await fetch(`${base}/api/environments`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { mode: string; environments: { environmentSuffix: string }[] };
    expect(body.mode).toBe('aws');
    expect(body.environments.map((e) => e.environmentSuffix)).toEqual(['pr-standalone']);

    expect((await fetch(`${base}/api/environments`)).status).toBe(401);
    // No secret value ever reaches the log.
    for (const value of Object.values(SECRETS)) expect(server.output()).not.toContain(value);
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('refuses to start without a secret, naming the missing one', async () => {
    const port = await freePort();
    const unreadable = startServer(
      awsModeEnv(port, { PORTAL_SESSION_SECRET_ARN: arn('sep/portal/not-created') }),
    );
    expect(await unreadable.exited).toBe(2);
    expect(unreadable.output()).toMatch(
      /PORTAL_SESSION_SECRET_ARN: the PORTAL_SESSION_SECRET secret arn:aws:secretsmanager:us-east-1:111111111111:secret:sep\/portal\/not-created-AbCdEf could not be read \(ResourceNotFoundException/,
    );

    const missing = startServer(awsModeEnv(port, { PORTAL_OIDC_CLIENT_SECRET_ARN: undefined }));
    expect(await missing.exited).toBe(2);
    expect(missing.output()).toContain('PORTAL_OIDC_CLIENT_SECRET_ARN: required in aws mode');

    const plain = startServer(awsModeEnv(port, { PORTAL_SESSION_SECRET: 'x'.repeat(40) }));
    expect(await plain.exited).toBe(2);
    expect(plain.output()).toContain(
      'PORTAL_SESSION_SECRET: aws mode reads it from Secrets Manager (PORTAL_SESSION_SECRET_ARN), never from a plain environment value',
    );
    expect(plain.output()).not.toContain('x'.repeat(40));
  });
});
