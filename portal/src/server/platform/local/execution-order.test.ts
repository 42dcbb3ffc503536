import type { ExecutionMode, PipelineDefinition } from '@sep/pipeline/definition';
import { mayEnterStage, stageEntryTime, supersededWaiting } from './execution-order';
import type { ExecutionRun, PipelineState, StageStatus } from './pipeline-run';

const STAGES = ['Source', 'Build', 'Staging', 'Prod'] as const;

function state(executionMode: ExecutionMode, executions: ExecutionRun[]): PipelineState {
  const definition: PipelineDefinition = {
    pipelineName: 'sep-delivery',
    pipelineType: 'V2',
    executionMode,
    restartExecutionOnUpdate: true,
    account: '111111111111',
    region: 'eu-west-2',
    stages: STAGES.map((name) => ({ name, actions: [] })),
  };
  return { pipelineVersion: 1, definition, executions };
}

/** An execution started at `startedAt` whose stages stand as `statuses` (the rest NotStarted). */
function execution(
  id: string,
  startedAt: string,
  statuses: readonly StageStatus[],
  finishedAt: readonly (string | undefined)[] = [],
): ExecutionRun {
  return {
    executionId: id,
    status: 'InProgress',
    trigger: 'test',
    startedAt,
    pipelineVersion: 1,
    stages: STAGES.map((name, index) => ({
      name,
      status: statuses[index] ?? 'NotStarted',
      ...(finishedAt[index] === undefined ? {} : { finishedAt: finishedAt[index] }),
      actions: [],
    })),
  };
}

describe('a stage holds one execution at a time', () => {
  it('an execution may not enter a stage another execution is in', () => {
    const inStaging = execution('a', '2026-01-01T00:00:00.000Z', ['Succeeded', 'Succeeded', 'InProgress']);
    const waiting = execution('b', '2026-01-01T00:01:00.000Z', ['Succeeded', 'Succeeded', 'NotStarted']);
    const pipeline = state('SUPERSEDED', [inStaging, waiting]);
    expect(mayEnterStage(pipeline, waiting, 'Staging')).toBe(false);
    expect(mayEnterStage(pipeline, waiting, 'Prod')).toBe(true);
  });

  it('QUEUED: a later execution does not start while an earlier one runs, wherever it is', () => {
    const earlier = execution('a', '2026-01-01T00:00:00.000Z', ['Succeeded', 'Succeeded', 'InProgress']);
    const later = execution('b', '2026-01-01T00:01:00.000Z', []);
    expect(mayEnterStage(state('QUEUED', [earlier, later]), later, 'Source')).toBe(false);
    expect(mayEnterStage(state('SUPERSEDED', [earlier, later]), later, 'Source')).toBe(true);
  });
});

describe('when an execution entered a stage', () => {
  it('is when its previous stage finished, or when the execution before it left the stage', () => {
    const left = execution(
      'a',
      '2026-01-01T00:00:00.000Z',
      ['Succeeded', 'Succeeded', 'Succeeded'],
      [undefined, undefined, '2026-01-01T00:09:00.000Z'],
    );
    const next = execution(
      'b',
      '2026-01-01T00:01:00.000Z',
      ['Succeeded', 'Succeeded', 'NotStarted'],
      [undefined, '2026-01-01T00:05:00.000Z'],
    );
    const staging = next.stages[2];
    if (staging === undefined) throw new Error('no Staging stage');
    const now = new Date('2026-01-01T00:30:00.000Z');
    expect(stageEntryTime(state('SUPERSEDED', [left, next]), next, staging, now)).toBe(
      '2026-01-01T00:09:00.000Z',
    );
    expect(stageEntryTime(state('SUPERSEDED', [next]), next, staging, now)).toBe('2026-01-01T00:05:00.000Z');
  });

  it('is never later than now', () => {
    const next = execution('b', '2026-01-01T00:10:00.000Z', ['NotStarted']);
    const source = next.stages[0];
    if (source === undefined) throw new Error('no Source stage');
    const now = new Date('2026-01-01T00:05:00.000Z');
    expect(stageEntryTime(state('SUPERSEDED', [next]), next, source, now)).toBe(now.toISOString());
  });
});

describe('SUPERSEDED mode', () => {
  const waitingAtProd = (id: string, startedAt: string) =>
    execution(id, startedAt, ['Succeeded', 'Succeeded', 'Succeeded', 'NotStarted']);

  it('of several executions waiting to enter a stage, drops all but the newest', () => {
    const oldest = waitingAtProd('a', '2026-01-01T00:00:00.000Z');
    const newest = waitingAtProd('c', '2026-01-01T00:02:00.000Z');
    const middle = waitingAtProd('b', '2026-01-01T00:01:00.000Z');
    const dropped = supersededWaiting(state('SUPERSEDED', [oldest, newest, middle]));
    expect(
      dropped.map(({ older, newer, stageName }) => [older.executionId, newer.executionId, stageName]),
    ).toEqual([
      ['a', 'c', 'Prod'],
      ['b', 'c', 'Prod'],
    ]);
  });

  it('drops nobody waiting at the first stage, nor in QUEUED mode', () => {
    const first = execution('a', '2026-01-01T00:00:00.000Z', []);
    const second = execution('b', '2026-01-01T00:01:00.000Z', []);
    expect(supersededWaiting(state('SUPERSEDED', [first, second]))).toEqual([]);
    const a = waitingAtProd('a', '2026-01-01T00:00:00.000Z');
    const b = waitingAtProd('b', '2026-01-01T00:01:00.000Z');
    expect(supersededWaiting(state('QUEUED', [a, b]))).toEqual([]);
  });
});
