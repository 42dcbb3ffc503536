import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH } from './src/run-settings';

/**
 * The portal's flows in Debian's Chromium against a portal the suite starts
 * itself (see src/global-setup.ts): local mode, free loopback port, fresh
 * data folder, fast deployment speed factor, production build.
 */
export default defineConfig({
  testDir: './tests',
  globalSetup: './src/global-setup.ts',
  outputDir: './test-results',
  // Two workers share the one portal; the restart test runs its own.
  workers: 2,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  // Bounded: a real synth (cdk synth + cdk-nag in a child process) takes several seconds per stage,
  // and stages queue behind each other on the portal.
  timeout: 600_000,
  expect: {
    timeout: 15_000,
    // Screenshot baselines (committed): Debian's Chromium on this machine kind; a few pixels of
    // anti-aliasing may differ between runs, a layout change does not fit in that.
    toHaveScreenshot: { maxDiffPixelRatio: 0.001, animations: 'disabled', caret: 'hide', scale: 'css' },
  },
  // One folder of named baselines, the same files the README shows.
  snapshotPathTemplate: '{testDir}/__screenshots__/{arg}{ext}',
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 900 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
