import { phaseOrder, watchDeployment } from '../src/deployment-watch';
import { expect, test } from '../src/fixtures';
import { type ApiErrorBody, ephemeralRequest, uniqueSuffix } from '../src/portal-api';
import { DESTROYED_TIMEOUT_MS, READY_TIMEOUT_MS } from '../src/timeouts';

test('flow 3 — the owner destroys with type-to-confirm; another engineer cannot; staging and prod offer no destroy', async ({
  signedIn,
  api,
  shot,
}) => {
  const alice = await api('alice');
  const bob = await api('bob');
  const dave = await api('dave');
  const suffix = uniqueSuffix('gone');
  const created = await alice.createEnvironment(ephemeralRequest(suffix, 'destroy-flow'));
  expect(created.status()).toBe(201);
  await alice.waitForStatus({ suffix, statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });

  await test.step('a second engineer sees no destroy button and the API answers 403', async () => {
    const page = await signedIn('bob');
    await page.goto(`/environments/${suffix}`);
    await expect(page.getByTestId('environment-status')).toHaveAttribute('data-status', 'ready');
    await expect(page.getByTestId('destroy-environment')).toHaveCount(0);
    await expect(page.getByTestId('destroy-blocked-reason')).toContainText('alice');
    await shot(page, 'other-engineer-no-destroy');
    const refused = await bob.destroyEnvironment(suffix);
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as ApiErrorBody).error.code).toBe('forbidden');
    expect((await alice.environment(suffix)).status, 'still there after the refused destroy').toBe('ready');
  });

  await test.step('the owner destroys it after typing the suffix', async () => {
    const page = await signedIn('alice');
    await page.goto(`/environments/${suffix}`);
    await expect(page.getByTestId('environment-status')).toHaveAttribute('data-status', 'ready');
    await page.getByTestId('destroy-environment').click();
    const dialog = page.getByRole('dialog', { name: `Destroy ${suffix}?` });
    await expect(dialog).toBeVisible();
    const confirm = dialog.getByTestId('destroy-dialog-confirm');
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(`Type ${suffix} to confirm`).fill(suffix.slice(0, -1));
    await expect(confirm).toBeDisabled();
    await shot(page, 'destroy-dialog-mismatch');
    await dialog.getByLabel(`Type ${suffix} to confirm`).fill(suffix);
    await expect(confirm).toBeEnabled();
    await confirm.click();
    await expect(dialog).toBeHidden();
    const samples = await watchDeployment(page, {
      until: (s) => s.status === 'destroyed',
      timeoutMs: DESTROYED_TIMEOUT_MS,
      onPhase: async (s) => {
        if (s.phase === 'destroying') await shot(page, 'destroying');
      },
    });
    expect(phaseOrder(samples)).toContain('destroyed');
    await expect(page.getByTestId('destroy-environment')).toHaveCount(0);
    // A clear final view: what happened, nothing that only made sense while it existed.
    await expect(page.getByTestId('destroyed-summary')).toContainText('can be requested again');
    await expect(page.getByTestId('ttl-left')).toHaveCount(0);
    await expect(page.getByTestId('compliance')).toHaveCount(0);
    await expect(page.getByTestId('outputs')).toHaveCount(0);
    await expect(page.getByText('could not be loaded')).toHaveCount(0);
    await expect(page.getByText('Outputs appear once')).toHaveCount(0);
    await shot(page, 'destroyed');
    expect((await alice.environment(suffix)).status).toBe('destroyed');
    const audit = (await alice.audit()).filter(
      (entry) => entry.action === 'environment.destroy-requested' && entry.target === suffix,
    );
    expect(audit.map((entry) => `${entry.actor}:${entry.outcome}`).sort()).toEqual([
      'alice:success',
      'bob:denied',
    ]);
  });

  await test.step('staging and prod offer no destroy, not even to an admin', async () => {
    const page = await signedIn('dave');
    for (const persistent of ['staging', 'prod']) {
      await page.goto(`/environments/${persistent}`);
      await expect(page.getByRole('heading', { level: 1, name: persistent })).toBeVisible();
      // The heading shows while the detail loads; on a busy machine (synths of other tests running)
      // the first read of an environment can take longer than the default 15 s.
      await expect(page.getByTestId('environment-detail')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('destroy-environment')).toHaveCount(0);
      await expect(page.getByTestId('destroy-blocked-reason')).toContainText('never destroyed');
      await shot(page, `${persistent}-no-destroy`);
      const before = (await dave.environment(persistent)).status;
      const refused = await dave.destroyEnvironment(persistent);
      expect(refused.status(), `DELETE ${persistent}`).toBe(409);
      expect(((await refused.json()) as ApiErrorBody).error.code).toBe('not_destroyable');
      expect((await dave.environment(persistent)).status).not.toMatch(/destroy/);
      expect(before).not.toMatch(/destroy/);
    }
  });
});
