import type { Locator } from '@playwright/test';
import { expect, test } from '../src/fixtures';

/** "$1,234.50" → 1234.5 */
const dollars = (text: string) => Number(text.replace(/[^0-9.]/g, ''));

async function amounts(cells: Locator): Promise<number[]> {
  return (await cells.allTextContents()).map(dollars);
}

test('list and audit log: search, filters and sorting narrow what is shown, and every total is the sum of its lines', async ({
  signedIn,
}) => {
  // staging and prod are seeded (whatever their status by now): enough to search, filter and sort.
  const page = await signedIn('dave');

  await test.step('the list: search, filter by kind and owner, sort by cost; the total adds up', async () => {
    await page.goto('/');
    const table = page.getByTestId('environment-table');
    await expect(table.getByTestId('environment-row-staging')).toBeVisible();
    // Rows and total read in one go: the list refreshes itself while other tests add environments.
    const rowsAndTotal = () =>
      table.evaluate((element) => ({
        rows: [...element.querySelectorAll('tbody td.numeric')].map((cell) => cell.textContent ?? ''),
        total: element.querySelector('[data-testid="environment-total-cost"]')?.textContent ?? '',
      }));
    const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 100) / 100;
    const all = await rowsAndTotal();
    expect(dollars(all.total), `total of ${all.rows.join(' + ')}`).toBe(sum(all.rows.map(dollars)));

    await page.getByTestId('environment-search').fill('stag');
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table.getByTestId('environment-row-staging')).toBeVisible();
    await page.getByTestId('environment-search').fill('');

    await page.getByTestId('environment-kind-filter').selectOption('prod');
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table.getByTestId('environment-row-prod')).toBeVisible();
    await page.getByTestId('environment-kind-filter').selectOption('');

    await page.getByTestId('environment-owner-filter').selectOption('platform-team');
    const owners = await table.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners)).toEqual(new Set(['platform-team']));
    await page.getByTestId('environment-owner-filter').selectOption('');

    await page.getByTestId('sort-cost').click();
    await page.getByTestId('sort-cost').click();
    await expect(table.getByRole('columnheader', { name: /Cost/ })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
    const sorted = await rowsAndTotal();
    const descending = sorted.rows.map(dollars);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    expect(dollars(sorted.total)).toBe(sum(descending));
  });

  await test.step('the spec card: its cost lines add up to its total', async () => {
    await page.goto('/environments/prod');
    const lines = page.getByTestId('detail-cost-lines').locator('li span:last-child');
    await expect(lines.first()).toBeVisible();
    const shown = await amounts(lines);
    const total = dollars((await page.getByTestId('detail-monthly-cost').textContent()) ?? '');
    expect(total).toBe(Math.round(shown.reduce((a, b) => a + b, 0) * 100) / 100);
  });

  await test.step('the audit log: search, filter by action and who, sort by who', async () => {
    await page.goto('/audit');
    const rows = page.getByTestId('audit-row');
    await expect(rows.first()).toBeVisible();
    await page.getByTestId('audit-action-filter').selectOption('auth.signed-in');
    await expect(rows.first()).toBeVisible();
    expect(new Set(await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-action'))))).toEqual(
      new Set(['auth.signed-in']),
    );
    await page.getByTestId('audit-actor-filter').selectOption('dave');
    expect(new Set(await rows.locator('td:nth-child(2)').allTextContents())).toEqual(new Set(['dave']));
    await page.getByTestId('audit-action-filter').selectOption('');
    await page.getByTestId('audit-actor-filter').selectOption('');
    // Every flow signs in: search narrows the log to those entries.
    await page.getByTestId('audit-search').fill('signed-in');
    await expect(rows.first()).toBeVisible();
    for (const text of await rows.allTextContents()) expect(text).toContain('signed-in');
    await page.getByTestId('audit-search').fill('');
    await page.getByTestId('sort-actor').click();
    const actors = await rows.locator('td:nth-child(2)').allTextContents();
    expect(actors).toEqual([...actors].sort((a, b) => a.localeCompare(b)));
  });
});
