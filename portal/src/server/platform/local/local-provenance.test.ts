import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environmentRecord } from '../../domain/registry-fakes.test-support';
import { LocalProvenance } from './local-provenance';
import { assembly, ControlledWork, ENVIRONMENT_STAGE, newPlayer } from './pipeline-player.test-support';
import { LocalStacks } from './stacks';

// Provenance in local mode, from real files: the played stack's state and template files and the played
// pipeline's state file (the execution whose deploy action started the stack operation, its revision).

const record = environmentRecord(
  { environmentSuffix: 'pr-1' },
  { createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z' },
);
const address = { account: '111111111111', region: 'us-east-1', stackName: 'sep-pr-1-environment' };
const TEMPLATE = JSON.stringify({
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    Key2: { Type: 'AWS::KMS::Key', Properties: {} },
  },
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sep-provenance-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function setUp(options: { readonly sourceRevision?: string; readonly deploy: boolean }) {
  const stacks = new LocalStacks({ dataDir: dir, speedFactor: 1000 });
  const { player } = newPlayer(new ControlledWork());
  await player.bootstrap(assembly([ENVIRONMENT_STAGE]));
  const execution = await player.startExecution(
    'registry write: pr-1',
    options.sourceRevision === undefined ? {} : { sourceRevision: options.sourceRevision },
  );
  const startedAt = new Date('2026-12-01T10:05:00.000Z');
  if (options.deploy) {
    await stacks.deploy({
      address,
      templateText: TEMPLATE,
      startedAt,
      environmentSuffix: 'pr-1',
      clientRequestToken: `${execution.executionId}-sep-pr-1-environment.Deploy`,
    });
  }
  const provenance = new LocalProvenance({
    stacks,
    addressOf: async () => address,
    pipelines: { all: async () => [player] },
  });
  return { provenance, execution, stacks, player };
}

it('reads the deployed template hash, resource types, deploy time, execution and revision from the played files', async () => {
  const { provenance, execution, stacks, player } = await setUp({ sourceRevision: 'c0ffee1', deploy: true });

  const result = await provenance.provenance({ record });

  const stack = await stacks.get(address);
  const operation = stack === undefined ? undefined : stacks.deployedOperation(stack);
  expect(operation).toBeDefined();
  expect(result).toEqual({
    stacks: [
      {
        stackName: 'sep-pr-1-environment',
        stackId: stack?.stackId,
        templateSha256: createHash('sha256').update(TEMPLATE).digest('hex'),
        lastDeployedAt: new Date(
          Date.parse('2026-12-01T10:05:00.000Z') + (operation?.rollout.endMs ?? Number.NaN),
        ).toISOString(),
        resourceTypes: { 'AWS::S3::Bucket': 1, 'AWS::KMS::Key': 2 },
      },
    ],
    pipelineName: 'sep-delivery',
    pipelineExecutionId: execution.executionId,
    sourceRevision: 'c0ffee1',
    gaps: [{ field: 'cloudTrailTrailArn', reason: expect.stringContaining('local mode') }],
  });
  await player.close();
});

it('says what it cannot know: no revision on the execution, no deployed stack', async () => {
  const unrevisioned = await setUp({ deploy: true });
  const result = await unrevisioned.provenance.provenance({ record });
  expect(result.sourceRevision).toBeUndefined();
  expect(result.gaps.map((gap) => gap.field)).toEqual(['cloudTrailTrailArn', 'sourceRevision']);
  await unrevisioned.player.close();

  await rm(dir, { recursive: true, force: true });
  const undeployed = await setUp({ deploy: false });
  const none = await undeployed.provenance.provenance({ record });
  expect(none.stacks).toEqual([]);
  expect(none.pipelineExecutionId).toBeUndefined();
  expect(none.gaps.map((gap) => gap.field)).toEqual([
    'cloudTrailTrailArn',
    'templateHashes',
    'lastDeployedAt',
    'pipelineExecutionId',
    'sourceRevision',
  ]);
  expect(none.gaps[1]?.reason).toContain('sep-pr-1-environment has no deployed template');
  await undeployed.player.close();
});
