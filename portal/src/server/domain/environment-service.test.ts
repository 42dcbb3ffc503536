import type { EnvironmentRecord } from '@sep/pipeline/registry';
import type { AuditStore } from '../audit/audit-store';
import type { PlatformPort } from '../platform/port';
import { CachedRegistry } from './cached-registry';
import { EnvironmentService } from './environment-service';
import { fakeRegistry, registryRecord } from './registry-fakes.test-support';
import type { EnvironmentList, User } from './types';

const alice: User = { id: 'alice', name: 'Alice', roles: ['engineer'] };

function serviceOver(records: EnvironmentRecord[]) {
  const { store } = fakeRegistry(records);
  const registry = new CachedRegistry(store, 60_000);
  // The list touches neither the platform's calls nor the audit trail: only what a view reads.
  const platform = { mode: 'local', simulated: true } as unknown as PlatformPort;
  const audit = {} as AuditStore;
  const service = new EnvironmentService({
    registry,
    platform,
    audit,
    listRevision: () => registry.revision,
    pollIntervalMs: 60_000,
  });
  return { service, registry };
}

describe('EnvironmentService.listBody', () => {
  it('builds one body for concurrent requests and reuses it until the registry changes', async () => {
    const { service, registry } = serviceOver([registryRecord('env-a'), registryRecord('env-b')]);
    await registry.list();
    const build = jest.spyOn(service, 'list');
    const bodies = await Promise.all(Array.from({ length: 50 }, () => service.listBody(alice)));
    expect(build).toHaveBeenCalledTimes(1);
    expect(new Set(bodies).size).toBe(1);
    await service.listBody(alice);
    expect(build).toHaveBeenCalledTimes(1);

    await registry.updateStatus({ environmentSuffix: 'env-b', status: 'destroying', expectedVersion: 1 });
    const after = JSON.parse(Buffer.from(await service.listBody(alice)).toString()) as EnvironmentList;
    expect(build).toHaveBeenCalledTimes(2);
    expect(after.environments.map((e) => `${e.environmentSuffix}:${e.status}`)).toEqual([
      'env-a:ready',
      'env-b:destroying',
    ]);
  });

  it('keeps one body per user, since permissions differ', async () => {
    const { service, registry } = serviceOver([registryRecord('env-a')]);
    await registry.list();
    const bob: User = { id: 'bob', name: 'Bob', roles: ['engineer'] };
    const forAlice = JSON.parse(Buffer.from(await service.listBody(alice)).toString()) as EnvironmentList;
    const forBob = JSON.parse(Buffer.from(await service.listBody(bob)).toString()) as EnvironmentList;
    expect(forAlice.environments[0]?.permissions.canDestroy).toBe(true);
    expect(forBob.environments[0]?.permissions.canDestroy).toBe(false);
  });

  it('pages in suffix order after the cursor, with figures over every page', async () => {
    const destroyed = { ...registryRecord('env-c'), status: 'destroyed' as const };
    const { service, registry } = serviceOver([
      registryRecord('env-a'),
      registryRecord('env-b'),
      destroyed,
      registryRecord('env-d'),
    ]);
    await registry.list();
    const first = await service.list(alice, { limit: 2 });
    expect(first.environments.map((e) => e.environmentSuffix)).toEqual(['env-a', 'env-b']);
    expect(first.nextCursor).toBe('env-b');
    expect(first.total).toBe(4);
    expect(first.summary.active).toBe(3);
    expect(first.summary.destroyed).toBe(1);
    expect(first.summary.monthlyCostUsd).toBeGreaterThan(0);
    const second = await service.list(alice, { limit: 2, cursor: 'env-b' });
    expect(second.environments.map((e) => e.environmentSuffix)).toEqual(['env-c', 'env-d']);
    expect(second.nextCursor).toBeUndefined();
    // A cursor whose environment is gone still resumes where it would sort.
    const resumed = await service.list(alice, { limit: 2, cursor: 'env-bb' });
    expect(resumed.environments.map((e) => e.environmentSuffix)).toEqual(['env-c', 'env-d']);
  });
});
