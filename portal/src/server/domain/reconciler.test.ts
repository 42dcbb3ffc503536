import type { EnvironmentRecord } from '@sep/registry';
import { localRegistryStore } from '@sep/registry/testing';
import { parseEnvironmentSpec } from '@sep/spec';
import type { AuditStore, RecordAuditOptions } from '../audit/audit-store';
import { type DeploymentSnapshot, type PlatformPort, UpstreamError } from '../platform/port';
import { EnvironmentService } from './environment-service';
import type { DeploymentPhase } from './types';

const store = localRegistryStore({ tablePrefix: 'reconciler' });
const services: EnvironmentService[] = [];
afterEach(() => {
  for (const service of services.splice(0)) service.close();
});

function spec(environmentSuffix: string, kind: 'ephemeral' | 'prod' = 'ephemeral') {
  const parsed = parseEnvironmentSpec({
    environmentSuffix,
    kind,
    owner: 'alice',
    project: 'p',
    costCenter: 'c',
    ...(kind === 'prod' ? { alertEmails: ['a@example.com'] } : {}),
  });
  if (!parsed.success) throw new Error('bad spec');
  return parsed.spec;
}

function snapshot(suffix: string, phase: DeploymentPhase): DeploymentSnapshot {
  return {
    stackName: `sep-${suffix}-environment`,
    progress: { phase, resourcesDone: 0, resourcesTotal: 0, percent: phase === 'complete' ? 100 : 0 },
    events: [],
    timeline: [],
    outputs: [],
  };
}

/**
 * A platform that deploys what it was asked to provision (queued until then, complete after), whose
 * provision fails `failures` times first; and an audit trail in memory.
 */
async function portal(
  options: {
    failures?: number;
    phaseOf?: (suffix: string) => DeploymentPhase;
    /** The environments pipeline's execution deploying stacks now, if any. */
    deploying?: () => string | undefined;
    /** Deployed but not smoke-tested (the snapshot's `untested`), by suffix. */
    untested?: (suffix: string) => string | undefined;
  } = {},
) {
  const { registry } = await store.freshRegistry();
  const provisioned: string[] = [];
  const retests: string[] = [];
  let failures = options.failures ?? 0;
  const platform = {
    mode: 'local',
    simulated: true,
    provision: async ({ record, retest }: { record: EnvironmentRecord; retest?: boolean }) => {
      if (retest) retests.push(record.environmentSuffix);
      if (failures > 0) {
        failures -= 1;
        throw new UpstreamError('the pipeline state file is corrupt');
      }
      provisioned.push(record.environmentSuffix);
    },
    deployingExecution: async () => options.deploying?.(),
    describe: async ({ record }: { record: EnvironmentRecord }) => {
      const suffix = record.environmentSuffix;
      const phase =
        options.phaseOf?.(suffix) ?? (provisioned.includes(suffix) ? 'complete' : ('queued' as const));
      const untested = options.untested?.(suffix);
      return untested === undefined
        ? snapshot(suffix, phase)
        : { ...snapshot(suffix, 'deploying'), untested };
    },
  } as unknown as PlatformPort;
  const audited: RecordAuditOptions[] = [];
  const audit = {
    record: async (entry: RecordAuditOptions) => {
      audited.push(entry);
    },
  } as unknown as AuditStore;
  const service = new EnvironmentService({ registry, platform, audit, pollIntervalMs: 10 });
  services.push(service);
  return { service, registry, provisioned, retests, audited };
}

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the reconciler drives provisioning from the registry', () => {
  it('provisions an entry registered before a crash (never provisioned), at start, without any request', async () => {
    const { service, registry, provisioned, audited } = await portal();
    await registry.register({ spec: spec('pr-1'), requestedBy: 'alice' });

    await expect(service.start()).resolves.toBe(1);

    await until(async () => (await registry.get({ environmentSuffix: 'pr-1' }))?.status === 'ready', 'ready');
    expect(provisioned).toEqual(['pr-1']);
    expect(audited.map((entry) => `${entry.actor} ${entry.details?.to}`)).toEqual([
      'system synthesizing',
      'system deploying',
      'system ready',
    ]);
  });

  it('retries a provision that fails until it succeeds: the entry never stays requested for good', async () => {
    const { service, registry, provisioned } = await portal({ failures: 2 });

    const detail = await service.request(
      { id: 'alice', name: 'Alice', roles: ['engineer'] },
      {
        environmentSuffix: 'pr-2',
        kind: 'ephemeral',
        project: 'p',
        costCenter: 'c',
      },
    );

    // Accepted although the platform failed: registered, tracked, retried.
    expect(detail.status).toBe('requested');
    await until(async () => (await registry.get({ environmentSuffix: 'pr-2' }))?.status === 'ready', 'ready');
    expect(provisioned).toEqual(['pr-2']);
  });

  it('holds a provision while a pipeline execution deploys, and provisions it once that execution ends', async () => {
    // A run started now would self-mutate the pipeline and cancel the execution deploying other stacks.
    let deploying: string | undefined = 'exec-1';
    const { service, registry, provisioned } = await portal({ deploying: () => deploying });
    await service.request(
      { id: 'alice', name: 'Alice', roles: ['engineer'] },
      { environmentSuffix: 'pr-held', kind: 'ephemeral', project: 'p', costCenter: 'c' },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(provisioned).toEqual([]);
    expect((await registry.get({ environmentSuffix: 'pr-held' }))?.status).toBe('requested');
    deploying = undefined;
    await until(() => provisioned.includes('pr-held'), 'the held provision to run');
    expect(provisioned).toEqual(['pr-held']);
  });

  it('gives an environment its execution never smoke-tested one more run, then fails it with the reason', async () => {
    const reason = "deployed, but the pipeline stopped before this environment's smoke test: pr-8 failed";
    const { service, registry, provisioned, retests } = await portal({
      untested: (suffix) => (suffix === 'pr-untested' ? reason : undefined),
    });
    await service.request(
      { id: 'alice', name: 'Alice', roles: ['engineer'] },
      { environmentSuffix: 'pr-untested', kind: 'ephemeral', project: 'p', costCenter: 'c' },
    );
    await until(
      async () => (await registry.get({ environmentSuffix: 'pr-untested' }))?.status === 'failed',
      'failed',
    );
    // The request's run, then one more to test it; none after that.
    expect(provisioned).toEqual(['pr-untested', 'pr-untested']);
    // The second keeps the environment's place: it is not requested afresh.
    expect(retests).toEqual(['pr-untested']);
    expect((await registry.get({ environmentSuffix: 'pr-untested' }))?.statusReason).toContain(reason);
    // A later poll of the failed entry does not take the platform's "deploying" back.
    await service.reconciler.step('pr-untested');
    expect((await registry.get({ environmentSuffix: 'pr-untested' }))?.status).toBe('failed');
    expect(provisioned).toHaveLength(2);
  });

  it('leaves the seeded prod waiting for its promotion', async () => {
    const { service, registry, provisioned } = await portal();
    await registry.register({ spec: spec('prod', 'prod'), requestedBy: 'system' });
    await service.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(provisioned).toEqual([]);
    expect((await registry.get({ environmentSuffix: 'prod' }))?.status).toBe('requested');
  });
});

