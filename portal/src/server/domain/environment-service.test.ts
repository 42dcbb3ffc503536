import type { EnvironmentRecord } from '@sep/registry';
import type { AuditStore } from '../audit/audit-store';
import type { DeploymentSnapshot, PlatformPort } from '../platform/port';
import { CachedRegistry } from './cached-registry';
import { EnvironmentService } from './environment-service';
import { fakeRegistry, registryRecord } from './registry-fakes.test-support';
import type { DeploymentPhase, EnvironmentDetail, EnvironmentList, User } from './types';

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

function snapshotIn(phase: DeploymentPhase, suffix: string): DeploymentSnapshot {
  const stackName = `sep-${suffix}-environment`;
  return {
    stackName,
    progress: { phase, resourcesDone: 2, resourcesTotal: 2, percent: 100 },
    events: [
      {
        eventId: `${stackName}-${phase}`,
        stackName,
        timestamp: '2026-03-01T10:00:00.000Z',
        logicalResourceId: stackName,
        resourceType: 'AWS::CloudFormation::Stack',
        resourceStatus: phase === 'complete' ? 'CREATE_COMPLETE' : 'DELETE_IN_PROGRESS',
      },
    ],
    timeline: [],
    outputs: [],
  };
}

/** A service over `records` whose platform answers every poll with the same snapshot object until a destroy. */
function detailServiceOver(records: EnvironmentRecord[], options: { detailBodyCacheBytes?: number } = {}) {
  const { store } = fakeRegistry(records);
  const registry = new CachedRegistry(store, 60_000);
  const snapshots = new Map(
    records.map((r) => [r.environmentSuffix, snapshotIn('complete', r.environmentSuffix)]),
  );
  const calls = { describe: 0 };
  const platform = {
    mode: 'local',
    simulated: true,
    describe: async ({ record }: { record: EnvironmentRecord }) => {
      calls.describe += 1;
      return snapshots.get(record.environmentSuffix);
    },
    teardown: async ({ record }: { record: EnvironmentRecord }) => {
      snapshots.set(record.environmentSuffix, snapshotIn('destroying', record.environmentSuffix));
      return { outcome: 'in-progress' };
    },
  } as unknown as PlatformPort;
  const audit = { record: async () => {} } as unknown as AuditStore;
  const service = new EnvironmentService({ registry, platform, audit, pollIntervalMs: 60_000, ...options });
  const read = async (user: User, suffix: string) => {
    const bytes = await service.detailBody(user, suffix);
    return { bytes, detail: JSON.parse(Buffer.from(bytes).toString()) as EnvironmentDetail };
  };
  return { service, registry, calls, read, snapshots };
}

describe('EnvironmentService.detailBody', () => {
  const bob: User = { id: 'bob', name: 'Bob', roles: ['engineer'] };
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it('encodes what get returns, and reuses the bytes across polls that observe the same thing', async () => {
    const { service, calls, read } = detailServiceOver([registryRecord('env-a')]);
    close = () => service.close();
    const first = await read(alice, 'env-a');
    expect(first.bytes).toEqual(
      new Uint8Array(Buffer.from(JSON.stringify(await service.get(alice, 'env-a')))),
    );
    expect(first.detail).toMatchObject({ status: 'ready', progress: { phase: 'complete' } });
    service.hub.invalidate('env-a');
    const again = await read(alice, 'env-a');
    // A fresh poll of the platform and the registry, the same encoded body.
    expect(calls.describe).toBe(2);
    expect(again.bytes).toBe(first.bytes);
  });

  it('keeps one body per set of rights: another user gets their own canDestroy', async () => {
    const { service, read } = detailServiceOver([registryRecord('env-a')]);
    close = () => service.close();
    const forAlice = await read(alice, 'env-a');
    const forBob = await read(bob, 'env-a');
    expect(forAlice.detail.permissions).toEqual({ canDestroy: true, canRetry: false });
    expect(forBob.detail.permissions.canDestroy).toBe(false);
    expect(forBob.detail.permissions.destroyBlockedReason).toContain('only its owner (alice)');
    expect((await read(alice, 'env-a')).bytes).toBe(forAlice.bytes);
    expect((await read(bob, 'env-a')).bytes).toBe(forBob.bytes);
  });

  it('reflects a destroy, and a registry write alone, on the next read', async () => {
    const { service, registry, read, snapshots } = detailServiceOver([
      registryRecord('env-a'),
      registryRecord('env-b'),
      registryRecord('env-c'),
    ]);
    close = () => service.close();
    await registry.list();
    const before = await read(alice, 'env-a');
    await service.destroy(alice, 'env-a');
    const after = await read(alice, 'env-a');
    expect(after.bytes).not.toBe(before.bytes);
    expect(after.detail).toMatchObject({
      status: 'destroying',
      progress: { phase: 'destroying' },
      permissions: { canDestroy: false },
    });

    // Same platform snapshot and rights, newer record: the body follows the record.
    const ready = await read(alice, 'env-b');
    await registry.updateStatus({
      environmentSuffix: 'env-b',
      status: 'ready',
      statusReason: 'checked by an admin',
      expectedVersion: 1,
    });
    service.hub.invalidate('env-b');
    const annotated = await read(alice, 'env-b');
    expect(ready.detail.statusReason).toBeUndefined();
    expect(annotated.detail).toMatchObject({ status: 'ready', statusReason: 'checked by an admin' });
    expect(annotated.detail.permissions).toEqual(ready.detail.permissions);

    // Same record, a new platform snapshot (the stack moved on): the body follows the platform.
    const settled = await read(alice, 'env-c');
    const moved = snapshotIn('complete', 'env-c');
    const [first] = moved.events;
    if (first === undefined) throw new Error('snapshotIn has an event');
    snapshots.set('env-c', { ...moved, events: [first, { ...first, eventId: 'later' }] });
    service.hub.invalidate('env-c');
    const later = await read(alice, 'env-c');
    expect(settled.detail.events.map((e) => e.eventId)).toEqual(['sep-env-c-environment-complete']);
    expect(later.detail.events.map((e) => e.eventId)).toEqual(['sep-env-c-environment-complete', 'later']);
  });

  it('keeps the encoded bodies within its byte budget, dropping the least recently read', async () => {
    const { service, read } = detailServiceOver([registryRecord('env-a'), registryRecord('env-b')], {
      detailBodyCacheBytes: 1.5 * Buffer.byteLength(JSON.stringify(await detailOf('env-a'))),
    });
    close = () => service.close();
    const a = await read(alice, 'env-a');
    expect((await read(alice, 'env-a')).bytes).toBe(a.bytes);
    await read(alice, 'env-b');
    const rebuilt = await read(alice, 'env-a');
    expect(rebuilt.bytes).not.toBe(a.bytes);
    expect(rebuilt.bytes).toEqual(a.bytes);
  });
});

