import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { assertPortalBuilt, startPortal } from './portal-process';
import { BASE_URL_VARIABLE, KEEP_VARIABLE, RUN_DIR_VARIABLE, SHARED_SPEED_FACTOR } from './run-settings';

/**
 * Starts ONE portal for the run (tests share it; every test uses its own
 * environment suffixes) in local mode on a free loopback port with a fresh
 * data folder, and returns the teardown that stops it and removes the folder.
 */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  assertPortalBuilt();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sep-e2e-'));
  const portal = await startPortal({
    dataDir: path.join(dir, 'shared', 'data'),
    logFile: path.join(dir, 'shared', 'portal.log'),
    speedFactor: SHARED_SPEED_FACTOR,
  });
  process.env[BASE_URL_VARIABLE] = portal.baseURL;
  process.env[RUN_DIR_VARIABLE] = dir;
  console.log(`e2e: portal on ${portal.baseURL} (data and logs in ${dir})`);
  return async () => {
    await portal.stop();
    if (process.env[KEEP_VARIABLE] === '1') {
      console.log(`e2e: kept ${dir}`);
      return;
    }
    // A synth the stopped portal had started may still be finishing its writes: retry ENOTEMPTY/EBUSY.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
  };
}
