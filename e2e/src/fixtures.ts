// biome-ignore-all lint/correctness/noEmptyPattern: Playwright fixtures declare their dependencies by destructuring, `{}` is none
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { DEMO_USERS, type DemoUserId, PortalApi } from './portal-api';
import { runDir, sharedBaseURL } from './run-settings';

export { expect };

export interface PortalFixtures {
  /** The JSON API as a demo user (bearer token); one client per user per test. */
  api: (user: DemoUserId) => Promise<PortalApi>;
  /** A page in its own browser context, signed in through the sign-in page as a demo user. */
  signedIn: (user: DemoUserId) => Promise<Page>;
  /** Attaches a screenshot of the page to the test's report. */
  shot: (page: Page, name: string) => Promise<void>;
  /** Attaches the shared portal's log when a test fails. */
  portalLogOnFailure: undefined;
}

/** Signs in on `/sign-in` with a demo user's button and waits for the shell to show who is signed in. */
export async function signInThroughPage(page: Page, user: DemoUserId, next = '/'): Promise<void> {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByTestId(`sign-in-as-${user}`).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.getByTestId('current-user-name')).toHaveText(DEMO_USERS[user].name);
}

/** The viewport, not the full page: the detail page holds hundreds of event rows and re-renders live. */
export async function attachScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const body = await page.screenshot({ animations: 'disabled', timeout: 30_000 });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** Attaches the tail of a portal log (the first place to look when a flow fails). */
export async function attachLog(testInfo: TestInfo, name: string, file: string): Promise<void> {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8').split('\n').slice(-400).join('\n');
  await testInfo.attach(name, { body: text, contentType: 'text/plain' });
}

export const test = base.extend<PortalFixtures>({
  // The shared portal's address is only known once the global setup has started it.
  baseURL: async ({}, use) => {
    await use(sharedBaseURL());
  },

  api: async ({ baseURL }, use) => {
    const clients = new Map<DemoUserId, PortalApi>();
    await use(async (user) => {
      let client = clients.get(user);
      if (client === undefined) {
        client = await PortalApi.as({ baseURL: baseURL ?? sharedBaseURL(), user });
        clients.set(user, client);
      }
      return client;
    });
    for (const client of clients.values()) await client.dispose();
  },

  signedIn: async ({ browser, baseURL, viewport }, use) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await use(async (user) => {
      const context = await browser.newContext({ baseURL: baseURL ?? sharedBaseURL(), viewport });
      contexts.push(context);
      const page = await context.newPage();
      await signInThroughPage(page, user);
      return page;
    });
    for (const context of contexts) await context.close();
  },

  shot: async ({}, use, testInfo) => {
    let count = 0;
    await use(async (page, name) => {
      count += 1;
      await attachScreenshot(page, testInfo, `${String(count).padStart(2, '0')}-${name}`);
    });
  },

  portalLogOnFailure: [
    async ({}, use, testInfo) => {
      await use(undefined);
      if (testInfo.status !== testInfo.expectedStatus) {
        await attachLog(testInfo, 'shared-portal.log', path.join(runDir(), 'shared', 'portal.log'));
      }
    },
    { auto: true },
  ],
});
