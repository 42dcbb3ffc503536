import { readPipelineAssembly } from '@sep/pipeline/definition';
import {
  assembly,
  ControlledWork,
  ENVIRONMENT_STAGE,
  newPlayer,
  PROD_STAGE,
  stageStatuses,
  tick,
} from './pipeline-player.test-support';

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

  it("stops an execution: its actions are abandoned, its synth is told to stop, another execution's work carries on", async () => {
    const work = new ControlledWork();
    const signals: AbortSignal[] = [];
    const synth = work.synth.bind(work);
    work.synth = (execution, definition, signal) => {
      signals.push(signal);
      return synth(execution, definition, signal);
    };
    const pipeline = assembly([ENVIRONMENT_STAGE], 'PARALLEL');
    const { player } = newPlayer(work);
    await player.bootstrap(pipeline);
    const doomed = await player.startExecution('request pr-1');
    await tick(player, 5);
    expect(signals).toHaveLength(1);
    await player.stopExecution(doomed.executionId, 'pr-1 is being destroyed');
    const state = await tick(player, 0);
    expect(signals[0]?.aborted).toBe(true);
    const stopped = state.executions.find((e) => e.executionId === doomed.executionId);
    expect(stopped).toMatchObject({ status: 'Stopped', statusSummary: 'pr-1 is being destroyed' });
    expect(stageStatuses(stopped)).toMatchObject({ Source: 'Succeeded', Build: 'Stopped' });
    expect(stopped?.stages[1]?.actions[0]?.status).toBe('Abandoned');

    const next = await player.startExecution('destroy of pr-1');
    await tick(player, 5);
    expect(signals).toHaveLength(2);
    expect(signals[1]?.aborted).toBe(false);
    expect(stageStatuses((await tick(player, 0)).executions.at(-1))).toMatchObject({ Build: 'InProgress' });
    expect((await player.peek())?.executions.at(-1)?.executionId).toBe(next.executionId);
    await player.close();
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
