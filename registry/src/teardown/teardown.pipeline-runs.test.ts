// The teardown and the environments pipeline: it waits for an execution in flight, and starts the run
// that drops the environment's stage.
import { DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { ListPipelineExecutionsCommand, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { ephemeralSpec } from '../spec.testing';
import { stack, teardownSuite } from './teardown-suite.testing';

const { cfn, codePipeline, setup, stackLifecycle } = teardownSuite('teardown-pipeline-runs');

const spec = ephemeralSpec;

describe('destroy: in-flight executions of the environments pipeline', () => {
  it('waits for an execution that started before the destroy, then deletes once it has finished', async () => {
    let now = Date.parse('2026-11-23T12:00:00Z');
    const { registry, teardown } = await setup({ clock: () => now });
    await registry.register({ spec: spec(), requestedBy: 'alice', now: new Date('2026-11-23T11:00:00Z') });
    const before = {
      pipelineExecutionId: 'early',
      status: 'InProgress' as const,
      startTime: new Date('2026-11-23T11:30:00Z'),
    };
    const after = {
      pipelineExecutionId: 'late',
      status: 'InProgress' as const,
      startTime: new Date('2099-01-01T00:00:00Z'),
    };
    codePipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [after, before] });
    stackLifecycle([stack()], [stack()]);
    const first = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x', deadline: now });
    expect(first.outcome).toBe('in-progress');
    expect(first.reason).toMatch(
      /^waiting for pipeline execution early to finish: it started before the destroy/,
    );
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect((await registry.get({ environmentSuffix: 'pr-1' }))?.status).toBe('destroying');
    expect(codePipeline.commandCalls(ListPipelineExecutionsCommand)[0]?.args[0].input).toEqual({
      pipelineName: 'sep-pipeline',
      maxResults: 100,
    });

    // The early execution is done (it deployed the stack once more); one started after the claim read
    // the entry as destroying and skipped it, so it is no reason to wait.
    now += 60_000;
    codePipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [after, { ...before, status: 'Succeeded' as const }] });
    stackLifecycle([stack()], [stack(), 'gone']);
    const second = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });
    expect(second.outcome).toBe('destroyed');
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(1);
    // That later execution drops the stage at its self-mutation: a new run would cancel it mid-deploy.
    expect(second.pipelineExecutionId).toBe('late');
    expect(codePipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  it('starts the run that drops the stage when no execution started after the destroy is running', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice', now: new Date('2026-11-23T11:00:00Z') });
    const ended = {
      pipelineExecutionId: 'ended',
      status: 'Succeeded' as const,
      startTime: new Date('2099-01-01'),
    };
    const stopping = {
      pipelineExecutionId: 'stopping',
      status: 'Stopping' as const,
      startTime: new Date('2099-01-01'),
    };
    codePipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [stopping, ended] });
    stackLifecycle([stack()], [stack(), 'gone']);

    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });
    expect(result).toMatchObject({ outcome: 'destroyed', pipelineExecutionId: 'exec-1' });
    expect(codePipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);
  });
});
