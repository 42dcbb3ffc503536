import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { EnvironmentRecord } from '@sep/registry';
import { localRegistryStore } from '@sep/registry/testing';
import { type EnvironmentSpecInput, parseEnvironmentSpec } from '@sep/spec';
import type { DeploymentSnapshot } from '../port';
import { LocalPlatform } from './local-platform';
import { planCreate, planDelete } from './rollout';
import { playRollout } from './rollout-playback';
import { type CfnTemplate, resourceGraph } from './template';
import { TemplateResolver } from './template-resolver';

// Local mode as it runs: the real pipeline app synthesized by the synth step's own commands (read from the
// deployed pipeline's buildspec) against the embedded DynamoDB and a local S3, then the synthesized
// CodePipeline played. One platform, one registry, one sequence: synthesis is the expensive part.

const repoRoot = path.resolve(__dirname, '../../../../..');
// A pipeline run synthesizes the pipeline app through the CDK CLI: tens of seconds on a busy 2-core machine.
jest.setTimeout(600_000);
const { freshRegistry } = localRegistryStore({ tablePrefix: 'local-platform' });

function spec(input: Partial<EnvironmentSpecInput> & { environmentSuffix: string }) {
  const parsed = parseEnvironmentSpec({
    kind: 'ephemeral',
    owner: 'alice',
    project: 'payments',
    costCenter: 'CC-1',
    ...input,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

let platform: LocalPlatform;
let dataDir: string;
let records: Record<string, EnvironmentRecord>;
let registry: Awaited<ReturnType<typeof freshRegistry>>['registry'];

async function until(
  record: EnvironmentRecord,
  done: (snapshot: DeploymentSnapshot) => boolean,
): Promise<DeploymentSnapshot> {
  const deadline = Date.now() + 480_000;
  let last: DeploymentSnapshot | undefined;
  while (Date.now() < deadline) {
    last = await platform.describe({ record });
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${record.environmentSuffix} never got there; last: ${JSON.stringify(last?.progress)} ${JSON.stringify(last?.failure)}`,
  );
}
const settled = (snapshot: DeploymentSnapshot) =>
  snapshot.progress.phase === 'complete' || snapshot.progress.phase === 'failed';

beforeAll(async () => {
  const fresh = await freshRegistry();
  registry = fresh.registry;
  const { tableName, dynamo, endpoint } = fresh;
  dataDir = await mkdtemp(path.join(tmpdir(), 'sep-local-platform-'));
  records = {};
  for (const input of [
    { environmentSuffix: 'pr-a' },
    { environmentSuffix: 'prod', kind: 'prod' as const, alertEmails: ['platform@example.com'] },
  ]) {
    const record = await registry.register({ spec: spec(input), requestedBy: 'alice' });
    records[record.environmentSuffix] = record;
  }
  // An entry that no longer validates (written by an older portal): the synth must skip it, by suffix.
  await dynamo.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        environmentSuffix: { S: 'pr-broken' },
        spec: { M: { environmentSuffix: { S: 'pr-broken' }, kind: { S: 'nope' } } },
        status: { S: 'requested' },
        requestedBy: { S: 'alice' },
        createdAt: { S: '2026-12-01T00:00:00.000Z' },
        updatedAt: { S: '2026-12-01T00:00:00.000Z' },
        version: { N: '1' },
      },
    }),
  );
  platform = new LocalPlatform({
    registry,
    registryStore: { endpoint, tableName },
    dataDir,
    repoRoot,
    speedFactor: 200,
  });
  await platform.provision({ record: records['pr-a'] as EnvironmentRecord });
  await until(records['pr-a'] as EnvironmentRecord, settled);
}, 600_000);

afterAll(async () => {
  // Closing stops the work in flight (a source snapshot, a synth) and waits for it: nothing writes after.
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface StoredState {
  readonly executions: {
    readonly trigger: string;
    readonly status: string;
    readonly startedAt: string;
    readonly build?: {
      readonly assemblyDir: string;
      readonly skipped: { environmentSuffix: string; reason: string }[];
    };
  }[];
}
/** Every execution of both pipelines, as persisted. */
function storedState(): StoredState {
  const executions = ['sep-delivery', 'sep-delivery-release']
    .flatMap(
      (name) =>
        (JSON.parse(readFileSync(path.join(dataDir, 'pipeline', name, 'state.json'), 'utf8')) as StoredState)
          .executions,
    )
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return { executions };
}

/** The cloud assembly the newest Build of the local pipeline wrote (or reused). */
function latestAssembly(): string {
  const assembly = storedState().executions.findLast((execution) => execution.build !== undefined)?.build
    ?.assemblyDir;
  if (assembly === undefined) throw new Error('no Build has run');
  return assembly;
}

async function untilPipeline(done: (view: Awaited<ReturnType<LocalPlatform['pipeline']>>) => boolean) {
  const deadline = Date.now() + 480_000;
  while (Date.now() < deadline) {
    const view = await platform.pipeline();
    if (done(view)) return view;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the pipeline never got there');
}

describe('LocalPlatform: local mode plays the synthesized pipeline', () => {
  it('deploys a requested environment through the pipeline to ready, with AWS-shaped outputs', async () => {
    const snapshot = await platform.describe({ record: records['pr-a'] as EnvironmentRecord });
    expect(snapshot.failure).toBeUndefined();
    expect(snapshot.progress).toMatchObject({ phase: 'complete', percent: 100 });
    expect(snapshot.progress.resourcesTotal).toBeGreaterThan(100);
    const outputs = Object.fromEntries(snapshot.outputs.map((output) => [output.key, output.value]));
    expect(outputs.ApiUrl).toMatch(
      /^https:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com\/[a-z0-9]+\/$/,
    );
    for (const value of Object.values(outputs)) expect(value).not.toMatch(/Fn::|\[object|undefined/);
  });

  it('shows exactly the stages and actions of each synthesized AWS::CodePipeline::Pipeline', async () => {
    const view = await platform.pipeline();
    const template = JSON.parse(
      readFileSync(path.join(latestAssembly(), 'PipelineStack.template.json'), 'utf8'),
    ) as {
      Resources: Record<
        string,
        {
          Type: string;
          Properties: { Name?: string; Stages?: { Name: string; Actions: { Name: string }[] }[] };
        }
      >;
    };
    const stagesOf = (name: string) =>
      Object.values(template.Resources)
        .find((r) => r.Type === 'AWS::CodePipeline::Pipeline' && r.Properties.Name === name)
        ?.Properties.Stages?.map((stage) => [stage.Name, stage.Actions.map((a) => a.Name)]);
    const shown = (stages: readonly { name: string; actions: readonly { name: string }[] }[]) =>
      stages.map((stage) => [stage.name, stage.actions.map((a) => a.name)]);
    // The release pipeline (staging, PromoteToProd, prod) and the environments pipeline (the ephemeral waves).
    expect(view.pipelineName).toBe('sep-delivery-release (local)');
    expect(shown(view.stages)).toEqual(stagesOf('sep-delivery-release'));
    expect(view.environmentsPipeline?.pipelineName).toBe('sep-delivery (local)');
    expect(shown(view.environmentsPipeline?.stages ?? [])).toEqual(stagesOf('sep-delivery'));
  });

  it('runs the bundled smoke script against the environment API: signed with the key 2xx, without 403', async () => {
    const view = await platform.pipeline();
    const stage = view.environmentsPipeline?.stages.find((s) => s.name === 'pr-a');
    const smoke = stage?.actions.find((a) => a.name.endsWith('Smoke'));
    expect(smoke).toMatchObject({
      status: 'Succeeded',
      summary: 'smoke: passed (202 with key, 403 without)',
    });
  });

  it('reads the static compliance the synth step published to the local S3', async () => {
    const report = await platform.compliance({ record: records['pr-a'] as EnvironmentRecord });
    expect(report.static).toMatchObject({ available: true, totals: { errors: 0 } });
    expect(report.static.packs.map((p) => p.pack)).toEqual(
      expect.arrayContaining(['AwsSolutions', 'PCI.DSS.321']),
    );
  });

  it('names, in the run, a registry entry the synth skipped, and the others still deploy', async () => {
    const view = await platform.pipeline();
    const synth = view.environmentsPipeline?.stages.find((s) => s.name === 'Build')?.actions[0];
    expect(synth?.status).toBe('Succeeded');
    const skipped = storedState().executions.flatMap((e) => e.build?.skipped ?? []);
    expect(skipped).toContainEqual({
      environmentSuffix: 'pr-broken',
      reason: expect.stringMatching(/^invalid registry entry: spec\.kind/),
    });
  });

  it('holds prod at the approval, then deploys it once approved', async () => {
    const prod = records.prod as EnvironmentRecord;
    const waiting = await untilPipeline((view) => view.pendingPromotion !== undefined);
    expect(waiting.pendingPromotion).toMatchObject({ stageName: 'prod', actionName: 'PromoteToProd' });
    expect((await platform.describe({ record: prod })).progress.phase).toBe('queued');
    const executionId = waiting.pendingPromotion?.executionId ?? '';
    // A decision for another execution than the one waiting decides nothing.
    await expect(
      platform.decidePromotion({ executionId: 'stale', decision: 'approve', comment: '', actor: 'carol' }),
    ).rejects.toThrow(`execution stale no longer waits for promotion: execution ${executionId} does`);
    await platform.decidePromotion({
      executionId,
      decision: 'approve',
      comment: 'release 1',
      actor: 'carol',
    });
    const deployed = await until(prod, settled);
    expect(deployed.progress.phase).toBe('complete');
    expect((await platform.pipeline()).pendingPromotion).toBeUndefined();
  });

  it('reports an injected CloudFormation failure with the failing resource and reason', async () => {
    const record = await registry.register({
      spec: spec({ environmentSuffix: 'pr-fail', project: 'payments fail=AWS::S3::Bucket' }),
      requestedBy: 'alice',
    });
    await platform.provision({ record });
    const failed = await until(record, settled);
    expect(failed.progress.phase).toBe('failed');
    expect(failed.failure).toMatchObject({ resourceType: 'AWS::S3::Bucket' });
    expect(failed.failure?.reason).toMatch(/injected failure/);
  });

  it('destroys the stack in reverse dependency order', async () => {
    const record = { ...(records['pr-a'] as EnvironmentRecord), status: 'destroying' as const };
    await expect(platform.teardown({ record, reason: 'destroy requested' })).resolves.toEqual({
      outcome: 'in-progress',
    });
    expect((await platform.describe({ record })).progress.phase).toBe('destroying');
    const gone = await until(record, (s) => s.progress.phase === 'destroyed');
    await expect(platform.teardown({ record, reason: 'destroy requested' })).resolves.toEqual({
      outcome: 'destroyed',
    });
    expect(gone.events.at(-1)).toMatchObject({
      resourceStatus: 'DELETE_COMPLETE',
      resourceType: 'AWS::CloudFormation::Stack',
    });
  });

  it('plays the real template: every resource after its dependencies, every output resolved', () => {
    const assembly = latestAssembly();
    const stage = readdirSync(assembly).find((entry) => entry === 'assembly-PipelineStack-pr-a') as string;
    const file = readdirSync(path.join(assembly, stage)).find((f) => f.endsWith('.template.json')) as string;
    const template = JSON.parse(readFileSync(path.join(assembly, stage, file), 'utf8')) as CfnTemplate;
    const nodes = resourceGraph(template);
    const rollout = planCreate({ nodes, physicalId: (id) => id, startedAt: new Date(0), speedFactor: 1 });
    const created = new Map(rollout.resources.map((r) => [r.logicalId, r]));
    const deleted = new Map(
      planDelete({ nodes, physicalId: (id) => id, startedAt: new Date(0), speedFactor: 1 }).resources.map(
        (r) => [r.logicalId, r],
      ),
    );
    for (const node of nodes) {
      for (const dep of node.dependsOn) {
        expect(created.get(node.logicalId)?.startMs ?? 0).toBeGreaterThanOrEqual(
          created.get(dep)?.endMs ?? Number.POSITIVE_INFINITY,
        );
        expect(deleted.get(dep)?.startMs ?? 0).toBeGreaterThanOrEqual(
          deleted.get(node.logicalId)?.endMs ?? Number.POSITIVE_INFINITY,
        );
      }
    }
    expect(playRollout(rollout, 'sep-pr-a-environment', new Date(rollout.endMs))).toMatchObject({
      phase: 'complete',
      resourcesDone: nodes.length,
    });
    const outputs = new TemplateResolver(template, {
      stackName: 'sep-pr-a-environment',
      region: 'us-east-1',
      account: '111111111111',
      environmentSuffix: 'pr-a',
    }).outputs();
    for (const output of outputs) expect(output.value).not.toMatch(/Fn::|\[object|undefined|^$/);
  });

  it('stops the run that would deploy an environment destroyed while it synthesizes', async () => {
    // The destroy above started a run: once the pipeline is idle, the new request's run is the one in flight.
    const environments = (view: Awaited<ReturnType<LocalPlatform['pipeline']>>) =>
      view.environmentsPipeline ?? view;
    await untilPipeline((view) => environments(view).currentExecution?.status !== 'InProgress');
    const requested = await registry.register({
      spec: spec({ environmentSuffix: 'pr-gone' }),
      requestedBy: 'alice',
    });
    await platform.provision({ record: requested });
    await untilPipeline(
      (view) =>
        environments(view).currentExecution?.trigger?.includes('pr-gone') === true &&
        environments(view).stages.find((stage) => stage.name === 'Build')?.status === 'InProgress',
    );
    const destroying = await registry.updateStatus({
      environmentSuffix: 'pr-gone',
      status: 'destroying',
      statusReason: 'destroy requested by alice',
      expectedVersion: requested.version,
    });
    // Never deployed: gone at once, and the run that was synthesizing it is stopped.
    await expect(platform.teardown({ record: destroying, reason: 'destroy requested' })).resolves.toEqual({
      outcome: 'destroyed',
    });
    const runs = storedState().executions.filter((execution) => execution.trigger.includes('pr-gone'));
    expect(runs.map((execution) => [execution.trigger, execution.status])).toEqual([
      ['registry write: pr-gone (ephemeral)', 'Stopped'],
      ['destroy of pr-gone', 'InProgress'],
    ]);
  });
});
