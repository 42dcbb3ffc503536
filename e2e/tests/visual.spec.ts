import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, signInThroughPage, test } from '../src/fixtures';
import { useViewport, type ViewportName } from '../src/layout';
import { ephemeralRequest, PortalApi } from '../src/portal-api';
import { type PortalProcess, startPortal } from '../src/portal-process';
import { runDir } from '../src/run-settings';
import { READY_TIMEOUT_MS } from '../src/timeouts';

/**
 * What the user sees, compared with committed baselines (e2e/tests/__screenshots__, the pictures the
 * README shows): the list, the request form, a ready environment, the pipeline and the audit log, at
 * 1440 and 390 px, light and dark. The portal is this test's own (fresh data, fixed suffix), so the
 * pictures do not depend on what the other tests create; times, ages and the git revision are hidden.
 */
const SUFFIX = 'visual-ref';
/** Hides times, ages and the git revision while comparing (see the file). */
const HIDE_CLOCK = path.join(__dirname, '..', 'src', 'screenshot-hide-clock.css');
/** Deploys the seeded staging and the reference environment in a few seconds. */
const VISUAL_SPEED_FACTOR = 200;

interface Shot {
  readonly name: string;
  readonly path: string;
  readonly ready: (page: Page) => Promise<void>;
}

const SHOTS: readonly Shot[] = [
  {
    name: 'environments',
    path: `/`,
    ready: async (page) => {
      await expect(page.getByTestId(`environment-row-${SUFFIX}`)).toBeVisible();
      await page.getByTestId('environment-search').fill(SUFFIX);
      await expect(page.getByTestId('environment-row-staging')).toHaveCount(0);
    },
  },
  {
    name: 'request-form',
    path: '/environments/new',
    ready: (page) => expect(page.getByTestId('cost-estimate-total')).toBeVisible(),
  },
  {
    name: 'environment-ready',
    path: `/environments/${SUFFIX}`,
    ready: async (page) => {
      await expect(page.getByTestId('environment-status')).toHaveAttribute('data-status', 'ready');
      await expect(page.getByTestId('compliance-packs')).toBeVisible();
      await expect(page.locator('.timeline-scroll svg')).toBeVisible();
    },
  },
  {
    name: 'pipeline',
    path: '/pipeline',
    ready: (page) => expect(page.getByTestId('pending-promotion')).toBeVisible(),
  },
  {
    name: 'audit-log',
    path: `/audit?q=${SUFFIX}`,
    ready: (page) => expect(page.getByTestId('audit-row').first()).toBeVisible(),
  },
];

test('what the user sees: list, form, ready environment, pipeline and audit log at both widths, light and dark', async ({
  browser,
}, testInfo) => {
  // Two played deployments (staging, then the reference environment) and twenty full-page comparisons.
  testInfo.setTimeout(900_000);
  const dir = path.join(runDir(), `visual-${testInfo.workerIndex}`);
  let portal: PortalProcess | undefined;
  try {
    portal = await startPortal({
      dataDir: path.join(dir, 'data'),
      logFile: path.join(dir, 'portal.log'),
      speedFactor: VISUAL_SPEED_FACTOR,
    });
    const alice = await PortalApi.as({ baseURL: portal.baseURL, user: 'alice' });
    // Staging first, then the reference environment: the same order, the same pipeline, every run.
    await alice.waitForStatus({ suffix: 'staging', statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });
    expect(
      (await alice.createEnvironment({ ...ephemeralRequest(SUFFIX, 'payments'), ttlHours: 24 })).status(),
    ).toBe(201);
    await alice.waitForStatus({ suffix: SUFFIX, statuses: ['ready'], timeoutMs: READY_TIMEOUT_MS });
    await alice.dispose();

    for (const colorScheme of ['light', 'dark'] as const) {
      // bypassCSP lets the comparison's stylesheet (HIDE_CLOCK) in; the CSP itself is tested elsewhere.
      const context = await browser.newContext({ baseURL: portal.baseURL, colorScheme, bypassCSP: true });
      const page = await context.newPage();
      await signInThroughPage(page, 'alice');
      for (const viewport of ['desktop', 'mobile'] as ViewportName[]) {
        await useViewport(page, viewport);
        for (const shot of SHOTS) {
          await test.step(`${shot.name} ${viewport} ${colorScheme}`, async () => {
            await page.goto(shot.path);
            await shot.ready(page);
            await expect(page).toHaveScreenshot(`${shot.name}-${viewport}-${colorScheme}.png`, {
              fullPage: true,
              stylePath: HIDE_CLOCK,
            });
          });
        }
      }
      await context.close();
    }
  } finally {
    await portal?.stop();
  }
});