async function detailOf(suffix: string): Promise<EnvironmentDetail> {
  const { service } = detailServiceOver([registryRecord(suffix)]);
  try {
    return await service.get(alice, suffix);
  } finally {
    service.close();
  }
}

describe('EnvironmentService.retry', () => {
  const bob: User = { id: 'bob', name: 'Bob', roles: ['engineer'] };
  const dave: User = { id: 'dave', name: 'Dave', roles: ['admin'] };

  function retryServiceOver(record: EnvironmentRecord, options: { rolledBack?: boolean } = {}) {
    const { store } = fakeRegistry([record]);
    const registry = new CachedRegistry(store, 60_000);
    const provisioned: string[] = [];
    const recreated: string[] = [];
    const audited: { actor: string; action: string; outcome: string }[] = [];
    const platform = {
      mode: 'aws',
      simulated: false,
      describe: async () => ({
        ...snapshotIn('failed', record.environmentSuffix),
        ...(options.rolledBack ? { replaceable: true } : {}),
      }),
      provision: async ({ record: target }: { record: EnvironmentRecord }) => {
        provisioned.push(target.environmentSuffix);
      },
      deployingExecution: async () => undefined,
      recreate: async ({ record: target }: { record: EnvironmentRecord }) => {
        recreated.push(target.environmentSuffix);
      },
    } as unknown as PlatformPort;
    const audit = {
      record: async (entry: { actor: string; action: string; outcome: string }) => {
        audited.push({ actor: entry.actor, action: entry.action, outcome: entry.outcome });
      },
    } as unknown as AuditStore;
    const service = new EnvironmentService({
      registry,
      platform,
      audit,
      pollIntervalMs: 60_000,
      console: { region: 'us-east-1', pipelineName: 'sep-delivery' },
    });
    return { service, provisioned, recreated, audited };
  }

  const failed = (reason: string): EnvironmentRecord => ({
    ...registryRecord('env-f'),
    status: 'failed',
    statusReason: reason,
  });

  it('re-runs a failed deployment through the platform for its owner, audited, and offers it in the view', async () => {
    const { service, provisioned, audited } = retryServiceOver(failed('WebAcl (AWS::WAFv2::WebACL) failed'));
    try {
      const detail = await service.retry(alice, 'env-f');
      expect(provisioned).toEqual(['env-f']);
      expect(audited).toEqual([
        { actor: 'alice', action: 'environment.retry-requested', outcome: 'success' },
      ]);
      expect(detail.permissions.canRetry).toBe(true);
      expect(detail.links?.stack).toContain('#/stacks/stackinfo?stackId=sep-env-f-environment');
      expect(detail.links?.pipelineExecutions).toContain('/pipelines/sep-delivery/executions');
    } finally {
      service.close();
    }
  });

  it('recreates a stack left in ROLLBACK_COMPLETE instead of deploying onto it (CloudFormation refuses that)', async () => {
    const { service, provisioned, recreated, audited } = retryServiceOver(failed('WebAcl failed'), {
      rolledBack: true,
    });
    try {
      await service.retry(alice, 'env-f');
      // (The reconciler's own poll may recreate again here: this fake platform never changes the entry.)
      expect(recreated).toContain('env-f');
      expect(provisioned).toEqual([]);
      expect(audited).toContainEqual({
        actor: 'alice',
        action: 'environment.retry-requested',
        outcome: 'success',
      });
    } finally {
      service.close();
    }
  });

  it('refuses another engineer (403, audited as denied), a teardown failure and a healthy environment (409)', async () => {
    const { service, provisioned, audited } = retryServiceOver(failed('WebAcl failed'));
    try {
      await expect(service.retry(bob, 'env-f')).rejects.toMatchObject({ code: 'forbidden' });
      expect(audited).toEqual([{ actor: 'bob', action: 'environment.retry-requested', outcome: 'denied' }]);
      expect((await service.get(bob, 'env-f')).permissions.canRetry).toBe(false);
      expect((await service.get(dave, 'env-f')).permissions.canRetry).toBe(true);
    } finally {
      service.close();
    }
    const teardown = retryServiceOver(failed('teardown failed: DELETE_FAILED on DataBucket'));
    try {
      await expect(teardown.service.retry(alice, 'env-f')).rejects.toMatchObject({ code: 'conflict' });
    } finally {
      teardown.service.close();
    }
    const ready = retryServiceOver(registryRecord('env-f'));
    try {
      await expect(ready.service.retry(alice, 'env-f')).rejects.toMatchObject({ code: 'conflict' });
    } finally {
      ready.service.close();
    }
    expect(provisioned).toEqual([]);
  });
});
