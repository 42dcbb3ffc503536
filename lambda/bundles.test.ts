import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleDirectory, DIST_DIRECTORY, HANDLER_NAMES } from './bundles';

describe('bundleDirectory', () => {
  it('names the six handlers the stage deploys', () => {
    expect([...HANDLER_NAMES].sort()).toEqual(
      [
        'compliance-evaluator',
        'document-api',
        'pii-scanner',
        'remediation',
        'secret-rotation',
        'ttl-sweeper',
      ].sort(),
    );
  });

  it.each(HANDLER_NAMES)('%s: returns dist/<name> when built, else tells how to build', (name) => {
    const built = existsSync(join(DIST_DIRECTORY, name, 'index.js'));
    if (built) expect(bundleDirectory(name)).toBe(join(DIST_DIRECTORY, name));
    else expect(() => bundleDirectory(name)).toThrow('run "npm run build -w @sep/lambda" first');
  });
});
