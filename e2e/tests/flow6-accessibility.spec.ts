import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from '../src/fixtures';

/** WCAG 2.1 A/AA rules; serious and critical violations fail the test. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

async function blockingViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations
    .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''))
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join('; ')}`,
    );
}

test('flow 6 — the main pages have no serious or critical axe violations', async ({
  page,
  signedIn,
  shot,
}) => {
  // Signed out: the sign-in page.
  await page.goto('/sign-in');
  await expect(page.getByTestId('sign-in-as-alice')).toBeVisible();
  await shot(page, 'sign-in');
  expect(await blockingViolations(page), '/sign-in').toEqual([]);

  const signedInPage = await signedIn('alice');
  const pages: { readonly path: string; readonly ready: (p: Page) => Promise<void> }[] = [
    { path: '/', ready: (p) => expect(p.getByTestId('environment-table')).toBeVisible() },
    { path: '/environments/new', ready: (p) => expect(p.getByTestId('request-form')).toBeVisible() },
    {
      path: '/environments/staging',
      ready: async (p) => {
        await expect(p.getByTestId('environment-detail')).toBeVisible();
        await expect(p.getByTestId('compliance')).toBeVisible();
      },
    },
    { path: '/pipeline', ready: (p) => expect(p.getByTestId('promotion')).toBeVisible() },
    { path: '/audit', ready: (p) => expect(p.getByTestId('audit-table')).toBeVisible() },
  ];
  // The API reference runs a third-party viewer: it must load under the portal's CSP and fetch nothing
  // from elsewhere (no CDN, no fonts), and stay accessible.
  const foreign: string[] = [];
  const refused: string[] = [];
  signedInPage.on('request', (request) => {
    if (
      !request.url().startsWith(new URL(signedInPage.url() || 'http://x').origin) &&
      !request.url().startsWith('data:')
    )
      foreign.push(request.url());
  });
  signedInPage.on('console', (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) refused.push(message.text());
  });
  // Both colour schemes: the dark palette must clear the same contrast bar as the light one.
  for (const colorScheme of ['light', 'dark'] as const) {
    await signedInPage.emulateMedia({ colorScheme });
    for (const { path, ready } of pages) {
      await test.step(`${path} (${colorScheme})`, async () => {
        await signedInPage.goto(path);
        await ready(signedInPage);
        await shot(
          signedInPage,
          `${path === '/' ? 'environments' : path.slice(1).replaceAll('/', '-')}-${colorScheme}`,
        );
        expect(await blockingViolations(signedInPage), `${path} (${colorScheme})`).toEqual([]);
      });
    }
  }
  await signedInPage.emulateMedia({ colorScheme: 'light' });

  await test.step('/api-reference', async () => {
    await signedInPage.goto('/api-reference');
    await expect(signedInPage.locator('.swagger-ui .opblock').first()).toBeVisible();
    await expect(signedInPage.getByTestId('api-reference')).toContainText('/api/environments/{suffix}/retry');
    await shot(signedInPage, 'api-reference');
    expect(foreign, 'requests to other origins').toEqual([]);
    expect(refused, 'content blocked by the CSP').toEqual([]);
    expect(await blockingViolations(signedInPage), '/api-reference').toEqual([]);
  });

  // The request form with its inline errors showing (error text must stay readable and labelled).
  await signedInPage.goto('/environments/new');
  await signedInPage.getByTestId('submit-request').click();
  await expect(signedInPage.getByTestId('field-error-environmentSuffix')).toBeVisible();
  await shot(signedInPage, 'request-form-errors');
  expect(await blockingViolations(signedInPage), '/environments/new with errors').toEqual([]);
});
