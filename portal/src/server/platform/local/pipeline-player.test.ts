import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPipelineAssembly } from '@sep/pipeline/definition';
import {
  type ActionWork,
  type BuildRecord,
  type ExecutionRun,
  LocalPipelinePlayer,
  type PipelineState,
} from './pipeline-player';

// The player against a synthetic pipeline (the shape CDK Pipelines synthesizes) and work it controls: a
// manual clock for the simulated actions, promises the test resolves for the real ones.

interface StageSpec {
  readonly name: string;
  readonly actions: readonly {
    readonly name: string;
    readonly runOrder?: number;
    readonly kind: 'deploy' | 'smoke' | 'approval';
  }[];
}

const root = mkdtempSync(path.join(tmpdir(), 'sep-player-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let assemblies = 0;
/** A cloud assembly holding a PipelineStack whose pipeline has Source, Build, UpdatePipeline and `stages`. */
function assembly(stages: readonly StageSpec[], executionMode = 'SUPERSEDED'): string {
  assemblies += 1;
  const dir = path.join(root, `assembly-${assemblies}`);
  mkdirSync(dir, { recursive: true });
  const project = (commands: string[]) => ({
    Type: 'AWS::CodeBuild::Project',
    Properties: {
      Source: { BuildSpec: JSON.stringify({ version: '0.2', phases: { build: { commands } } }) },
    },
  });
  const action = (name: string, category: string, provider: string, configuration: object, runOrder = 1) => ({
    Name: name,
    RunOrder: runOrder,
    ActionTypeId: { Category: category, Provider: provider },
    Configuration: configuration,
  });
  const template = {
    Resources: {
      Synth: project(['npx cdk synth']),
      SelfMutation: project(['cdk -a . deploy PipelineStack --require-approval=never']),
      Smoke: project(['node smoke/smoke.js']),
      Pipeline: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: {
          Name: 'sep-delivery',
          PipelineType: 'V2',
          ExecutionMode: executionMode,
          RestartExecutionOnUpdate: true,
          Stages: [
            { Name: 'Source', Actions: [action('repo', 'Source', 'CodeStarSourceConnection', {})] },
            {
              Name: 'Build',
              Actions: [action('Synth', 'Build', 'CodeBuild', { ProjectName: { Ref: 'Synth' } })],
            },
            {
              Name: 'UpdatePipeline',
              Actions: [action('SelfMutate', 'Build', 'CodeBuild', { ProjectName: { Ref: 'SelfMutation' } })],
            },
            ...stages.map((stage) => ({
              Name: stage.name,
              Actions: stage.actions.map((a) =>
                a.kind === 'deploy'
                  ? action(
                      a.name,
                      'Deploy',
                      'CloudFormation',
                      { StackName: a.name.split('.')[0], TemplatePath: 'Synth_Output::t.json' },
                      a.runOrder,
                    )
                  : a.kind === 'approval'
                    ? action(a.name, 'Approval', 'Manual', {}, a.runOrder)
                    : action(a.name, 'Build', 'CodeBuild', { ProjectName: { Ref: 'Smoke' } }, a.runOrder),
              ),
            })),
          ],
        },
      },
    },
  };
  writeFileSync(path.join(dir, 'PipelineStack.template.json'), JSON.stringify(template));
  writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      version: '55.0.0',
      artifacts: {
        PipelineStack: {
          type: 'aws:cloudformation:stack',
          environment: 'aws://111111111111/us-east-1',
          properties: { templateFile: 'PipelineStack.template.json' },
        },
      },
    }),
  );
  return dir;
}

const ENVIRONMENT_STAGE: StageSpec = {
  name: 'pr-1',
  actions: [
    { name: 'sep-pr-1-environment.Deploy', kind: 'deploy' },
    { name: 'Smoke', runOrder: 2, kind: 'smoke' },
  ],
};
const PROD_STAGE: StageSpec = {
  name: 'prod',
  actions: [
    { name: 'PromoteToProd', kind: 'approval' },
    { name: 'sep-prod-environment.Deploy', runOrder: 2, kind: 'deploy' },
    { name: 'Smoke', runOrder: 3, kind: 'smoke' },
  ],
};

/** Work whose real parts (synth, smoke) end when the test says; deploys take `deploySeconds` of clock. */
class ControlledWork implements ActionWork {
  readonly synths: {
    execution: ExecutionRun;
    resolve: (build: BuildRecord) => void;
    reject: (e: Error) => void;
  }[] = [];
  readonly smokes: { execution: ExecutionRun; resolve: () => void; reject: (e: Error) => void }[] = [];
  deploySeconds = 30;
  deployOutcome: 'Succeeded' | 'Failed' = 'Succeeded';
  /** The assembly each Build produces (its pipeline is what self-mutation deploys). */
  nextAssembly = '';