describe('reads never write', () => {
  it('a read of an environment the reconciler does not track shows the platform and writes nothing', async () => {
    const { service, registry, audited } = await portal({ phaseOf: () => 'failed' });
    const record = await registry.register({ spec: spec('pr-3'), requestedBy: 'alice' });
    await registry.updateStatus({ environmentSuffix: 'pr-3', status: 'synthesizing', expectedVersion: 1 });
    const ready = await registry.updateStatus({
      environmentSuffix: 'pr-3',
      status: 'deploying',
      expectedVersion: 2,
    });
    const settled = await registry.updateStatus({
      environmentSuffix: 'pr-3',
      status: 'ready',
      expectedVersion: ready.version,
    });

    const detail = await service.get({ id: 'alice', name: 'Alice', roles: ['engineer'] }, 'pr-3');

    expect(detail).toMatchObject({ status: 'ready', progress: { phase: 'failed' } });
    expect(await registry.get(record)).toMatchObject({ status: 'ready', version: settled.version });
    expect(audited).toEqual([]);
  });
});

describe('requests are audited before their effect, allowed or refused', () => {
  const bob = { id: 'bob', name: 'Bob', roles: ['engineer' as const] };
  const body = (environmentSuffix: string, kind = 'ephemeral') => ({
    environmentSuffix,
    kind,
    project: 'p',
    costCenter: 'c',
    alertEmails: ['a@example.com'],
  });

  it('audits a refused kind and a taken suffix as denied, and registers nothing for them', async () => {
    const { service, registry, audited } = await portal();
    await expect(service.request(bob, body('stg-1', 'staging'))).rejects.toMatchObject({ code: 'forbidden' });
    await service.request(bob, body('pr-1'));
    await expect(service.request(bob, body('pr-1'))).rejects.toMatchObject({ code: 'suffix_taken' });
    const requests = () =>
      audited
        .filter((entry) => entry.action === 'environment.requested')
        .map((entry) => `${entry.target} ${entry.outcome}`);
    expect(requests()).toEqual(['stg-1 denied', 'pr-1 success', 'pr-1 denied']);
    await expect(registry.get({ environmentSuffix: 'stg-1' })).resolves.toBeUndefined();
  });

  it('answers 429 beyond the requests a user may make per minute', async () => {
    const { registry } = await portal();
    const audited: RecordAuditOptions[] = [];
    const limited = new EnvironmentService({
      registry,
      platform: {
        mode: 'local',
        simulated: true,
        provision: async () => {},
        deployingExecution: async () => undefined,
        describe: async ({ record }: { record: EnvironmentRecord }) =>
          snapshot(record.environmentSuffix, 'queued'),
      } as unknown as PlatformPort,
      audit: {
        record: async (entry: RecordAuditOptions) => void audited.push(entry),
      } as unknown as AuditStore,
      pollIntervalMs: 60_000,
      limits: { activeEphemeralPerUser: 10, createsPerMinutePerUser: 2, streamsPerUser: 1, streamsTotal: 1 },
    });
    services.push(limited);
    await limited.request(bob, body('pr-a'));
    await limited.request(bob, body('pr-b'));
    await expect(limited.request(bob, body('pr-c'))).rejects.toMatchObject({ code: 'rate_limited' });
    expect(audited.at(-1)).toMatchObject({ actor: 'bob', target: 'pr-c', outcome: 'denied' });
    await expect(registry.get({ environmentSuffix: 'pr-c' })).resolves.toBeUndefined();
    const release = limited.openStream(bob);
    expect(() => limited.openStream(bob)).toThrow(/event streams/);
    release();
    expect(() => limited.openStream(bob)()).not.toThrow();
  });
});
