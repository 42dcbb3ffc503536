import type { EnvironmentRecord, EnvironmentRegistry } from '@sep/registry';
import { type EnvironmentSpec, parseEnvironmentSpec } from '@sep/spec';

/** A valid spec: an ephemeral environment owned by alice, with the fields a test cares about given. */
export function environmentSpec(
  fields: { environmentSuffix: string } & Record<string, unknown>,
): EnvironmentSpec {
  const parsed = parseEnvironmentSpec({
    kind: 'ephemeral',
    owner: 'alice',
    project: 'p',
    costCenter: 'c',
    ...fields,
  });
  if (!parsed.success) throw new Error(`bad spec: ${JSON.stringify(parsed.errors)}`);
  return parsed.spec;
}

/**
 * A registry record of `environmentSpec(fields)`, `ready`, requested by alice on 2026-03-01 at 10:00 UTC,
 * at version 1, with the fields of the record a test cares about overridden.
 */
export function environmentRecord(
  fields: { environmentSuffix: string } & Record<string, unknown>,
  overrides: Partial<EnvironmentRecord> = {},
): EnvironmentRecord {
  const now = '2026-03-01T10:00:00.000Z';
  return {
    environmentSuffix: fields.environmentSuffix,
    spec: environmentSpec(fields),
    status: 'ready',
    requestedBy: 'alice',
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...overrides,
  };
}

/** A valid ephemeral registry record owned by alice, `ready`, at `version`. */
export function registryRecord(suffix: string, version = 1): EnvironmentRecord {
  return environmentRecord({ environmentSuffix: suffix }, { version });
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
