import { CachedRegistry } from './cached-registry';
import { fakeRegistry, registryRecord } from './registry-fakes.test-support';

describe('CachedRegistry', () => {
  it('answers concurrent lists with one scan and serves gets from it while fresh', async () => {
    const { store, calls } = fakeRegistry([registryRecord('env-a'), registryRecord('env-b')]);
    const cached = new CachedRegistry(store, 60_000);
    const lists = await Promise.all(Array.from({ length: 20 }, () => cached.list()));
    expect(calls.list).toBe(1);
    expect(lists.every((list) => list.length === 2)).toBe(true);
    expect((await cached.get({ environmentSuffix: 'env-b' }))?.environmentSuffix).toBe('env-b');
    expect(calls.get).toBe(0);
  });

  it('patches its snapshot with this process’s writes and rereads after the TTL', async () => {
    const { store, calls } = fakeRegistry([registryRecord('env-a')]);
    // A TTL the steps before the wait cannot outlast on a loaded machine (a 20 ms one rescanned early).
    const cached = new CachedRegistry(store, 250);
    await cached.list();
    await cached.updateStatus({ environmentSuffix: 'env-a', status: 'destroying' });
    expect((await cached.get({ environmentSuffix: 'env-a' }))?.status).toBe('destroying');
    await new Promise((resolve) => setTimeout(resolve, 260));
    const revision = cached.revision;
    // Stale: answered from the snapshot at once while one rescan runs in the background.
    expect((await cached.list()).map((r) => r.status)).toEqual(['destroying']);
    for (let i = 0; i < 100 && cached.revision === revision; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls.list).toBe(2);
    expect(cached.revision).not.toBe(revision);
  });

  it('answers a stale get from the table and rescans once, so later gets come from memory again', async () => {
    const { store, calls } = fakeRegistry([registryRecord('env-a'), registryRecord('env-b')]);
    const cached = new CachedRegistry(store, 200);
    await cached.list();
    await new Promise((resolve) => setTimeout(resolve, 210));
    const stale = await Promise.all(
      Array.from({ length: 5 }, () => cached.get({ environmentSuffix: 'env-a' })),
    );
    expect(stale.map((record) => record?.environmentSuffix)).toEqual(Array(5).fill('env-a'));
    expect(calls.get).toBe(5);
    expect(calls.list).toBe(2);
    // Until the one rescan lands, gets still read the table; then they are answered from memory.
    let gets = calls.get;
    for (let i = 0; i < 100; i += 1) {
      await cached.get({ environmentSuffix: 'env-b' });
      if (calls.get === gets) break;
      gets = calls.get;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await cached.get({ environmentSuffix: 'env-b' }))?.environmentSuffix).toBe('env-b');
    expect(calls.get).toBe(gets);
    expect(calls.list).toBe(2);
  });

  it('keeps its revision through a rescan that finds the same records, so derived views stay cached', async () => {
    const records = [registryRecord('env-a'), registryRecord('env-b')];
    const { store, calls } = fakeRegistry(records);
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

    records[1] = registryRecord('env-b', 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await cached.list();
    for (let i = 0; i < 100 && cached.revision === revision; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cached.revision).not.toBe(revision);
  });
});
