import type { Page, Request } from '@playwright/test';
import { expect, test } from '../src/fixtures';
import { type ApiErrorBody, ephemeralRequest, type PortalApi, uniqueSuffix } from '../src/portal-api';

/** The longest suffix the stage accepts, as the API's own OpenAPI document states it. */
async function maxSuffixLength(api: PortalApi): Promise<number> {
  const found: number[] = [];
  const visit = (node: unknown, key?: string) => {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (key === 'environmentSuffix' && typeof record.maxLength === 'number') found.push(record.maxLength);
    for (const [child, value] of Object.entries(record)) visit(value, child);
  };
  visit(await api.openApi());
  expect(found.length, 'environmentSuffix.maxLength in /api/openapi.json').toBeGreaterThan(0);
  return Math.min(...found);
}

/** Records the environment-creating requests the page sends. */
function recordCreates(page: Page): Request[] {
  const creates: Request[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/environments') {
      creates.push(request);
    }
  });
  return creates;
}

async function openRequestForm(page: Page): Promise<void> {
  await page.goto('/environments/new');
  const form = page.getByTestId('request-form');
  await expect(form).toBeVisible();
  await form.getByLabel('Project', { exact: true }).fill('payments');
  await form.getByLabel('Cost center').fill('CC-1042');
}

test('flow 2 — bad input: every invalid suffix class is refused inline and creates nothing; a taken suffix is refused; a double submit creates one environment', async ({
  signedIn,
  api,
  shot,
}) => {
  const alice = await api('alice');
  const page = await signedIn('alice');
  const creates = recordCreates(page);
  const token = uniqueSuffix('bad').replace('-', '');
  const max = await maxSuffixLength(alice);

  // Each class of invalid suffix, with the message the shared schema gives it.
  const invalid: { readonly name: string; readonly value: string; readonly message: RegExp }[] = [
    { name: 'empty', value: '', message: /required|at least 2 characters/ },
    { name: 'too short', value: 'x', message: /at least 2 characters/ },
    { name: 'too long', value: token.padEnd(max + 1, 'a'), message: new RegExp(`at most ${max} characters`) },
    { name: 'uppercase', value: `${token}-Beta`, message: /must be lowercase/ },
    { name: 'leading digit', value: `9${token}`, message: /must start with a lowercase letter/ },
    { name: 'consecutive hyphens', value: `${token}--beta`, message: /consecutive hyphens/ },
    { name: 'trailing hyphen', value: `${token}-`, message: /must not end with a hyphen/ },
    {
      name: 'forbidden character',
      value: `${token}_beta`,
      message: /only lowercase letters, digits and single hyphens/,
    },
    { name: 'reserved word', value: `${token}-prod`, message: /"prod" is reserved/ },
  ];

  await openRequestForm(page);
  const suffixInput = page.getByTestId('request-form').getByLabel('Environment suffix');
  const suffixError = page.getByTestId('field-error-environmentSuffix');
  for (const [index, bad] of invalid.entries()) {
    await test.step(`inline error: ${bad.name}`, async () => {
      await suffixInput.fill(bad.value);
      await page.getByTestId('submit-request').click();
      await expect(suffixError).toHaveText(bad.message);
      await expect(suffixInput).toHaveAttribute('aria-invalid', 'true');
      await expect(page).toHaveURL(/\/environments\/new$/);
      if (index === 0 || bad.name === 'reserved word')
        await shot(page, `inline-error-${bad.name.replaceAll(' ', '-')}`);
    });
  }
  expect(creates, 'the browser sent no request for invalid input').toHaveLength(0);

  // The server refuses the same input field by field (the same schema), whoever bypasses the form.
  for (const bad of invalid) {
    await test.step(`API refuses: ${bad.name}`, async () => {
      const response = await alice.createEnvironment(ephemeralRequest(bad.value));
      expect(response.status(), bad.name).toBe(400);
      const body = (await response.json()) as ApiErrorBody;
      expect(body.error.code).toBe('validation_failed');
      const field = body.error.fields?.find((f) => f.path === 'environmentSuffix');
      expect(field?.message, `${bad.name}: ${JSON.stringify(body.error.fields)}`).toMatch(bad.message);
    });
  }
  // Nothing was written: no environment carries any of those suffixes (case-insensitively).
  const afterInvalid = await alice.suffixes();
  expect(afterInvalid.filter((suffix) => suffix.includes(token) || suffix === 'x')).toEqual([]);

  // Double submit: two clicks in the same task (before React can disable the button) make one request.
  const once = uniqueSuffix('dbl');
  await openRequestForm(page);
  await page.getByTestId('request-form').getByLabel('Environment suffix').fill(once);
  await expect(page.getByTestId('suffix-availability')).toHaveAttribute('data-state', 'available');
  await page.getByTestId('submit-request').evaluate((button: HTMLButtonElement) => {
    button.click();
    button.click();
  });
  await expect(page).toHaveURL(new RegExp(`/environments/${once}$`));
  await expect(page.getByRole('heading', { level: 1, name: once })).toBeVisible();
  expect(creates, 'one create request for a double submit').toHaveLength(1);
  expect((await alice.suffixes()).filter((suffix) => suffix === once)).toEqual([once]);
  const requested = (await alice.audit()).filter(
    (entry) => entry.action === 'environment.requested' && entry.target === once,
  );
  expect(requested, 'one environment.requested audit entry').toHaveLength(1);
  await shot(page, 'double-submit-created-one');

  // A taken suffix: the live check says so, and submitting is refused with an inline error.
  const created = await alice.environment(once);
  await openRequestForm(page);
  await page.getByTestId('request-form').getByLabel('Environment suffix').fill(once);
  await expect(page.getByTestId('suffix-availability')).toHaveAttribute('data-state', 'taken');
  await page.getByTestId('submit-request').click();
  await expect(suffixError).toHaveText(/already taken/);
  await expect(page).toHaveURL(/\/environments\/new$/);
  await shot(page, 'taken-suffix');
  const taken = await alice.createEnvironment(ephemeralRequest(once));
  expect(taken.status()).toBe(409);
  expect(((await taken.json()) as ApiErrorBody).error.code).toBe('suffix_taken');
  expect((await alice.suffixes()).filter((suffix) => suffix === once)).toEqual([once]);
  expect(creates.length, 'the refused submit was the only other create request').toBe(2);
  const after = await alice.environment(once);
  expect(after.createdAt, 'the refused request did not overwrite the registered one').toBe(created.createdAt);
  expect(after.requestedBy).toBe('alice');
});
