import { originRequesters, wouldDeploy } from './local-delivery';
import type { ActionStatus, ExecutionRun, StageStatus } from './pipeline-run';

// Which executions a destroy of `pr-1` stops: those that could still deploy it after its stack is
// deleted, and only those.

type Point = 'queued' | 'synthesizing' | 'built' | 'self-mutating' | 'deploying';

const stageOf = (point: Point, stage: 'Build' | 'UpdatePipeline' | 'pr-1'): StageStatus => {
  const reached = { Build: 1, UpdatePipeline: 3, 'pr-1': 4 }[stage];
  const at = { queued: 0, synthesizing: 1, built: 2, 'self-mutating': 3, deploying: 4 }[point];
  return at < reached ? 'NotStarted' : at === reached ? 'InProgress' : 'Succeeded';
};
const actionOf = (status: StageStatus): ActionStatus =>
  status === 'Cancelled' || status === 'Stopped' ? 'Abandoned' : status;

function execution(point: Point, exported: readonly string[] = ['pr-1']): ExecutionRun {
  const build = stageOf(point, 'Build');
  return {
    executionId: point,
    status: 'InProgress',
    trigger: 'registry write: pr-1 (ephemeral)',
    startedAt: '2026-12-01T10:00:00.000Z',
    pipelineVersion: 1,
    stages: [
      {
        name: 'Build',
        status: build,
        actions: [{ name: 'Synth', kind: 'synth', runOrder: 1, status: actionOf(build) }],
      },
      {
        name: 'UpdatePipeline',
        status: stageOf(point, 'UpdatePipeline'),
        actions: [
          {
            name: 'SelfMutate',
            kind: 'self-mutate',
            runOrder: 1,
            status: actionOf(stageOf(point, 'UpdatePipeline')),
          },
        ],
      },
      {
        name: 'pr-1',
        status: stageOf(point, 'pr-1'),
        actions: [
          {
            name: 'sep-pr-1-environment.Deploy',
            kind: 'deploy',
            runOrder: 1,
            environmentSuffix: 'pr-1',
            status: actionOf(stageOf(point, 'pr-1')),
          },
        ],
      },
    ],
    ...(build === 'Succeeded'
      ? {
          build: {
            runDir: '/runs/x',
            assemblyDir: '/runs/x/cdk.out',
            cacheKey: 'k',
            exported: exported.map((environmentSuffix) => ({
              environmentSuffix,
              version: 1,
              updatedAt: '2026-12-01T10:00:00.000Z',
            })),
            skipped: [],
            durationMs: 1,
          },
        }
      : {}),
  };
}

describe('wouldDeploy: what a destroy stops', () => {
  it('stops a run that is synthesizing (its synth read the registry before the destroy)', () => {
    expect(wouldDeploy(execution('synthesizing'), 'pr-1')).toBe(true);
  });

  it('stops a run queued after a synth that exported the environment, up to its self-mutation', () => {
    expect(wouldDeploy(execution('built'), 'pr-1')).toBe(true);
    expect(wouldDeploy(execution('self-mutating'), 'pr-1')).toBe(true);
  });

  it('leaves a run whose synth has not started (it will skip the destroying entry)', () => {
    expect(wouldDeploy(execution('queued'), 'pr-1')).toBe(false);
  });

  it('leaves a run whose synth did not export the environment', () => {
    expect(wouldDeploy(execution('built', ['pr-2']), 'pr-1')).toBe(false);
  });

  it('leaves a run that is deploying (stopping it would orphan the stacks it is deploying) and one that ended', () => {
    expect(wouldDeploy(execution('deploying'), 'pr-1')).toBe(false);
    expect(wouldDeploy({ ...execution('built'), status: 'Superseded' }, 'pr-1')).toBe(false);
  });
});

describe('originRequesters: who a run is for', () => {
  it('names everyone whose write a run carries, once each, and lists them for the separation-of-duties rule', () => {
    expect(originRequesters(['alice', 'bob', 'alice'])).toEqual({
      requestedBy: 'alice, bob',
      requesters: ['alice', 'bob'],
    });
    expect(originRequesters(['alice'])).toEqual({ requestedBy: 'alice', requesters: ['alice'] });
    expect(originRequesters([])).toEqual({});
  });
});
