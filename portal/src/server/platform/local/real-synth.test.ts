import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnvironmentSpec } from '@sep/infra/spec';
import { staticCompliance } from '../../domain/nag-report';
import { planCreate, planDelete, playRollout } from './rollout';
import { readStageArtifacts, type StageArtifacts, synthesizeStage, synthScript } from './synth';
import { resourceGraph, TemplateResolver } from './template';

const repoRoot = path.resolve(__dirname, '../../../../..');
// The real stage is infra-core's; until its synth script exists there is nothing real to play.
const describeReal = existsSync(synthScript(repoRoot)) ? describe : describe.skip;

describeReal('the local platform on a REAL synthesized SecureEnvironmentStage', () => {
  let dir: string;
  let artifacts: StageArtifacts;
  const stackName = 'sep-pr-real-environment';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sep-real-synth-'));
    const parsed = parseEnvironmentSpec({
      environmentSuffix: 'pr-real',
      kind: 'ephemeral',
      owner: 'alice',
      project: 'payments',
      costCenter: 'CC-1',
    });
    if (!parsed.success) throw new Error('spec');
    await synthesizeStage({ repoRoot, spec: parsed.spec, outDir: path.join(dir, 'stage.out') });
    artifacts = await readStageArtifacts({ outDir: path.join(dir, 'stage.out'), stackName });
  }, 300_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('plays every resource after all of its dependencies, and the stack completes last', () => {
    const nodes = resourceGraph(artifacts.template);
    expect(nodes.length).toBeGreaterThan(20);
    const rollout = planCreate({ nodes, physicalId: (id) => id, startedAt: new Date(0), speedFactor: 1 });
    const byId = new Map(rollout.resources.map((r) => [r.logicalId, r]));
    for (const node of nodes) {
      for (const dep of node.dependsOn) {
        expect(
          (byId.get(node.logicalId)?.startMs ?? 0) >= (byId.get(dep)?.endMs ?? Number.POSITIVE_INFINITY),
        ).toBe(true);
      }
    }
    const done = playRollout(rollout, stackName, new Date(rollout.endMs));
    expect(done).toMatchObject({
      phase: 'complete',
      resourcesDone: nodes.length,
      resourcesTotal: nodes.length,
    });
    const teardown = planDelete({ nodes, physicalId: (id) => id, startedAt: new Date(0), speedFactor: 1 });
    const deletes = new Map(teardown.resources.map((r) => [r.logicalId, r]));
    for (const node of nodes) {
      for (const dep of node.dependsOn) {
        expect(
          (deletes.get(dep)?.startMs ?? 0) >=
            (deletes.get(node.logicalId)?.endMs ?? Number.POSITIVE_INFINITY),
        ).toBe(true);
      }
    }
  });

  it('resolves every output to a concrete AWS-shaped value', () => {
    const outputs = new TemplateResolver(artifacts.template, {
      stackName,
      region: 'us-east-1',
      account: '111111111111',
      environmentSuffix: 'pr-real',
    }).outputs();
    expect(outputs.length).toBeGreaterThan(3);
    for (const output of outputs) {
      expect(output.value).not.toMatch(/Fn::|\[object|undefined/);
      expect(output.value.length).toBeGreaterThan(0);
    }
  });

  it('reads the stage’s cdk-nag report', () => {
    const report = staticCompliance(artifacts.nagReport);
    expect(report.available).toBe(true);
    expect(report.packs.map((p) => p.pack)).toEqual(expect.arrayContaining(['AwsSolutions']));
    expect(report.totals.errors).toBe(0);
  });
});
