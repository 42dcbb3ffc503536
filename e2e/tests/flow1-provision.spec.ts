import { phaseOrder, watchDeployment } from '../src/deployment-watch';
import { expect, test } from '../src/fixtures';
import { uniqueSuffix } from '../src/portal-api';
import { READY_TIMEOUT_MS } from '../src/timeouts';

/** cdk-nag's pack names (compared without punctuation: `PCI.DSS.321` is the PCIDSS321 pack). */
const COMPLIANCE_PACKS = ['AwsSolutions', 'NIST80053R5', 'PCIDSS321', 'Sep'];
const packKey = (name: string) => name.replace(/[^A-Za-z0-9]/g, '');
/** "A few thousand" DOM nodes at most for a 150-resource stack, while it deploys and once ready. */
const MAX_LIVE_DOM_NODES = 3000;
/** The detail read whole: the redirect's first read, outputs available, the final state (+1 spare). */
const MAX_DETAIL_READS = 4;

test('flow 1 — an engineer requests an environment and follows it to ready, outputs and compliance', async ({
  signedIn,
  api,
  shot,
}) => {
  const suffix = uniqueSuffix('prov');
  const page = await signedIn('alice');
  await expect(page.getByTestId('local-mode-banner')).toBeVisible();
  await shot(page, 'environment-list');

  await page.getByTestId('request-environment-link').click();
  await expect(page).toHaveURL(/\/environments\/new$/);
  const form = page.getByTestId('request-form');
  await form.getByLabel('Environment suffix').fill(suffix);
  await form.getByLabel('Project', { exact: true }).fill('payments');
  await form.getByLabel('Cost center').fill('CC-1042');
  await form.getByLabel('Time to live (hours)').fill('8');
  await form.getByLabel('Alert emails').fill('alice@example.com');
  await expect(page.getByTestId('suffix-availability')).toHaveAttribute('data-state', 'available');
  await shot(page, 'request-form-filled');

  // The live page must stay light: progress arrives over the event stream as deltas, so the detail
  // itself is read when the page opens and when outputs and the final state arrive, not per tick.
  const detailReads: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === `/api/environments/${suffix}`) detailReads.push(request.method());
  });
  const domNodes: number[] = [];
  const countNodes = async () => {
    domNodes.push(await page.evaluate(() => document.getElementsByTagName('*').length));
  };
  await page.getByTestId('submit-request').click();
  await expect(page).toHaveURL(new RegExp(`/environments/${suffix}$`));
  await expect(page.getByRole('heading', { level: 1, name: suffix })).toBeVisible();
  await expect(page.getByTestId('deployment-phases')).toHaveAttribute('data-phase', /queued|synthesizing/);
  await shot(page, 'detail-synthesizing');

  const samples = await watchDeployment(page, {
    until: (s) => s.status === 'ready' || s.status === 'failed' || s.phase === 'failed',
    timeoutMs: READY_TIMEOUT_MS,
    onPhase: async (s) => {
      if (s.phase === 'deploying') await shot(page, 'detail-deploying');
      await countNodes();
    },
  });
  const final = samples.at(-1);
  expect(final?.status, `states seen: ${JSON.stringify(samples)}`).toBe('ready');
  await expect(page.locator('.timeline-scroll svg')).toBeVisible();
  await countNodes();
  expect(Math.max(...domNodes), `DOM nodes per phase and when ready: ${domNodes.join(', ')}`).toBeLessThan(
    MAX_LIVE_DOM_NODES,
  );
  expect(
    detailReads.length,
    `whole-detail reads while ${samples.length} progress states arrived: ${detailReads.join(', ')}`,
  ).toBeLessThanOrEqual(MAX_DETAIL_READS);

  // The bar went through the pipeline phases in order, live.
  const phases = phaseOrder(samples).filter((phase) => phase !== 'queued');
  expect(phases, `states seen: ${JSON.stringify(samples)}`).toEqual([
    'synthesizing',
    'deploying',
    'complete',
  ]);
  // While deploying it counted resources of a known total, and it moved more than once.
  const deploying = samples.filter((s) => s.phase === 'deploying');
  const total = deploying[0]?.total ?? 0;
  expect(total, 'resources in the synthesized template').toBeGreaterThan(10);
  const partial = [...new Set(deploying.map((s) => s.done))].filter((done) => done > 0 && done < total);
  expect(partial.length, `intermediate resource counts seen: ${partial.join(', ')}`).toBeGreaterThanOrEqual(
    2,
  );
  expect(
    deploying.every((s, i) => i === 0 || s.done >= (deploying[i - 1]?.done ?? 0)),
    'resources done never go backwards',
  ).toBe(true);
  expect(final?.done).toBe(total);
  expect(final?.total).toBe(total);
  await expect(page.getByTestId('environment-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('deployment-progress-bar-text')).toHaveText(
    `${total} of ${total} resources created`,
  );

  // Outputs: what the API reports is what the page shows, shaped like AWS's.
  const alice = await api('alice');
  const detail = await alice.environment(suffix);
  const output = (pattern: RegExp) => {
    const found = detail.outputs.find((o) => pattern.test(o.key));
    expect(
      found,
      `an output matching ${pattern} among ${detail.outputs.map((o) => o.key).join(', ')}`,
    ).toBeDefined();
    return found ?? { key: '', value: '' };
  };
  const apiUrl = output(/api.*url/i);
  const apiKeyId = output(/api.*key.*id/i);
  const bucket = output(/data.*bucket|bucket.*name/i);
  expect(apiUrl.value).toMatch(/^https:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/\S*$/);
  expect(apiKeyId.value).toMatch(/^[A-Za-z0-9]{5,}$/);
  expect(bucket.value).toContain(suffix);
  expect(bucket.value).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
  const outputs = page.getByTestId('outputs');
  await expect(outputs.getByTestId(`output-${apiUrl.key}`)).toContainText('API URL');
  await expect(outputs.getByTestId(`output-value-${apiUrl.key}`)).toHaveText(apiUrl.value);
  await expect(outputs.getByTestId(`output-${apiKeyId.key}`)).toContainText('API key ID');
  await expect(outputs.getByTestId(`output-value-${apiKeyId.key}`)).toHaveText(apiKeyId.value);
  await expect(outputs.getByTestId(`output-value-${bucket.key}`)).toHaveText(bucket.value);
  await expect(outputs.getByRole('button', { name: 'Copy API URL' })).toBeVisible();
  await expect(outputs.getByTestId('download-outputs')).toHaveAttribute(
    'href',
    `/api/environments/${suffix}/outputs`,
  );

  // Compliance: the cdk-nag packs of the real synth, with their counts, and zero unsuppressed errors.
  const report = await alice.compliance(suffix);
  expect(report.static.available).toBe(true);
  expect(report.static.packs.map((p) => packKey(p.pack)).sort()).toEqual(COMPLIANCE_PACKS);
  const compliance = page.getByTestId('compliance');
  await expect(compliance.getByTestId('compliance-static-summary')).toContainText(
    /\d+ rules checked, \d+ passed/,
  );
  for (const pack of report.static.packs) {
    expect(pack.rulesChecked, `${pack.pack} rules checked`).toBeGreaterThan(0);
    expect(pack.errors, `${pack.pack} unsuppressed errors`).toEqual([]);
    for (const suppression of pack.suppressed) expect(suppression.reason.length).toBeGreaterThan(10);
    const row = compliance.getByTestId(`compliance-pack-${pack.pack}`);
    await expect(row).toContainText(String(pack.rulesChecked));
    await expect(row).toContainText(String(pack.passed));
    await expect(row).toContainText('Pass');
  }
  await expect(compliance.getByTestId('compliance-runtime')).toContainText(/local mode/i);
  await shot(page, 'detail-ready');

  // The list shows it ready too.
  await page.goto('/');
  await expect(page.getByTestId(`environment-status-${suffix}`)).toHaveAttribute('data-status', 'ready');
});
