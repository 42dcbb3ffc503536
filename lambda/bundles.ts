import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the prebuilt Lambda bundles live, for infra/ and pipeline/ (`@sep/lambda/bundles`).
 * Infra deploys `Code.fromAsset(bundleDirectory(name))` with handler `index.handler`.
 */

export const HANDLER_NAMES = [
  'pii-scanner',
  'document-api',
  'compliance-evaluator',
  'remediation',
  'secret-rotation',
  'ttl-sweeper',
] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/** Absolute path of `lambda/dist`. */
export const DIST_DIRECTORY = join(__dirname, 'dist');

/**
 * The absolute path of `lambda/dist/<name>`, which holds `index.js`.
 * Throws when the bundle has not been built, rather than letting CDK package an empty asset.
 */
export function bundleDirectory(name: HandlerName): string {
  const directory = join(DIST_DIRECTORY, name);
  if (!existsSync(join(directory, 'index.js'))) {
    throw new Error(
      `Lambda bundle "${name}" not found at ${directory}/index.js: run "npm run build -w @sep/lambda" first`,
    );
  }
  return directory;
}
