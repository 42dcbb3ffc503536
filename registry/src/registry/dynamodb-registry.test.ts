import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type EnvironmentSpec, parseEnvironmentSpec } from '@sep/spec';
import { DynamoDbEnvironmentRegistry } from './dynamodb-registry';
import {
  EnvironmentNotFoundError,
  InvalidEnvironmentRecordError,
  InvalidEnvironmentSpecError,
  SuffixTakenError,
  VersionConflictError,
} from './errors';
import {
  createLocalDynamoClient,
  createRegistryTable,
  type LocalDynamo,
  startLocalDynamo,
} from './local-dynamo';
import type { InvalidRegistryEntry } from './records';

function spec(overrides: Record<string, unknown> = {}): EnvironmentSpec {
  const parsed = parseEnvironmentSpec({
    environmentSuffix: 'pr-101',
    kind: 'ephemeral',
    owner: 'alice@example.com',
    project: 'payments',
    costCenter: 'cc-1234',
    ...overrides,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

let local: LocalDynamo;
let client: DynamoDBClient;
let tableCounter = 0;

beforeAll(async () => {
  local = await startLocalDynamo({});
  client = createLocalDynamoClient({ endpoint: local.endpoint });
});

afterAll(async () => {
  client.destroy();
  await local.close();
});

/** A fresh table per test: tests never see each other's records. */
async function freshRegistry(onInvalidEntry?: (entry: InvalidRegistryEntry) => void) {
  tableCounter += 1;
  const tableName = `registry-${tableCounter}`;
  await createRegistryTable({ client, tableName });
  return {
    tableName,
    registry: new DynamoDbEnvironmentRegistry({
      tableName,
      client,
      onInvalidEntry: onInvalidEntry ?? (() => undefined),
      pageSize: 3,
    }),
  };
}

const NOW = new Date('2026-11-23T10:00:00.000Z');

describe('register', () => {
  it('stores a validated record with version 1 and an expiry from the TTL', async () => {
    const { registry } = await freshRegistry();
    const record = await registry.register({ spec: spec({ ttlHours: 4 }), requestedBy: 'alice', now: NOW });
    expect(record).toMatchObject({
      environmentSuffix: 'pr-101',
      status: 'requested',
      requestedBy: 'alice',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      expiresAt: '2026-11-23T14:00:00.000Z',
      version: 1,
    });
    await expect(registry.get({ environmentSuffix: 'pr-101' })).resolves.toEqual(record);
  });

  it('gives persistent environments no expiry', async () => {
    const { registry } = await freshRegistry();
    const record = await registry.register({
      spec: spec({ environmentSuffix: 'staging', kind: 'staging', alertEmails: ['ops@example.com'] }),
      requestedBy: 'admin',
      now: NOW,
    });
    expect(record.expiresAt).toBeUndefined();
    expect((await registry.get({ environmentSuffix: 'staging' }))?.spec.kind).toBe('staging');
  });

  it('refuses a second registration of a suffix', async () => {
    const { registry } = await freshRegistry();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await expect(registry.register({ spec: spec(), requestedBy: 'bob' })).rejects.toBeInstanceOf(
      SuffixTakenError,
    );
    expect((await registry.get({ environmentSuffix: 'pr-101' }))?.requestedBy).toBe('alice');
  });

  it('leaves exactly one entry when 20 requests race for one suffix', async () => {
    const { registry } = await freshRegistry();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        registry.register({ spec: spec({ environmentSuffix: 'race' }), requestedBy: `user-${index}` }),
      ),
    );
    const winners = results.filter((result) => result.status === 'fulfilled');
    const losers = results.filter((result) => result.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const loser of losers) expect(loser.reason).toBeInstanceOf(SuffixTakenError);
    const all = await registry.list();
    expect(all).toHaveLength(1);
    const winner = results.find((result) => result.status === 'fulfilled');
    expect(all[0]?.requestedBy).toBe(winner?.value.requestedBy);
  });

  it('writes nothing for a spec that fails the shared schema', async () => {
    const { registry } = await freshRegistry();
    const bad = { ...spec(), environmentSuffix: 'Bad_Suffix' } as EnvironmentSpec;
    const error = await registry.register({ spec: bad, requestedBy: 'alice' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEnvironmentSpecError);
    expect((error as InvalidEnvironmentSpecError).errors[0]?.path).toBe('environmentSuffix');
    await expect(registry.list()).resolves.toEqual([]);
  });
});

describe('updateStatus', () => {
  it('bumps the version, sets and clears the reason', async () => {
    const { registry } = await freshRegistry();
    await registry.register({ spec: spec(), requestedBy: 'alice', now: NOW });
    const later = new Date(NOW.getTime() + 60_000);
    const failed = await registry.updateStatus({
      environmentSuffix: 'pr-101',
      status: 'failed',
      statusReason: 'CREATE_FAILED: bucket',
      expectedVersion: 1,
      now: later,
    });
    expect(failed).toMatchObject({ status: 'failed', statusReason: 'CREATE_FAILED: bucket', version: 2 });
    expect(failed.updatedAt).toBe(later.toISOString());
    expect(failed.createdAt).toBe(NOW.toISOString());
    const deploying = await registry.updateStatus({ environmentSuffix: 'pr-101', status: 'deploying' });
    expect(deploying.version).toBe(3);
    expect(deploying.statusReason).toBeUndefined();
  });

  it('rejects a stale version with the actual one, and changes nothing', async () => {
    const { registry } = await freshRegistry();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.updateStatus({ environmentSuffix: 'pr-101', status: 'deploying', expectedVersion: 1 });
    const error = await registry
      .updateStatus({ environmentSuffix: 'pr-101', status: 'ready', expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(error).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    expect((await registry.get({ environmentSuffix: 'pr-101' }))?.status).toBe('deploying');
  });

  it('lets exactly one of two concurrent writers at the same version win', async () => {
    const { registry } = await freshRegistry();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    const results = await Promise.allSettled([
      registry.updateStatus({ environmentSuffix: 'pr-101', status: 'destroying', expectedVersion: 1 }),
      registry.updateStatus({ environmentSuffix: 'pr-101', status: 'deploying', expectedVersion: 1 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(VersionConflictError);
  });

  it('reports an unknown suffix as not found and creates nothing', async () => {
    const { registry } = await freshRegistry();
    await expect(
      registry.updateStatus({ environmentSuffix: 'ghost', status: 'ready' }),
    ).rejects.toBeInstanceOf(EnvironmentNotFoundError);
    await expect(registry.get({ environmentSuffix: 'ghost' })).resolves.toBeUndefined();
  });
});

describe('remove', () => {
  it('deletes the entry and is idempotent', async () => {
    const { registry } = await freshRegistry();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.remove({ environmentSuffix: 'pr-101' });
    await registry.remove({ environmentSuffix: 'pr-101' });
    await expect(registry.get({ environmentSuffix: 'pr-101' })).resolves.toBeUndefined();
    // The suffix is free again once removed.
    await expect(registry.register({ spec: spec(), requestedBy: 'bob' })).resolves.toMatchObject({
      version: 1,
    });
  });

  it('keeps an entry that changed since the caller read it', async () => {
    const { registry } = await freshRegistry();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.updateStatus({ environmentSuffix: 'pr-101', status: 'deploying' });
    await expect(registry.remove({ environmentSuffix: 'pr-101', expectedVersion: 1 })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    await expect(registry.get({ environmentSuffix: 'pr-101' })).resolves.toBeDefined();
  });
});

describe('list and listExpired', () => {
  it('pages through every record and filters by status', async () => {
    const { registry } = await freshRegistry();
    const suffixes = Array.from({ length: 11 }, (_, index) => `env-${String(index).padStart(2, '0')}`);
    await Promise.all(
      suffixes.map((environmentSuffix) =>
        registry.register({ spec: spec({ environmentSuffix }), requestedBy: 'a' }),
      ),
    );
    await registry.updateStatus({ environmentSuffix: 'env-03', status: 'ready' });
    await registry.updateStatus({ environmentSuffix: 'env-07', status: 'ready' });
    // pageSize 3 forces four Scan pages.
    expect((await registry.list()).map((r) => r.environmentSuffix)).toEqual(suffixes);
    expect((await registry.list({ status: 'ready' })).map((r) => r.environmentSuffix)).toEqual([
      'env-03',
      'env-07',
    ]);
  });

  it('returns ephemeral records past their expiry that are not yet destroyed', async () => {
    const { registry } = await freshRegistry();
    const hourAgo = new Date(NOW.getTime() - 3_600_000);
    await registry.register({
      spec: spec({ environmentSuffix: 'old', ttlHours: 1 }),
      requestedBy: 'a',
      now: hourAgo,
    });
    await registry.register({
      spec: spec({ environmentSuffix: 'young', ttlHours: 2 }),
      requestedBy: 'a',
      now: hourAgo,
    });
    await registry.register({
      spec: spec({ environmentSuffix: 'gone', ttlHours: 1 }),
      requestedBy: 'a',
      now: hourAgo,
    });
    await registry.updateStatus({ environmentSuffix: 'gone', status: 'destroyed' });
    await registry.register({
      spec: spec({ environmentSuffix: 'staging', kind: 'staging', alertEmails: ['ops@example.com'] }),
      requestedBy: 'a',
      now: new Date('2020-01-01T00:00:00.000Z'),
    });
    expect((await registry.listExpired({ now: NOW })).map((r) => r.environmentSuffix)).toEqual(['old']);
    expect(
      (await registry.listExpired({ now: new Date(NOW.getTime() + 3_600_000) })).map(
        (r) => r.environmentSuffix,
      ),
    ).toEqual(['old', 'young']);
  });

  it('reports invalid stored entries by suffix and skips them', async () => {
    const reported: InvalidRegistryEntry[] = [];
    const { registry, tableName } = await freshRegistry((entry) => reported.push(entry));
    await registry.register({ spec: spec({ environmentSuffix: 'good' }), requestedBy: 'a' });
    // An entry written around the module (hand edit, older schema): bad region inside the spec.
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          environmentSuffix: { S: 'tampered' },
          spec: {
            M: {
              environmentSuffix: { S: 'tampered' },
              kind: { S: 'ephemeral' },
              owner: { S: 'x' },
              project: { S: 'y' },
              costCenter: { S: 'z' },
              region: { S: 'mars-north-1' },
            },
          },
          status: { S: 'ready' },
          requestedBy: { S: 'a' },
          createdAt: { S: NOW.toISOString() },
          updatedAt: { S: NOW.toISOString() },
          version: { N: '1' },
        },
      }),
    );
    expect((await registry.list()).map((r) => r.environmentSuffix)).toEqual(['good']);
    expect(reported).toHaveLength(1);
    expect(reported[0]?.environmentSuffix).toBe('tampered');
    expect(reported[0]?.errors[0]?.path).toBe('spec.region');
    const snapshot = await registry.snapshot();
    expect(snapshot.invalid.map((entry) => entry.environmentSuffix)).toEqual(['tampered']);
    await expect(registry.get({ environmentSuffix: 'tampered' })).rejects.toBeInstanceOf(
      InvalidEnvironmentRecordError,
    );
  });
});

describe('startLocalDynamo', () => {
  it('persists records in dataDir across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sep-registry-'));
    try {
      const first = await startLocalDynamo({ dataDir });
      const firstClient = createLocalDynamoClient({ endpoint: first.endpoint });
      await createRegistryTable({ client: firstClient, tableName: 'persisted' });
      await new DynamoDbEnvironmentRegistry({ tableName: 'persisted', client: firstClient }).register({
        spec: spec({ environmentSuffix: 'kept' }),
        requestedBy: 'alice',
      });
      firstClient.destroy();
      await first.close();

      const second = await startLocalDynamo({ dataDir });
      const secondClient = createLocalDynamoClient({ endpoint: second.endpoint });
      // Creating the table again is a no-op on an existing store.
      await createRegistryTable({ client: secondClient, tableName: 'persisted' });
      const record = await new DynamoDbEnvironmentRegistry({
        tableName: 'persisted',
        client: secondClient,
      }).get({
        environmentSuffix: 'kept',
      });
      secondClient.destroy();
      await second.close();
      expect(record?.requestedBy).toBe('alice');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
