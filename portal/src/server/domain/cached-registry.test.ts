import { parseEnvironmentSpec } from '@sep/infra/spec';
import type { EnvironmentRecord, EnvironmentRegistry } from '@sep/pipeline/registry';
import { CachedRegistry } from './cached-registry';

function record(suffix: string, version = 1): EnvironmentRecord {
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

function fakeStore(records: EnvironmentRecord[]) {
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
    register: async ({ spec }) => record(spec.environmentSuffix),
    updateStatus: async (options) => ({ ...record(options.environmentSuffix, 2), status: options.status }),
    remove: async () => {},
    listExpired: async () => [],
  };
  return { store, calls };
}

describe('CachedRegistry', () => {
  it('answers concurrent lists with one scan and serves gets from it while fresh', async () => {
    const { store, calls } = fakeStore([record('env-a'), record('env-b')]);
    const cached = new CachedRegistry(store, 60_000);
    const lists = await Promise.all(Array.from({ length: 20 }, () => cached.list()));
    expect(calls.list).toBe(1);
    expect(lists.every((list) => list.length === 2)).toBe(true);
    expect((await cached.get({ environmentSuffix: 'env-b' }))?.environmentSuffix).toBe('env-b');
    expect(calls.get).toBe(0);
  });

  it('patches its snapshot with this process’s writes and rereads after the TTL', async () => {
    const { store, calls } = fakeStore([record('env-a')]);
    const cached = new CachedRegistry(store, 20);
    await cached.list();
    await cached.updateStatus({ environmentSuffix: 'env-a', status: 'destroying' });
    expect((await cached.get({ environmentSuffix: 'env-a' }))?.status).toBe('destroying');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const revision = cached.revision;
    // Stale: answered from the snapshot at once while one rescan runs in the background.
    expect((await cached.list()).map((r) => r.status)).toEqual(['destroying']);
    for (let i = 0; i < 100 && cached.revision === revision; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls.list).toBe(2);
    expect(cached.revision).not.toBe(revision);
  });

  it('keeps its revision through a rescan that finds the same records, so derived views stay cached', async () => {
    const records = [record('env-a'), record('env-b')];
    const { store, calls } = fakeStore(records);
    const cached = new CachedRegistry(store, 10);
    await cached.list();
    const revision = cached.revision;
    expect(revision).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await cached.list();
    for (let i = 0; i < 100 && calls.list < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls.list).toBe(2);
    expect(cached.revision).toBe(revision);

    records[1] = record('env-b', 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await cached.list();
    for (let i = 0; i < 100 && cached.revision === revision; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cached.revision).not.toBe(revision);
  });
});
