import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalPipelinePlayer, type LocalPipelinePlayerOptions } from './pipeline-player';
import type { ActionWork, BuildRecord, ExecutionRun, PipelineState } from './pipeline-run';

// The player's tests run it against a synthetic pipeline (the shape CDK Pipelines synthesizes) and work
// they control: a manual clock for the simulated actions, promises the test resolves for the real ones.

export interface StageSpec {
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
export function assembly(stages: readonly StageSpec[], executionMode = 'SUPERSEDED'): string {
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

export const ENVIRONMENT_STAGE: StageSpec = {
  name: 'pr-1',
  actions: [
    { name: 'sep-pr-1-environment.Deploy', kind: 'deploy' },
    { name: 'Smoke', runOrder: 2, kind: 'smoke' },
  ],
};
export const PROD_STAGE: StageSpec = {
  name: 'prod',
  actions: [
    { name: 'PromoteToProd', kind: 'approval' },
    { name: 'sep-prod-environment.Deploy', runOrder: 2, kind: 'deploy' },
    { name: 'Smoke', runOrder: 3, kind: 'smoke' },
  ],
};

/** Work whose real parts (synth, smoke) end when the test says; deploys take `deploySeconds` of clock. */
export class ControlledWork implements ActionWork {
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
export const clock = () => new Date(now);
export const tick = async (player: LocalPipelinePlayer, seconds: number) => {
  now += seconds * 1000;
  // Real work resolves on the microtask queue; let it land, then advance.
  await new Promise((resolve) => setImmediate(resolve));
  return player.current() as Promise<PipelineState>;
};

export function newPlayer(
  work: ControlledWork,
  dataDir = mkdtempSync(path.join(root, 'data-')),
  options: Partial<LocalPipelinePlayerOptions> = {},
) {
  return { player: new LocalPipelinePlayer({ dataDir, speedFactor: 1, work, clock, ...options }), dataDir };
}

export const stageStatuses = (execution: ExecutionRun | undefined) =>
  Object.fromEntries((execution?.stages ?? []).map((stage) => [stage.name, stage.status]));
