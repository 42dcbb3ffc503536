import { phaseOrder, watchDeployment } from '../src/deployment-watch';
import { expect, test } from '../src/fixtures';
import type { ApiErrorBody } from '../src/portal-api';
import { READY_TIMEOUT_MS } from '../src/timeouts';

test('flow 4 — an engineer cannot approve; an approver approves the pending prod promotion and prod deploys', async ({
  signedIn,
  api,
  shot,
}) => {
  const alice = await api('alice');
  const carol = await api('carol');
  // A fresh portal deploys staging by itself; the promotion waits for staging to be deployed.
  await alice.waitForStatus({ suffix: 'staging', statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });
  expect((await alice.environment('prod')).status, 'prod waits for the promotion').not.toBe('ready');
  await expect
    .poll(async () => (await alice.pipeline()).pendingPromotion !== undefined, {
      message: 'a promotion is pending once the pipeline run that deployed staging reaches prod',
      timeout: READY_TIMEOUT_MS,
    })
    .toBe(true);

  await test.step('an engineer sees the pending promotion but cannot decide it', async () => {
    const page = await signedIn('alice');
    await page.goto('/pipeline');
    await expect(page.getByTestId('pending-promotion')).toBeVisible();
    await expect(page.getByTestId('promotion-not-allowed')).toBeVisible();
    await expect(page.getByTestId('approve-promotion')).toHaveCount(0);
    await expect(page.getByTestId('reject-promotion')).toHaveCount(0);
    await expect(page.getByTestId('pipeline-stage-staging')).toHaveAttribute('data-status', 'Succeeded');
    await shot(page, 'pipeline-engineer');
    const refused = await alice.decidePromotion({ decision: 'approve', comment: 'not mine to approve' });
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as ApiErrorBody).error.code).toBe('forbidden');
    expect((await alice.pipeline()).pendingPromotion, 'still pending after the refusal').toBeDefined();
    expect((await alice.environment('prod')).status).not.toMatch(/synthesizing|deploying|ready/);
  });

  await test.step('an approver approves and prod deploys', async () => {
    const page = await signedIn('carol');
    await page.goto('/pipeline');
    await expect(page.getByTestId('pending-promotion')).toBeVisible();
    // The preview of what prod will change: prod's first deploy has nothing deployed to diff against, so
    // it says so, nothing is flagged, and the approval needs no typed confirmation.
    const preview = page.getByTestId('promotion-preview');
    await expect(preview).toBeVisible();
    await expect(preview).toHaveAttribute('data-flagged', 'false');
    await expect(preview.getByTestId('preview-stack-prod')).toContainText('has not been deployed yet');
    await shot(page, 'pipeline-approver-pending');
    await page.getByTestId('promotion-comment').fill('release 42 verified on staging');
    const pending = (await carol.pipeline()).pendingPromotion;
    await page.getByTestId('approve-promotion').click();
    // Approving asks first, showing what is promoted: the execution, the prod environments, who asked.
    const dialog = page.getByRole('dialog', { name: 'Deploy this execution to prod?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('promotion-execution')).toHaveText(pending?.executionId ?? '(none)');
    await expect(dialog.getByTestId('promotion-environments')).toContainText('prod');
    await expect(dialog.getByTestId('promotion-requested-by')).not.toBeEmpty();
    await expect(dialog).toContainText('release 42 verified on staging');
    await shot(page, 'pipeline-approve-confirmation');
    expect(
      (await carol.environment('prod')).status,
      'nothing is approved before the confirmation',
    ).not.toMatch(/synthesizing|deploying|ready/);
    // The prod page is open before the approval, as an approver following the release would have it:
    // the played prod stage takes seconds, and a page opened afterwards would only see it ready.
    const prodPage = await signedIn('carol');
    await prodPage.goto('/environments/prod');
    await expect(prodPage.getByRole('heading', { level: 1, name: 'prod' })).toBeVisible();
    // Installs the page's recorder: the watch after the approval judges every state shown since.
    const before = await watchDeployment(prodPage, { until: () => true, timeoutMs: 10_000 });
    expect(before.at(-1)?.status).not.toMatch(/synthesizing|deploying|ready/);
    await dialog.getByTestId('approve-dialog-confirm').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('promotion-outcome')).toContainText('Approved');
    await shot(page, 'pipeline-approved');

    const samples = await watchDeployment(prodPage, {
      until: (s) => s.status === 'ready' || s.status === 'failed' || s.phase === 'failed',
      timeoutMs: READY_TIMEOUT_MS,
      sinceRecorderInstalled: true,
      onPhase: async (s) => {
        if (s.phase === 'deploying') await shot(prodPage, 'prod-deploying');
      },
    });
    expect(samples.at(-1)?.status, `states seen: ${JSON.stringify(samples)}`).toBe('ready');
    expect(phaseOrder(samples)).toContain('complete');
    expect(
      phaseOrder(samples).some((phase) => phase === 'synthesizing' || phase === 'deploying'),
      `states seen: ${JSON.stringify(samples)}`,
    ).toBe(true);
    await shot(prodPage, 'prod-ready');
    const prod = await carol.environment('prod');
    expect(prod.status).toBe('ready');
    expect(prod.outputs.length).toBeGreaterThan(0);
    const approvals = (await carol.audit()).filter((entry) => entry.action === 'promotion.approved');
    expect(approvals.map((entry) => entry.actor)).toContain('carol');
    expect(
      (await carol.audit()).filter((e) => e.action === 'promotion.approved' && e.actor === 'alice'),
    ).toEqual([]);
  });
});
