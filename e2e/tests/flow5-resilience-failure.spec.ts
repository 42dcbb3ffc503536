import { phaseOrder, watchDeployment } from '../src/deployment-watch';
import { expect, test } from '../src/fixtures';
import { uniqueSuffix } from '../src/portal-api';
import { FAILED_TIMEOUT_MS } from '../src/timeouts';

/** The local platform's per-environment failure injection: a `fail=<ResourceType>` marker in the project. */
const FAILING_TYPE = 'AWS::WAFv2::WebACL';

test('flow 5b — an injected deployment failure shows failed with the failing resource and reason', async ({
  signedIn,
  api,
  shot,
}) => {
  const suffix = uniqueSuffix('doomed');
  const page = await signedIn('alice');
  await page.goto('/environments/new');
  const form = page.getByTestId('request-form');
  await form.getByLabel('Environment suffix').fill(suffix);
  await form.getByLabel('Project', { exact: true }).fill(`payments fail=${FAILING_TYPE}`);
  await form.getByLabel('Cost center').fill('CC-1042');
  await expect(page.getByTestId('feature-waf')).toBeChecked();
  await page.getByTestId('submit-request').click();
  await expect(page).toHaveURL(new RegExp(`/environments/${suffix}$`));

  const samples = await watchDeployment(page, {
    until: (s) => s.status === 'failed' || s.status === 'ready',
    timeoutMs: FAILED_TIMEOUT_MS,
  });
  expect(samples.at(-1)?.status, `states seen: ${JSON.stringify(samples)}`).toBe('failed');
  // The synth succeeded (the page showed it); the failure came from the deployment, which stopped part way.
  expect(phaseOrder(samples), `states seen: ${JSON.stringify(samples)}`).toContain('synthesizing');
  await expect(page.getByTestId('deployment-phases')).toHaveAttribute('data-phase', 'failed');

  const detail = await (await api('alice')).environment(suffix);
  expect(detail.failure, 'the API names the failure').toBeDefined();
  expect(detail.progress.resourcesTotal, 'a template was synthesized').toBeGreaterThan(10);
  expect(detail.progress.resourcesDone).toBeLessThan(detail.progress.resourcesTotal);
  expect(detail.failure?.resourceType).toBe(FAILING_TYPE);
  expect(detail.failure?.reason.length ?? 0).toBeGreaterThan(10);
  expect(detail.statusReason).toContain(detail.failure?.logicalResourceId ?? '(none)');
  expect(detail.events.some((event) => event.resourceStatus === 'CREATE_FAILED')).toBe(true);

  const failure = page.getByTestId('deployment-failure');
  await expect(failure).toBeVisible();
  await expect(failure.getByTestId('deployment-failure-resource')).toHaveText(
    detail.failure?.logicalResourceId ?? '(none)',
  );
  await expect(failure).toContainText(FAILING_TYPE);
  await expect(failure.getByTestId('deployment-failure-reason')).toHaveText(
    detail.failure?.reason ?? '(none)',
  );
  await expect(
    page.getByTestId('event-log').locator('[data-testid="event-row"][data-status="CREATE_FAILED"]'),
  ).not.toHaveCount(0);
  await shot(page, 'deployment-failed');

  // The owner re-runs it from the page: the platform synthesizes and deploys again (and, with the
  // failure still injected, fails again the same way), and the retry is audited.
  await page.getByTestId('retry-deployment').click();
  const retried = await watchDeployment(page, {
    until: (s) => s.phase === 'synthesizing' || s.phase === 'deploying',
    timeoutMs: FAILED_TIMEOUT_MS,
  });
  expect(retried.at(-1)?.status, `states seen: ${JSON.stringify(retried)}`).toMatch(/synthesizing|deploying/);
  const again = await watchDeployment(page, {
    until: (s) => s.status === 'failed',
    timeoutMs: FAILED_TIMEOUT_MS,
  });
  expect(again.at(-1)?.status).toBe('failed');
  const audit = await (await api('alice')).audit();
  expect(
    audit
      .filter((entry) => entry.action === 'environment.retry-requested' && entry.target === suffix)
      .map((e) => `${e.actor}:${e.outcome}`),
  ).toEqual(['alice:success']);
  const bob = await api('bob');
  expect((await bob.environment(suffix)).permissions.canRetry, 'another engineer may not retry').toBe(false);

  await page.goto('/');
  await expect(page.getByTestId(`environment-status-${suffix}`)).toHaveAttribute('data-status', 'failed');
});
