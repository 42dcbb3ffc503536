import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EnvironmentSpecInput, parseEnvironmentSpec } from '@sep/infra/spec';
import {
  createLocalDynamoClient,
  createRegistryTable,
  DynamoDbEnvironmentRegistry,
  type EnvironmentRecord,
  type LocalDynamo,
  startLocalDynamo,
} from '@sep/pipeline/registry';
import type { DeploymentSnapshot } from '../port';
import { LocalPlatform } from './local-platform';

const FIXTURE_REPO = path.join(__dirname, 'fixtures', 'repo');

function spec(overrides: Partial<EnvironmentSpecInput> = {}) {
  const parsed = parseEnvironmentSpec({
    environmentSuffix: 'pr-101',
    kind: 'ephemeral',
    owner: 'alice',
    project: 'payments',
    costCenter: 'CC-1',
    ...overrides,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

describe('LocalPlatform (fixture synth, simulated rollout)', () => {
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;
  let registry: DynamoDbEnvironmentRegistry;
  let dataDir: string;
  let now: number;
  const clock = () => new Date(now);
  const platform = () =>
    new LocalPlatform({ registry, dataDir, repoRoot: FIXTURE_REPO, speedFactor: 1, clock });

  async function register(overrides: Partial<EnvironmentSpecInput> = {}): Promise<EnvironmentRecord> {
    return registry.register({ spec: spec(overrides), requestedBy: 'alice' });
  }

  async function untilSynthesized(p: LocalPlatform, record: EnvironmentRecord): Promise<DeploymentSnapshot> {
    for (let i = 0; i < 300; i += 1) {
      const snapshot = await p.describe({ record });
      if (snapshot.progress.phase !== 'synthesizing') return snapshot;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('synth did not finish');
  }

  beforeAll(async () => {
    dynamo = await startLocalDynamo({});
    client = createLocalDynamoClient({ endpoint: dynamo.endpoint });
    await createRegistryTable({ client, tableName: 'registry' });
    registry = new DynamoDbEnvironmentRegistry({ tableName: 'registry', client });
  });
  afterAll(async () => {
    client.destroy();
    await dynamo.close();
  });
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sep-local-platform-'));
    now = Date.parse('2026-03-01T10:00:00.000Z');
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
    for (const record of await registry.list()) await registry.remove(record);
  });

  it('synthesizes, deploys in dependency order and reports AWS-shaped outputs', async () => {
    const p = platform();
    const record = await register();
    await p.provision({ record });
    expect((await p.describe({ record })).progress.phase).toBe('synthesizing');
    const first = await untilSynthesized(p, record);
    expect(first.progress).toMatchObject({ phase: 'deploying', resourcesDone: 0, resourcesTotal: 12 });
    expect(first.events[0]).toMatchObject({
      resourceStatus: 'CREATE_IN_PROGRESS',
      resourceStatusReason: 'User Initiated',
    });

    now += 60_000;
    const midway = await p.describe({ record });
    expect(midway.progress.phase).toBe('deploying');
    expect(midway.progress.resourcesDone).toBeGreaterThan(0);
    expect(midway.progress.resourcesDone).toBeLessThan(12);
    // The interface endpoint (75 s) cannot be complete while the VPC it needs was still being created.
    const completed = (id: string) =>
      midway.events.find((e) => e.logicalResourceId === id && e.resourceStatus === 'CREATE_COMPLETE');
    const started = (id: string) =>
      midway.events.find((e) => e.logicalResourceId === id && e.resourceStatus === 'CREATE_IN_PROGRESS');
    expect(
      started('Endpoint')?.timestamp.localeCompare(completed('Vpc')?.timestamp ?? ''),
    ).toBeGreaterThanOrEqual(0);

    now += 3_600_000;
    const done = await p.describe({ record });
    expect(done.progress).toMatchObject({
      phase: 'complete',
      resourcesDone: 12,
      resourcesTotal: 12,
      percent: 100,
    });
    expect(done.events.at(-1)).toMatchObject({
      logicalResourceId: 'sep-pr-101-environment',
      resourceStatus: 'CREATE_COMPLETE',
    });
    const outputs = Object.fromEntries(done.outputs.map((o) => [o.key, o.value]));
    expect(outputs.ApiUrl).toMatch(/^https:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com\/v1\/$/);
    expect(outputs.ApiKeyId).toMatch(/^[a-z0-9]{10}$/);
    expect(outputs.DataBucketName).toBe('sep-data-pr-101-111111111111-us-east-1');
    expect(outputs.DataKeyArn).toMatch(/^arn:aws:kms:us-east-1:111111111111:key\/[0-9a-f-]{36}$/);
    expect(done.timeline).toHaveLength(12);
    expect(done.timeline.every((entry) => entry.status === 'complete')).toBe(true);

    const compliance = await p.compliance({ record });
    expect(compliance.static).toMatchObject({
      available: true,
      totals: { rulesChecked: 70, passed: 68, suppressed: 1, errors: 0 },
    });
    expect(compliance.runtime.available).toBe(false);
    expect((await p.detectDrift({ record })).status).toBe('IN_SYNC');
  });

  it('resumes after a restart exactly where the deployment would be', async () => {
    const record = await register();
    const before = platform();
    await before.provision({ record });
    await untilSynthesized(before, record);
    now += 30_000;
    const progress = (await before.describe({ record })).progress;
    await before.close();

    const after = platform();
    expect((await after.describe({ record })).progress).toEqual(progress);
    now += 3_600_000;
    expect((await after.describe({ record })).progress.phase).toBe('complete');
  });

  it('holds a create before the first resource of the held type; a portal without the hold carries on', async () => {
    const record = await register({ environmentSuffix: 'pr-hold' });
    const held = new LocalPlatform({
      registry,
      dataDir,
      repoRoot: FIXTURE_REPO,
      speedFactor: 1,
      clock,
      holdBeforeResourceType: 'AWS::Lambda::Function',
    });
    await held.provision({ record });
    await untilSynthesized(held, record);
    // Polled every second for an hour: what runs finishes, the function never starts.
    let atHold: DeploymentSnapshot | undefined;
    for (let second = 0; second < 3600; second += 1) {
      now += 1000;
      atHold = await held.describe({ record });
    }
    const started = (snapshot: DeploymentSnapshot | undefined) =>
      (snapshot?.events ?? []).filter((e) => e.resourceType === 'AWS::Lambda::Function');
    expect(atHold?.progress.phase).toBe('deploying');
    expect(atHold?.progress.resourcesDone).toBeGreaterThan(0);
    expect(started(atHold)).toEqual([]);
    expect(atHold?.timeline.filter((entry) => entry.status === 'in-progress')).toEqual([]);
    await held.close();

    const released = platform();
    const resumed = await released.describe({ record });
    expect(resumed.progress).toEqual(atHold?.progress);
    expect(resumed.events).toEqual(atHold?.events);
    now += 3_600_000;
    const done = await released.describe({ record });
    expect(done.progress.phase).toBe('complete');
    expect(started(done).map((e) => e.resourceStatus)).toContain('CREATE_IN_PROGRESS');
    expect(started(done).at(-1)?.resourceStatus).toBe('CREATE_COMPLETE');
  });

  it('fails on an injected resource type with the resource, reason and a rollback', async () => {
    const p = platform();
    const record = await register({ project: 'payments fail=AWS::Lambda::Function' });
    await p.provision({ record });
    await untilSynthesized(p, record);
    now += 3_600_000;
    const failed = await p.describe({ record });
    expect(failed.progress.phase).toBe('failed');
    expect(failed.failure).toMatchObject({
      logicalResourceId: 'DocumentFunction',
      resourceType: 'AWS::Lambda::Function',
    });
    expect(failed.failure?.reason).toContain('injected failure');
    const statuses = failed.events.map((e) => `${e.logicalResourceId}:${e.resourceStatus}`);
    expect(statuses).toContain('DocumentFunction:CREATE_FAILED');
    expect(statuses).toContain('sep-pr-101-environment:ROLLBACK_IN_PROGRESS');
    expect(statuses.at(-1)).toBe('sep-pr-101-environment:ROLLBACK_COMPLETE');
    expect(statuses).toContain('DataBucket:DELETE_COMPLETE');
    expect(failed.outputs).toEqual([]);
  });

  it('reports a failed synth with the synth’s own message', async () => {
    const p = platform();
    const record = await register({ project: 'synth-error' });
    await p.provision({ record });
    const snapshot = await untilSynthesized(p, record);
    expect(snapshot.progress.phase).toBe('failed');
    expect(snapshot.failure?.reason).toContain('AwsSolutions-S1');
  });

  it('destroys in reverse dependency order', async () => {
    const p = platform();
    const record = await register();
    await p.provision({ record });
    await untilSynthesized(p, record);
    now += 3_600_000;
    await p.destroy({ record });
    expect((await p.describe({ record })).progress.phase).toBe('destroying');
    now += 3_600_000;
    const gone = await p.describe({ record });
    expect(gone.progress).toMatchObject({ phase: 'destroyed', resourcesDone: 12, resourcesTotal: 12 });
    const deleted = (id: string) =>
      gone.events.find((e) => e.logicalResourceId === id && e.resourceStatus === 'DELETE_COMPLETE')
        ?.timestamp ?? '';
    expect(deleted('Vpc') >= deleted('Subnet')).toBe(true);
    expect(deleted('DataKey') >= deleted('DataBucket')).toBe(true);
    expect(gone.events.at(-1)?.resourceStatus).toBe('DELETE_COMPLETE');
  });

  it('plays a finished rollout once: later reads get the same snapshot until the state changes', async () => {
    const p = platform();
    const record = await register();
    await p.provision({ record });
    await untilSynthesized(p, record);
    now += 30_000;
    const inFlight = await p.describe({ record });
    expect(inFlight.progress.phase).toBe('deploying');
    expect(await p.describe({ record })).not.toBe(inFlight);

    now += 3_600_000;
    const done = await p.describe({ record });
    expect(done.progress.phase).toBe('complete');
    now += 60_000;
    expect(await p.describe({ record })).toBe(done);
    // The memo answers only from the rollout's end on: a clock before it replays (as a restart would).
    now -= 3_660_000;
    expect((await p.describe({ record })).progress).toEqual(inFlight.progress);
    now += 3_720_000;
    expect(await p.describe({ record })).toEqual(done);

    await p.destroy({ record });
    const destroying = await p.describe({ record });
    expect(destroying.progress.phase).toBe('destroying');
    now += 3_600_000;
    const gone = await p.describe({ record });
    expect(gone.progress.phase).toBe('destroyed');
    expect(await p.describe({ record })).toBe(gone);
  });

  it('holds the prod promotion until approved, then deploys prod', async () => {
    const p = platform();
    const staging = await register({
      environmentSuffix: 'staging',
      kind: 'staging',
      alertEmails: ['ops@example.com'],
    });
    const prod = await register({
      environmentSuffix: 'prod',
      kind: 'prod',
      alertEmails: ['ops@example.com'],
    });
    await expect(p.decidePromotion({ decision: 'approve', comment: '', actor: 'carol' })).rejects.toThrow(
      'no promotion',
    );
    await p.provision({ record: staging });
    await untilSynthesized(p, staging);
    expect((await p.pipeline()).pendingPromotion).toBeUndefined();
    now += 3_600_000;
    const waiting = await p.pipeline();
    expect(waiting.pendingPromotion).toMatchObject({
      stageName: 'PromoteToProd',
      actionName: 'PromoteToProd',
    });
    expect(waiting.stages.find((s) => s.name === 'Prod')?.status).toBe('NotStarted');

    await p.decidePromotion({ decision: 'approve', comment: 'release 42', actor: 'carol' });
    const approved = await p.pipeline();
    expect(approved.pendingPromotion).toBeUndefined();
    expect(approved.stages.find((s) => s.name === 'PromoteToProd')?.actions[0]?.summary).toContain(
      'approved by carol',
    );
    await untilSynthesized(p, prod);
    now += 3_600_000;
    expect((await p.describe({ record: prod })).progress.phase).toBe('complete');
    expect((await p.pipeline()).stages.find((s) => s.name === 'Prod')?.status).toBe('Succeeded');
  });
});
