import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineDefinition } from '../definition';
import { runSynthStep } from './synth-step';

// The synth step runs the deployed pipeline's buildspec commands in the Source artifact; a stopped run
// (the portal closing, an execution superseded) must not leave them running.

/** A pipeline whose synth action's one command leaves a mark in the folder it runs in. */
const definition: PipelineDefinition = {
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
              buildSpec: { version: '0.2', phases: { build: { commands: ['touch started'] } } },
              environmentVariables: [],
            },
            environmentVariables: [],
          },
        },
      ],
    },
  ],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sep-synth-step-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(signal?: AbortSignal) {
  return runSynthStep({
    definition,
    sourceDir: dir,
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

  it('starts no command when the run was stopped before the step began', async () => {
    const stopped = new AbortController();
    stopped.abort();
    await expect(run(stopped.signal)).rejects.toThrow('stopped before it started');
    expect(existsSync(path.join(dir, 'started'))).toBe(false);
  });
});