  synth(execution: ExecutionRun, _definition: unknown, signal: AbortSignal): Promise<BuildRecord> {
    return new Promise((resolve, reject) => {
      this.synths.push({ execution, resolve, reject });
      signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
    });
  }
  async deploy(_execution: ExecutionRun, _action: unknown, at: Date) {
    return {
      endsAt: new Date(at.getTime() + this.deploySeconds * 1000),
      outcome: this.deployOutcome,
      summary: 'CREATE_COMPLETE',
      ...(this.deployOutcome === 'Failed'
        ? { errorMessage: 'Bucket (AWS::S3::Bucket): already exists' }
        : {}),
    };
  }
  async deployProgress() {
    return undefined;
  }
  smoke(execution: ExecutionRun, _action: unknown, signal: AbortSignal): Promise<{ summary: string }> {
    return new Promise((resolve, reject) => {
      this.smokes.push({ execution, resolve: () => resolve({ summary: 'smoke: passed' }), reject });
      signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
    });
  }
  /** Finishes the oldest pending synth with `assemblyDir` (or `nextAssembly`). */
  finishSynth(assemblyDir = this.nextAssembly): void {
    const job = this.synths.shift();
    if (job === undefined) throw new Error('no synth is running');
    job.resolve({
      runDir: path.dirname(assemblyDir),
      assemblyDir,
      cacheKey: assemblyDir,
      exported: [],
      skipped: [],
      durationMs: 1000,
    });
  }
}

let now = Date.parse('2026-12-01T10:00:00.000Z');
const clock = () => new Date(now);
const tick = async (player: LocalPipelinePlayer, seconds: number) => {
  now += seconds * 1000;
  // Real work resolves on the microtask queue; let it land, then advance.
  await new Promise((resolve) => setImmediate(resolve));
  return player.current() as Promise<PipelineState>;
};

function newPlayer(work: ControlledWork, dataDir = mkdtempSync(path.join(root, 'data-'))) {
  return { player: new LocalPipelinePlayer({ dataDir, speedFactor: 1, work, clock }), dataDir };
}

const stageStatuses = (execution: ExecutionRun | undefined) =>
  Object.fromEntries((execution?.stages ?? []).map((stage) => [stage.name, stage.status]));

