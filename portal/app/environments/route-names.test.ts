import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ROUTE_NAME_SUFFIXES } from '@sep/spec';

/** The fixed segments beside `[suffix]` under a folder of routes: each would shadow an environment of that name. */
function fixedSegmentsBesideSuffix(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('['))
    .map((entry) => entry.name);
}

describe('the suffixes the portal routes shadow', () => {
  it.each([
    ['the pages', path.join(__dirname)],
    ['the API', path.join(__dirname, '..', 'api', 'environments')],
  ])('every fixed route beside /environments/[suffix] in %s is a suffix the spec refuses', (_, dir) => {
    for (const segment of fixedSegmentsBesideSuffix(dir)) {
      expect(ROUTE_NAME_SUFFIXES).toContain(segment);
    }
  });
});
