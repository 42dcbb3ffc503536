import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineDefinition } from '../definition';
import { runSynthStep } from './synth-step';

// The synth step runs the deployed pipeline's buildspec commands in the Source artifact; a stopped run
// (the portal closing, an execution superseded) must not leave them running.

/** A pipeline whose synth action runs `commands`, with the action-level variables `actionVariables`. */
function pipelineRunning(
  commands: readonly string[],
  actionVariables: readonly { name: string; value: string }[] = [],
): PipelineDefinition {
  return {
    pipelineName: 'sep-delivery',
    pipelineType: 'V2',
    executionMode: 'SUPERSEDED',
    restartExecutionOnUpdate: true,
    account: '111111111111',
    region: 'us-east-1',
    stages: [
      {
        name: 'Build',
        actions: [
          {
            name: 'Synth',
            stageName: 'Build',
            runOrder: 1,
            category: 'Build',
            provider: 'CodeBuild',
            kind: 'synth',
            build: {
              project: {
                logicalId: 'SynthProject',
                buildSpec: { version: '0.2', phases: { build: { commands: [...commands] } } },
                environmentVariables: [{ name: 'STAGE', value: 'project' }],
              },
              environmentVariables: actionVariables,
            },
          },
        ],
      },
    ],
  };
}

/** One command that leaves a mark in the folder it runs in. */
const definition = pipelineRunning(['touch started']);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sep-synth-step-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(signal?: AbortSignal, pipeline = definition) {
  return runSynthStep({
    definition: pipeline,
    sourceDir: dir,
    executionId: '3f2b7c1e-0a4d-4e8b-9c51-7d2e6f10ab34',
    resolvedVariables: {},
    awsEnvironment: {},
    logFile: path.join(dir, 'build.log'),
    ...(signal === undefined ? {} : { signal }),
  });
}

describe('runSynthStep', () => {
  it("runs the buildspec's commands in the source folder", async () => {
    await expect(run()).resolves.toMatchObject({ commands: [{ command: 'touch started', exitCode: 0 }] });
    expect(existsSync(path.join(dir, 'started'))).toBe(true);
  });

  it('has written and closed the build log when it settles: the log can be read at once, or its folder deleted', async () => {
    await run(undefined, pipelineRunning(['seq 1 20000']));
    const log = readFileSync(path.join(dir, 'build.log'), 'utf8').trim().split('\n');
    expect(log.at(-1)).toBe('20000');
    expect(log).toHaveLength(20000);
  });

  it('settles without crashing when its build log cannot be written', async () => {
    await expect(
      runSynthStep({
        definition,
        sourceDir: dir,
        executionId: '3f2b7c1e-0a4d-4e8b-9c51-7d2e6f10ab34',
        resolvedVariables: {},
        awsEnvironment: {},
        logFile: path.join(dir, 'no-such-folder', 'build.log'),
      }),
    ).resolves.toMatchObject({ commands: [{ command: 'touch started', exitCode: 0 }] });
  });

  it("sets the action's variables over the project's, the execution ID where CodePipeline would put it", async () => {
    const pipeline = pipelineRunning(
      ['echo "$STAGE $PIPELINE_EXECUTION_ID" > variables'],
      [
        { name: 'STAGE', value: 'action' },
        { name: 'PIPELINE_EXECUTION_ID', value: '#{codepipeline.PipelineExecutionId}' },
      ],
    );
    await run(undefined, pipeline);
    expect(readFileSync(path.join(dir, 'variables'), 'utf8')).toBe(
      'action 3f2b7c1e-0a4d-4e8b-9c51-7d2e6f10ab34\n',
    );
  });

  it('starts no command when an action variable names a pipeline variable it cannot resolve', async () => {
    const pipeline = pipelineRunning(['touch started'], [{ name: 'COMMIT', value: '#{Source.CommitId}' }]);
    await expect(run(undefined, pipeline)).rejects.toThrow(
      /variable COMMIT is "#\{Source\.CommitId\}": local mode cannot resolve #\{Source\.CommitId\}/,
    );
    expect(existsSync(path.join(dir, 'started'))).toBe(false);
  });

  it('starts no command when the run was stopped before the step began', async () => {
    const stopped = new AbortController();
    stopped.abort();
    await expect(run(stopped.signal)).rejects.toThrow('stopped before it started');
    expect(existsSync(path.join(dir, 'started'))).toBe(false);
  });
});
