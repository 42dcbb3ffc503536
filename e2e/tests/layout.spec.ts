import type { Page } from '@playwright/test';
import { expect, test } from '../src/fixtures';
import { horizontalOverflow, useViewport, VIEWPORTS, type ViewportName, valueLayout } from '../src/layout';
import { READY_TIMEOUT_MS } from '../src/timeouts';

/** A ready environment's page holds its outputs, spec, timeline, 40 events and compliance: no more. */
const MAX_READY_PAGE_HEIGHT: Record<ViewportName, number> = { desktop: 9000, mobile: 16000 };

/** What each page must show before it is judged. */
const PAGES: readonly { readonly path: string; readonly ready: (page: Page) => Promise<void> }[] = [
  { path: '/', ready: (p) => expect(p.getByTestId('environment-table')).toBeVisible() },
  { path: '/environments/new', ready: (p) => expect(p.getByTestId('cost-estimate-total')).toBeVisible() },
  {
    path: '/environments/staging',
    ready: (p) =>
      expect(p.getByTestId('outputs').locator('[data-testid^="output-value-"]').first()).toBeVisible(),
  },
  { path: '/pipeline', ready: (p) => expect(p.getByTestId('pipeline')).toBeVisible() },
  { path: '/audit', ready: (p) => expect(p.getByTestId('audit-table')).toBeVisible() },
  { path: '/api-reference', ready: (p) => expect(p.locator('.swagger-ui .opblock').first()).toBeVisible() },
];

for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
  test(`layout at ${VIEWPORTS[viewport].width} px — no page scrolls sideways, outputs read on a line with their copy button, the navigation fits`, async ({
    signedIn,
    api,
    shot,
  }) => {
    await (await api('alice')).waitForStatus({
      suffix: 'staging',
      statuses: ['ready'],
      timeoutMs: READY_TIMEOUT_MS,
    });
    const page = await signedIn('alice');
    await useViewport(page, viewport);

    for (const { path, ready } of PAGES) {
      await test.step(`${path} fits ${VIEWPORTS[viewport].width} px`, async () => {
        await page.goto(path);
        await ready(page);
        expect(await horizontalOverflow(page), `${path} at ${viewport}`).toEqual([]);
      });
    }

    await test.step('the navigation folds behind a menu button on a phone, and opens', async () => {
      await page.goto('/pipeline');
      const toggle = page.getByTestId('nav-toggle');
      const nav = page.getByRole('navigation', { name: 'Main' });
      if (viewport === 'mobile') {
        await expect(nav).toBeHidden();
        await toggle.click();
        await expect(toggle).toHaveAttribute('aria-expanded', 'true');
        await expect(nav.getByRole('link', { name: 'Audit log' })).toBeVisible();
        expect(await horizontalOverflow(page)).toEqual([]);
        await nav.getByRole('link', { name: 'Audit log' }).click();
        await expect(page).toHaveURL(/\/audit$/);
        await expect(nav).toBeHidden();
      } else {
        await expect(toggle).toBeHidden();
        await expect(nav.getByRole('link', { name: 'API reference' })).toBeVisible();
        const links = await nav
          .getByRole('link')
          .evaluateAll((elements) =>
            elements.map((element) => Math.round(element.getBoundingClientRect().top)),
          );
        expect(new Set(links).size, 'the navigation is one row').toBe(1);
      }
    });

    await test.step('the list shows its key columns: environment, status, cost', async () => {
      await page.goto('/');
      const table = page.getByTestId('environment-table');
      for (const name of ['Environment', 'Status', 'Cost / month']) {
        await expect(table.getByRole('columnheader', { name: new RegExp(name) })).toBeVisible();
      }
      await expect(table.getByTestId('environment-link-staging')).toBeVisible();
    });

    await test.step('outputs: each value on one line or wrapped at separators, its copy button beside it', async () => {
      await page.goto('/environments/staging');
      const outputs = page.getByTestId('outputs');
      const values = outputs.locator('[data-testid^="output-value-"]');
      await expect(values.first()).toBeVisible();
      const count = await values.count();
      expect(count).toBeGreaterThan(3);
      for (let i = 0; i < count; i += 1) {
        const value = values.nth(i);
        const key = ((await value.getAttribute('data-testid')) ?? '').replace('output-value-', '');
        const layout = await valueLayout(value, outputs.getByTestId(`copy-output-${key}`));
        const what = `${key} at ${viewport}: ${JSON.stringify(layout.lines)}`;
        expect(layout.buttonBeside, `copy button beside ${what}`).toBe(true);
        // At 1440 px a value takes one line per 80 characters at most (most are one line).
        if (viewport === 'desktop')
          expect(layout.lines.length, `lines: ${what}`).toBeLessThanOrEqual(
            Math.ceil(layout.text.length / 80),
          );
        // Wrapped only after a separator, and never down to a character or two per line.
        for (const char of layout.breaksAfter)
          expect(char, `break after a separator: ${what}`).toMatch(/[/:.\-_?&=,]/);
        for (const line of layout.lines.slice(0, -1))
          expect(line.length, `line length: ${what}`).toBeGreaterThan(3);
      }
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      expect(height, 'the ready environment page stays a readable length').toBeLessThan(
        MAX_READY_PAGE_HEIGHT[viewport],
      );
      await shot(page, `ready-environment-${viewport}`);
    });
  });
}
