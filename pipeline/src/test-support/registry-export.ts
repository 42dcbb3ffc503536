// Test support: registry exports for the pipeline app's CLI synth (the CLI runner is `@sep/infra/testing`).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS_FILE_VERSION, type EnvironmentsFile } from '../environments-file';

/** A registry entry as the exporter writes it (status `requested`, version 1). */
export function registryItem(spec: Record<string, unknown> & { environmentSuffix: string }) {
  return {
    environmentSuffix: spec.environmentSuffix,
    spec: { owner: 'alice@example.com', project: 'payments', costCenter: 'cc-1', ...spec },
    status: 'requested',
    requestedBy: 'alice',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    version: 1,
  };
}

/** Writes an environments file (the registry export the synth reads) and returns its path. */
export function writeEnvironmentsFile(environments: readonly unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sep-registry-')), 'environments.json');
  const content: EnvironmentsFile = {
    version: ENVIRONMENTS_FILE_VERSION,
    exportedAt: new Date().toISOString(),
    source: 'test',
    environments,
    invalid: [],
  };
  writeFileSync(file, JSON.stringify(content));
  return file;
}
