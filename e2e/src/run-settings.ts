/**
 * Knobs of one suite run, shared by the global setup, the fixtures and the
 * restart test. Values travel from the global setup to the workers through
 * environment variables (workers start after the global setup).
 */

/** The shared portal's base URL, set by the global setup. */
export const BASE_URL_VARIABLE = 'SEP_E2E_BASE_URL';
/** The run's temporary folder (data folders, portal logs), set by the global setup. */
export const RUN_DIR_VARIABLE = 'SEP_E2E_RUN_DIR';
/** Keep the run's temporary folder after the run (for debugging). */
export const KEEP_VARIABLE = 'SEP_E2E_KEEP_DATA';

/**
 * Simulated deployments run this many times faster than AWS: a stage of the
 * default spec deploys in seconds, yet slowly enough to watch the bar move.
 */
export const SHARED_SPEED_FACTOR = 25;

/** Chromium: Debian's build (Playwright's own download cannot work offline). */
export const CHROMIUM_PATH = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? '/usr/bin/chromium';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: run the suite with "npm test -w @sep/e2e" (its global setup starts the portal)`,
    );
  }
  return value;
}

export function sharedBaseURL(): string {
  return required(BASE_URL_VARIABLE);
}

export function runDir(): string {
  return required(RUN_DIR_VARIABLE);
}
