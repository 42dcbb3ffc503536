import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '../src/fixtures';
import { PORTAL_DIR } from '../src/portal-process';
import { READY_TIMEOUT_MS } from '../src/timeouts';

test("the PCI DSS evidence bundle of a ready environment downloads from its page, and verifies with the README's command", async ({
  signedIn,
  api,
  shot,
  request,
}, testInfo) => {
  const alice = await api('alice');
  // A fresh portal deploys staging by itself.
  await alice.waitForStatus({ suffix: 'staging', statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });

  const page = await signedIn('alice');
  await page.goto('/environments/staging');
  const card = page.getByTestId('evidence');
  await expect(card).toBeVisible();
  await shot(page, 'evidence-card');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.getByTestId('evidence-json').click(),
  ]);
  expect(download.suggestedFilename()).toBe('evidence-staging.json');
  const bundleFile = testInfo.outputPath('evidence-staging.json');
  await download.saveAs(bundleFile);

  // The schema is published with the OpenAPI document.
  const document = (await alice.openApi()) as { components: { schemas: Record<string, unknown> } };
  expect(Object.keys(document.components.schemas)).toEqual(
    expect.arrayContaining([
      'SignedEvidenceBundle',
      'EvidenceBundle',
      'EvidenceSignature',
      'EvidencePublicKey',
    ]),
  );
  const signed = JSON.parse(readFileSync(bundleFile, 'utf8')) as {
    bundle: { environment: { suffix: string }; requirements: { id: string; status: string }[] };
  };
  expect(signed.bundle.environment.suffix).toBe('staging');
  expect(signed.bundle.requirements.find((item) => item.id === '9.2.1')?.status).toBe('out-of-scope');

  // The README's command validates the download against that schema and verifies its signature.
  const keyFile = testInfo.outputPath('public-key.json');
  const key = await request.get('/api/evidence/public-key');
  expect(key.status()).toBe(200);
  writeFileSync(keyFile, await key.body());
  const verify = (file: string) =>
    promisify(execFile)('npm', ['run', 'verify-evidence', '-w', '@sep/portal', '--', file, keyFile], {
      cwd: path.dirname(PORTAL_DIR),
    });
  await expect(verify(bundleFile)).resolves.toMatchObject({
    stdout: expect.stringContaining('signature OK: Ed25519'),
  });
  const tampered = testInfo.outputPath('evidence-tampered.json');
  writeFileSync(
    tampered,
    readFileSync(bundleFile, 'utf8').replace('"status":"supported"', '"status":"failing"'),
  );
  await expect(verify(tampered)).rejects.toMatchObject({
    stderr: expect.stringContaining('signature INVALID'),
  });

  // The assessor's page.
  const html = await page.request.get('/api/environments/staging/evidence?format=html');
  expect(html.headers()['content-type']).toBe('text/html; charset=utf-8');
  expect(await html.text()).toContain('PCI DSS v4.0 evidence: staging');
});
