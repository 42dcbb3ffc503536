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
  for (const { path, ready } of pages) {
    await test.step(path, async () => {
      await signedInPage.goto(path);
      await ready(signedInPage);
      await shot(signedInPage, path === '/' ? 'environments' : path.slice(1).replaceAll('/', '-'));
      expect(await blockingViolations(signedInPage), path).toEqual([]);
    });
  }

  // The request form with its inline errors showing (error text must stay readable and labelled).
  await signedInPage.goto('/environments/new');
  await signedInPage.getByTestId('submit-request').click();
  await expect(signedInPage.getByTestId('field-error-environmentSuffix')).toBeVisible();
  await shot(signedInPage, 'request-form-errors');
  expect(await blockingViolations(signedInPage), '/environments/new with errors').toEqual([]);
});