describe('LocalPipelinePlayer', () => {
  it("runs the stages in order and a stage's actions by run order, timing simulated work by the clock", async () => {
    const work = new ControlledWork();
    const withStage = assembly([ENVIRONMENT_STAGE]);
    const { player } = newPlayer(work);
    await player.bootstrap(withStage);
    work.nextAssembly = withStage;
    const execution = await player.startExecution('request pr-1');
    let state = await tick(player, 5);
    expect(stageStatuses(state.executions[0])).toMatchObject({ Source: 'Succeeded', Build: 'InProgress' });
    work.finishSynth();
    await tick(player, 0);
    state = await tick(player, 90);
    // Same pipeline: self-mutation changes nothing, the run goes on to the environment's stage.
    expect(state.executions).toHaveLength(1);
    const stage = state.executions[0]?.stages.find((s) => s.name === 'pr-1');
    expect(stage?.actions.map((a) => a.status)).toEqual(['InProgress', 'NotStarted']);
    state = await tick(player, 30);
    expect(stage?.actions.map((a) => a.status)).toEqual(['Succeeded', 'InProgress']);
    work.smokes.shift()?.resolve();
    state = await tick(player, 0);
    expect(state.executions[0]).toMatchObject({ executionId: execution.executionId, status: 'Succeeded' });
  });

  it('fails the stage and the execution on a failed action, and starts nothing after it', async () => {
    const work = new ControlledWork();
    work.deployOutcome = 'Failed';
    const withStage = assembly([ENVIRONMENT_STAGE]);
    const { player } = newPlayer(work);
    await player.bootstrap(withStage);
    await player.startExecution('request pr-1');
    await tick(player, 5);
    work.finishSynth(withStage);
    await tick(player, 0);
    const state = await tick(player, 200);
    const execution = state.executions[0];
    expect(execution?.status).toBe('Failed');
    const actions = execution?.stages.find((s) => s.name === 'pr-1')?.actions;
    expect(actions?.map((a) => [a.status, a.errorMessage])).toEqual([
      ['Failed', 'Bucket (AWS::S3::Bucket): already exists'],
      ['NotStarted', undefined],
    ]);
    expect(work.smokes).toHaveLength(0);
  });

  it('cancels the executions in flight when self-mutation changes the pipeline, and restarts it', async () => {
    const work = new ControlledWork();
    const { player } = newPlayer(work);
    await player.bootstrap(assembly([]));
    const first = await player.startExecution('request pr-1');
    await tick(player, 5);
    const second = await player.startExecution('request pr-2');
    work.finishSynth(assembly([ENVIRONMENT_STAGE]));
    await tick(player, 0);
    const state = await tick(player, 90);
    expect(state.pipelineVersion).toBe(2);
    expect(state.definition.stages.map((s) => s.name)).toContain('pr-1');
    const byId = new Map(state.executions.map((e) => [e.executionId, e]));
    expect(byId.get(first.executionId)?.status).toBe('Cancelled');
    expect(byId.get(second.executionId)?.status).toBe('Cancelled');
    const restart = state.executions.at(-1);
    expect(restart?.trigger).toMatch(/^restarted after the self-mutation of execution /);
    expect(restart?.status).toBe('InProgress');
    expect(restart?.stages.map((s) => s.name)).toContain('pr-1');
  });

  it('SUPERSEDED: of two executions waiting to enter a stage, the newer goes on', async () => {
    const work = new ControlledWork();
    const pipeline = assembly([ENVIRONMENT_STAGE]);
    const { player } = newPlayer(work);
    await player.bootstrap(pipeline);
    const first = await player.startExecution('first');
    await tick(player, 5);
    const second = await player.startExecution('second');
    const third = await player.startExecution('third');
    // The first holds Build; the second, then the third (Source is a stage too) wait at its boundary.
    let state = await tick(player, 10);
    const status = () => new Map(state.executions.map((e) => [e.executionId, e.status]));
    expect(status().get(second.executionId)).toBe('Superseded');
    expect(status().get(third.executionId)).toBe('InProgress');
    work.finishSynth(pipeline);
    state = await tick(player, 1);
    expect(stageStatuses(state.executions.find((e) => e.executionId === third.executionId)).Build).toBe(
      'InProgress',
    );
    expect(status().get(first.executionId)).toBe('InProgress');
  });

  it('QUEUED: executions run one after another, in the order they started', async () => {
    const work = new ControlledWork();
    const pipeline = assembly([ENVIRONMENT_STAGE], 'QUEUED');
    const { player } = newPlayer(work);
    await player.bootstrap(pipeline);
    const first = await player.startExecution('first');
    const second = await player.startExecution('second');
    let state = await tick(player, 5);
    const of = (id: string) => state.executions.find((e) => e.executionId === id);
    expect(stageStatuses(of(second.executionId)).Source).toBe('NotStarted');
    work.finishSynth(pipeline);
    await tick(player, 0);
    state = await tick(player, 120);
    work.smokes.shift()?.resolve();
    state = await tick(player, 1);
    expect(of(first.executionId)?.status).toBe('Succeeded');
    expect(stageStatuses(of(second.executionId)).Source).not.toBe('NotStarted');
  });

  it('holds at the approval until the call with its token; a rejection fails the execution', async () => {
    const work = new ControlledWork();
    const pipeline = assembly([PROD_STAGE]);
    const { player } = newPlayer(work);
    await player.bootstrap(pipeline);
    const execution = await player.startExecution('release');
    await tick(player, 5);
    work.finishSynth(pipeline);
    await tick(player, 0);
    let state = await tick(player, 500);
    const prod = () => state.executions[0]?.stages.find((s) => s.name === 'prod');
    const approval = prod()?.actions[0];
    expect(approval?.status).toBe('InProgress');
    const token = approval?.approval?.token as string;
    const decide = (decision: 'Approved' | 'Rejected', withToken: string) =>
      player.decideApproval({
        executionId: execution.executionId,
        token: withToken,
        decision,
        decidedBy: 'carol',
        comment: '',
      });
    await expect(decide('Approved', 'not-the-token')).resolves.toBe(false);
    await expect(decide('Rejected', token)).resolves.toBe(true);
    state = await tick(player, 0);
    expect(prod()?.actions.map((a) => a.status)).toEqual(['Failed', 'NotStarted', 'NotStarted']);
    expect(state.executions[0]?.status).toBe('Failed');
  });

  it('resumes after a restart where every execution stood, starting real work in flight again', async () => {
    const work = new ControlledWork();
    const pipeline = assembly([ENVIRONMENT_STAGE]);
    const { player, dataDir } = newPlayer(work);
    await player.bootstrap(pipeline);
    await player.startExecution('request pr-1');
    await tick(player, 5);
    expect(work.synths).toHaveLength(1);
    await player.close();

    const afterWork = new ControlledWork();
    const { player: after } = newPlayer(afterWork, dataDir);
    let state = await tick(after, 1);
    expect(afterWork.synths).toHaveLength(1);
    afterWork.finishSynth(pipeline);
    await tick(after, 0);
    state = await tick(after, 120);
    expect(stageStatuses(state.executions[0])['pr-1']).toBe('InProgress');
    await after.close();
  });

  it('reads back the definition it deploys from the synthesized assembly', () => {
    const definition = readPipelineAssembly(assembly([PROD_STAGE]));
    expect(definition.stages.map((s) => s.actions.map((a) => a.kind))).toEqual([
      ['source'],
      ['synth'],
      ['self-mutate'],
      ['approval', 'deploy', 'smoke'],
    ]);
  });
});
