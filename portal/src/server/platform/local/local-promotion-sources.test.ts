import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineDefinition } from '@sep/pipeline/definition';
import { computePromotionPreview } from '../../domain/promotion-preview';
import { securityGroupTemplate } from '../../domain/promotion-preview.test-support';
import { localPromotionSources } from './local-promotion-sources';
import type { ExecutionRun, PipelineState } from './pipeline-run';
import { LocalStacks } from './stacks';

const STACK = { account: '111111111111', region: 'us-east-1', stackName: 'sep-prod-environment' };
const TEMPLATE_PATH = 'assembly-PipelineStack-prod/PipelineStackprodEnvironment.template.json';
const sgTemplate = (cidrs: string[]) => securityGroupTemplate(cidrs);
const nagReport = (suppressed: { ruleId: string; resource: string; reason: string }[]) => ({
  packs: [{ pack: 'AwsSolutions', rulesChecked: 3, passed: 3, suppressed, errors: [], warnings: [] }],
});
const spec = (database: boolean) => ({
  environmentSuffix: 'prod',
  kind: 'prod',
  owner: 'alice',
  project: 'shop',
  costCenter: 'cc',
  region: 'us-east-1',
  alertEmails: ['ops@example.com'],
  allowedCidrs: ['10.0.0.0/8'],
  features: { database },
});

const definition = {
  pipelineName: 'sep-environments-release',
  stages: [
    { name: 'staging', actions: [] },
    {
      name: 'prod',
      actions: [
        {
          name: 'PromoteToProd',
          stageName: 'prod',
          runOrder: 1,
          category: 'Approval',
          provider: 'Manual',
          kind: 'approval',
        },
        {
          name: 'prod.sep-prod-environment.Deploy',
          stageName: 'prod',
          runOrder: 2,
          category: 'Deploy',
          provider: 'CloudFormation',
          kind: 'deploy',
          environmentSuffix: 'prod',
          stack: { ...STACK, templatePath: TEMPLATE_PATH },
        },
      ],
    },
  ],
} as unknown as PipelineDefinition;

