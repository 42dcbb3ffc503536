import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// A local-mode runtime on a fresh data folder, without the seeded environments (whose deployment would
// synthesize the stage): the test registers the environment it reads.
const dataDir = mkdtempSync(path.join(tmpdir(), 'sep-evidence-route-'));
Object.assign(process.env, {
  PORTAL_MODE: 'local',
  PORTAL_DATA_DIR: dataDir,
  PORTAL_REPO_ROOT: path.join(__dirname, '..', '..', '..', '..', '..', '..'),
  PORTAL_SEED_PERSISTENT: 'false',
});

import { parseEnvironmentSpec } from '@sep/spec';
import { signedEvidenceSchema } from '@/server/evidence/evidence-service';
import { evidencePublicKeySchema, verifyEvidence } from '@/server/evidence/signing';
import { runtime } from '@/server/runtime';
import * as token from '../../../auth/token/route';
import * as publicKey from '../../../evidence/public-key/route';
import * as evidence from './route';

const portalDir = path.join(__dirname, '..', '..', '..', '..', '..');
const ORIGIN = 'http://127.0.0.1:3000';
let bearer = '';
const get = (pathname: string, authorized = true) =>
  new Request(`${ORIGIN}${pathname}`, authorized ? { headers: { authorization: `Bearer ${bearer}` } } : {});
const params = (suffix: string) => ({ params: Promise.resolve({ suffix }) });

beforeAll(async () => {
  const answer = await token.POST(
    new Request(`${ORIGIN}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dave' }),
    }),
  );
  bearer = ((await answer.json()) as { token: string }).token;
  const parsed = parseEnvironmentSpec({
    environmentSuffix: 'staging',
    kind: 'staging',
    owner: 'platform-team',
    project: 'secure-environments',
    costCenter: 'CC-PLATFORM',
    alertEmails: ['platform-alerts@example.com'],
  });
  if (!parsed.success) throw new Error('fixture spec');
  await (await runtime()).registry.register({ spec: parsed.spec, requestedBy: 'system' });
});

afterAll(async () => {
  await (await runtime()).close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /api/environments/{suffix}/evidence', () => {
  it('answers a signed bundle that validates against its schema and verifies with the served public key', async () => {
    const response = await evidence.GET(get('/api/environments/staging/evidence'), params('staging'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="evidence-staging.json"');
    const signed = signedEvidenceSchema.parse(await response.json());
    expect(signed.bundle.environment).toMatchObject({ suffix: 'staging', kind: 'staging', mode: 'local' });
    expect(signed.bundle.requirements.find((item) => item.id === '12.1.1')?.status).toBe('out-of-scope');
    // Not deployed yet, and local: each unknown identity field is named with its reason, none invented.
    expect(signed.bundle.environment.stacks).toEqual([]);
    expect(signed.bundle.environment).not.toHaveProperty('sourceRevision');
    expect(signed.bundle.environment.identityGaps.map((gap) => gap.field)).toEqual([
      'cloudTrailTrailArn',
      'templateHashes',
      'lastDeployedAt',
      'pipelineExecutionId',
      'sourceRevision',
    ]);

    const keyResponse = await publicKey.GET(get('/api/evidence/public-key', false));
    expect(keyResponse.status).toBe(200);
    const key = evidencePublicKeySchema.parse(await keyResponse.json());
    expect(key).toMatchObject({ algorithm: 'Ed25519', keyId: signed.signature.keyId });
    expect(verifyEvidence(signed.bundle, signed.signature, key.publicKeyPem)).toBe(true);
    expect(
      verifyEvidence(
        { ...signed.bundle, generatedAt: new Date(0).toISOString() },
        signed.signature,
        key.publicKeyPem,
      ),
    ).toBe(false);
    expect(statSync(path.join(dataDir, 'evidence', 'evidence-signing-key.pem')).mode & 0o777).toBe(0o600);
  });

  it("passes the README's verify command, which refuses a tampered download", async () => {
    const download = await (
      await evidence.GET(get('/api/environments/staging/evidence'), params('staging'))
    ).text();
    const bundleFile = path.join(dataDir, 'evidence-staging.json');
    const keyFile = path.join(dataDir, 'public-key.json');
    writeFileSync(bundleFile, download);
    writeFileSync(keyFile, await (await publicKey.GET(get('/api/evidence/public-key', false))).text());
    const verify = (...args: string[]) =>
      promisify(execFile)('npx', ['tsx', 'scripts/verify-evidence.ts', ...args], { cwd: portalDir });
    await expect(verify(bundleFile, keyFile)).resolves.toMatchObject({
      stdout: expect.stringMatching(/^signature OK: Ed25519/),
    });
    // The README's openssl path: the canonical bytes from the script, the signature and key from the JSON.
    const canonical = path.join(dataDir, 'bundle.canonical.json');
    writeFileSync(canonical, (await verify(bundleFile, '--canonical')).stdout);
    const signed = JSON.parse(download) as { signature: { value: string } };
    writeFileSync(path.join(dataDir, 'bundle.sig'), Buffer.from(signed.signature.value, 'base64'));
    writeFileSync(
      path.join(dataDir, 'public-key.pem'),
      evidencePublicKeySchema.parse(JSON.parse(readFileSync(keyFile, 'utf8'))).publicKeyPem,
    );
    const openssl = [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      'public-key.pem',
      '-rawin',
      '-in',
      'bundle.canonical.json',
      '-sigfile',
      'bundle.sig',
    ];
    await expect(promisify(execFile)('openssl', openssl, { cwd: dataDir })).resolves.toMatchObject({
      stdout: expect.stringMatching(/Signature Verified Successfully/),
    });
    writeFileSync(bundleFile, download.replace('"kind":"staging"', '"kind":"prod"'));
    await expect(verify(bundleFile, keyFile)).rejects.toMatchObject({
      stderr: expect.stringMatching(/signature INVALID/),
    });
    writeFileSync(bundleFile, JSON.stringify({ bundle: {} }));
    await expect(verify(bundleFile, keyFile)).rejects.toMatchObject({
      stderr: expect.stringMatching(/not an evidence bundle/),
    });
  });

  it('renders the bundle as HTML for assessors', async () => {
    const response = await evidence.GET(
      get('/api/environments/staging/evidence?format=html'),
      params('staging'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('<h1>PCI DSS v4.0 evidence: staging</h1>');
    expect(html).toContain('<th scope="row">10.5.1</th>');
    expect(html).toContain('out of scope of the platform');
  });

  it('refuses an unknown format, an unknown environment and an anonymous caller', async () => {
    const badFormat = await evidence.GET(
      get('/api/environments/staging/evidence?format=pdf'),
      params('staging'),
    );
    expect(badFormat.status).toBe(400);
    expect(await badFormat.json()).toMatchObject({
      error: { code: 'validation_failed', fields: [{ path: 'format' }] },
    });
    const unknown = await evidence.GET(get('/api/environments/pr-404/evidence'), params('pr-404'));
    expect(unknown.status).toBe(404);
    const anonymous = await evidence.GET(get('/api/environments/staging/evidence', false), params('staging'));
    expect(anonymous.status).toBe(401);
  });
});
