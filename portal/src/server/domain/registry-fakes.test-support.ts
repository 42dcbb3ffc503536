import type { EnvironmentRecord, EnvironmentRegistry } from '@sep/registry';
import { parseEnvironmentSpec } from '@sep/spec';

/** A valid ephemeral registry record owned by alice, `ready`, at `version`. */
export function registryRecord(suffix: string, version = 1): EnvironmentRecord {
  const parsed = parseEnvironmentSpec({
    environmentSuffix: suffix,
    kind: 'ephemeral',
    owner: 'alice',
    project: 'p',
    costCenter: 'c',
  });
  if (!parsed.success) throw new Error('bad spec');
  const now = '2026-03-01T10:00:00.000Z';
  return {
    environmentSuffix: suffix,
    spec: parsed.spec,
    status: 'ready',
    requestedBy: 'alice',
    createdAt: now,
    updatedAt: now,
    version,
  };
}

/**
 * An in-memory registry over `records` (read live, so a test may change them) that counts its
 * reads; a list takes a few milliseconds, as a scan would, so concurrent callers overlap.
 */
export function fakeRegistry(records: EnvironmentRecord[]) {
  const calls = { list: 0, get: 0 };
  const store: EnvironmentRegistry = {
    list: async () => {
      calls.list += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [...records];
    },
    get: async ({ environmentSuffix }) => {
      calls.get += 1;
      return records.find((r) => r.environmentSuffix === environmentSuffix);
    },
    register: async ({ spec }) => registryRecord(spec.environmentSuffix),
    updateStatus: async (options) => ({
      ...registryRecord(options.environmentSuffix, 2),
      status: options.status,
      ...(options.statusReason === undefined ? {} : { statusReason: options.statusReason }),
    }),
    remove: async () => {},
    listExpired: async () => [],
  };
  return { store, calls };
}