describe('localPromotionSources', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sep-preview-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** A synth's run directory: the stage's template and nag report in the assembly, the registry export. */
  async function build(name: string, template: unknown, report: unknown, database: boolean) {
    const runDir = path.join(dir, name);
    const assemblyDir = path.join(runDir, 'cdk.out');
    await mkdir(path.join(assemblyDir, path.dirname(TEMPLATE_PATH)), { recursive: true });
    await writeFile(path.join(assemblyDir, TEMPLATE_PATH), JSON.stringify(template));
    await writeFile(
      path.join(assemblyDir, path.dirname(TEMPLATE_PATH), 'nag-report.json'),
      JSON.stringify(report),
    );
    await mkdir(path.join(runDir, 'source', 'pipeline'), { recursive: true });
    await writeFile(
      path.join(runDir, 'source', 'pipeline', 'environments.json'),
      JSON.stringify({ environments: [{ environmentSuffix: 'prod', spec: spec(database) }] }),
    );
    return { runDir, assemblyDir, cacheKey: name, exported: [], skipped: [], durationMs: 1 };
  }

  const execution = (
    executionId: string,
    buildRecord: ExecutionRun['build'],
    deployed: boolean,
  ): ExecutionRun => ({
    executionId,
    status: deployed ? 'Succeeded' : 'InProgress',
    trigger: 'test',
    startedAt: '2026-12-01T00:00:00.000Z',
    pipelineVersion: 1,
    stages: [
      {
        name: 'prod',
        status: deployed ? 'Succeeded' : 'InProgress',
        actions: [
          {
            name: 'prod.sep-prod-environment.Deploy',
            kind: 'deploy',
            runOrder: 2,
            status: deployed ? 'Succeeded' : 'NotStarted',
            ...(deployed ? { stack: { ...STACK, templatePath: TEMPLATE_PATH } } : {}),
          },
        ],
      },
    ],
    ...(buildRecord === undefined ? {} : { build: buildRecord }),
  });

  it('compares the played stack’s deployed template with the waiting execution’s assembly', async () => {
    const stacks = new LocalStacks({ dataDir: path.join(dir, 'stacks'), speedFactor: 1000 });
    const before = await build('e-old', sgTemplate(['10.0.0.0/16']), nagReport([]), false);
    await stacks.deploy({
      address: STACK,
      templateText: JSON.stringify(sgTemplate(['10.0.0.0/16'])),
      startedAt: new Date('2026-11-30T00:00:00.000Z'),
      environmentSuffix: 'prod',
    });
    const after = await build(
      'e-new',
      sgTemplate(['10.0.0.0/16', '0.0.0.0/0']),
      nagReport([{ ruleId: 'AwsSolutions-EC23', resource: 'prod/ApiSg', reason: 'public API' }]),
      true,
    );
    const waiting = execution('e-new-1234', after, false);
    const state: PipelineState = {
      pipelineVersion: 1,
      definition,
      executions: [execution('e-old', before, true), waiting],
    };

    const sources = await localPromotionSources({ stacks, state, execution: waiting, stageName: 'prod' });
    expect(sources.executionId).toBe('e-new-1234');
    expect(sources.stacks).toHaveLength(1);
    const [stack] = sources.stacks;
    expect(stack?.deployed?.template).toEqual(sgTemplate(['10.0.0.0/16']));
    expect(stack?.deployed?.spec?.features.database).toBe(false);
    expect(stack?.next?.spec?.features.database).toBe(true);

    const preview = computePromotionPreview({ executionId: sources.executionId, stacks: sources.stacks });
    expect(preview.flagged).toBe(true);
    expect(preview.stacks[0]?.security.securityGroupRules[0]).toMatchObject({
      change: 'added',
      peer: 'Everyone (IPv4)',
    });
    expect(preview.stacks[0]?.compliance.entries).toEqual([
      expect.objectContaining({ kind: 'suppression', change: 'appears', ruleId: 'AwsSolutions-EC23' }),
    ]);
    expect(preview.stacks[0]?.cost?.deltaMonthlyUsd).toBeGreaterThan(0);
  });

  it('says so when the stack has never been deployed', async () => {
    const stacks = new LocalStacks({ dataDir: path.join(dir, 'stacks'), speedFactor: 1000 });
    const waiting = execution('e-first', await build('e-first', sgTemplate([]), nagReport([]), false), false);
    const sources = await localPromotionSources({
      stacks,
      state: { pipelineVersion: 1, definition, executions: [waiting] },
      execution: waiting,
      stageName: 'prod',
    });
    expect(sources.stacks[0]?.deployed).toBeUndefined();
    expect(sources.stacks[0]?.unavailableReason).toMatch(/not been deployed/);
  });

  it('flags a stack whose template the waiting execution’s assembly does not hold', async () => {
    const stacks = new LocalStacks({ dataDir: path.join(dir, 'stacks'), speedFactor: 1000 });
    const assembly = await build('e-gone', sgTemplate([]), nagReport([]), false);
    await rm(path.join(assembly.assemblyDir, TEMPLATE_PATH));
    const waiting = execution('e-gone', assembly, false);
    const sources = await localPromotionSources({
      stacks,
      state: { pipelineVersion: 1, definition, executions: [waiting] },
      execution: waiting,
      stageName: 'prod',
    });
    expect(sources.stacks).toEqual([
      {
        stackName: 'sep-prod-environment',
        environmentSuffix: 'prod',
        unavailableReason: expect.stringContaining('cloud assembly has no template for sep-prod-environment'),
      },
    ]);
    expect(computePromotionPreview({ executionId: 'e-gone', stacks: sources.stacks }).flagged).toBe(true);
  });
});
