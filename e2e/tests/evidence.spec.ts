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
    bundle: {
      environment: {
        suffix: string;
        templateHashes: Record<string, string>;
        pipelineExecutionId?: string;
        sourceRevision?: string;
        stacks: { stackName: string; lastDeployedAt?: string }[];
        identityGaps: { field: string; reason: string }[];
      };
      requirements: { id: string; status: string }[];
    };
  };
  const identity = signed.bundle.environment;
  expect(identity.suffix).toBe('staging');
  // Identity read from the played platform: the deployed template's hash, when, and the execution that deployed it.
  expect(identity.templateHashes['sep-staging-environment']).toMatch(/^[0-9a-f]{64}$/);
  expect(identity.stacks[0]?.lastDeployedAt).toEqual(expect.any(String));
  expect(identity.pipelineExecutionId).toEqual(expect.any(String));
  const gapFields = identity.identityGaps.map((gap) => gap.field);
  // Local mode has no trail; a revision is either read or named as a gap, never invented.
  expect(gapFields).toContain('cloudTrailTrailArn');
  expect(identity.sourceRevision !== undefined || gapFields.includes('sourceRevision')).toBe(true);
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

test('two environments compare side by side from the detail page, readable on a phone', async ({
  signedIn,
  api,
  shot,
}) => {
  const alice = await api('alice');
  await alice.waitForStatus({ suffix: 'staging', statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });

  const page = await signedIn('alice');
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/environments/staging');
  const compare = page.getByTestId('compare-with');
  await expect(compare).toBeVisible();
  await compare.getByTestId('compare-with-right').selectOption('prod');
  await compare.getByTestId('compare-with-submit').click();
  await expect(page).toHaveURL(/\/environments\/compare\?left=staging&right=prod/);

  const view = page.getByTestId('environment-comparison');
  await expect(view.getByRole('heading', { level: 1 })).toHaveText('staging and prod');
  await expect(view.getByTestId('compare-row-kind')).toHaveAttribute('data-differs', 'true');
  // staging is deployed: its template's resources are counted by type.
  await expect(view.getByTestId('compare-row-type-AWS::KMS::Key')).toBeVisible();
  // prod may still wait for its promotion (other specs share the portal): then the page says why it has no
  // resources instead of showing zeros.
  const prodTotal = view.getByTestId('compare-row-resources-total').locator('td').nth(2);
  await expect(prodTotal).toHaveText(/^(not deployed|\d+)/);
  if ((await prodTotal.textContent())?.startsWith('not deployed')) {
    await expect(view.getByTestId('compare-resources-unknown')).toContainText('prod');
  }
  await shot(page, 'compare-1440');

  // A phone, in dark mode: the page follows the system setting through the theme's variables.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(view.getByTestId('compare-overview-table')).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, 'compare-390-dark');
});
