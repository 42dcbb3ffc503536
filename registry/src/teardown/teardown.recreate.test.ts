// recreateRolledBack: a ROLLBACK_COMPLETE stack deleted so the pipeline can create it again, the entry kept.
import { DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { ephemeralSpec } from '../spec.testing';
import { STACK_ID, stack, teardownSuite } from './teardown-suite.testing';

const { cfn, codePipeline, setup, stackLifecycle } = teardownSuite('teardown-recreate');

const spec = ephemeralSpec;

describe('recreateRolledBack', () => {
  it('deletes only the ROLLBACK_COMPLETE stack, keeps the entry, counts the recreation and restarts the pipeline', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.updateStatus({
      environmentSuffix: 'pr-1',
      status: 'failed',
      statusReason: 'CREATE_FAILED',
      stackId: STACK_ID,
    });
    const rolledBack = stack({ StackStatus: 'ROLLBACK_COMPLETE' });
    stackLifecycle([rolledBack], [rolledBack, 'gone']);
    const result = await teardown.recreateRolledBack({ environmentSuffix: 'pr-1' });
    expect(result).toMatchObject({ pipelineExecutionId: 'exec-1', stacks: [{ outcome: 'deleted' }] });
    const record = await registry.get({ environmentSuffix: 'pr-1' });
    expect(record).toMatchObject({
      status: 'requested',
      recreations: 1,
      statusReason: 'rolled-back stack deleted; redeploying (automatic recreation 1)',
    });
    expect(record?.stackId).toBeUndefined();
  });

  it('stays failed with the recreating reason (the synth skips it) while CloudFormation deletes, and resumes', async () => {
    const { registry, teardown } = await setup({ stackNamesOf: () => ['sep-pr-1-environment'] });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.updateStatus({
      environmentSuffix: 'pr-1',
      status: 'failed',
      statusReason: 'CREATE_FAILED',
    });
    const rolledBack = stack({ StackStatus: 'ROLLBACK_COMPLETE' });
    stackLifecycle([], [rolledBack, stack({ StackStatus: 'DELETE_IN_PROGRESS' })]);
    const first = await teardown.recreateRolledBack({ environmentSuffix: 'pr-1', deadline: 0 });
    expect(first.stacks).toEqual([expect.objectContaining({ outcome: 'in-progress' })]);
    expect(await registry.get({ environmentSuffix: 'pr-1' })).toMatchObject({
      status: 'failed',
      recreations: 1,
      statusReason: expect.stringMatching(
        /^recreating: deleting the rolled-back stack .*was: CREATE_FAILED$/,
      ),
    });
    cfn.reset();
    stackLifecycle([], [stack({ StackStatus: 'DELETE_IN_PROGRESS' }), 'gone']);
    const second = await teardown.recreateRolledBack({ environmentSuffix: 'pr-1' });
    expect(second.pipelineExecutionId).toBe('exec-1');
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(await registry.get({ environmentSuffix: 'pr-1' })).toMatchObject({
      status: 'requested',
      recreations: 1,
    });
  });

  it('does nothing when no stack is rolled back', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([stack()], [stack()]);
    await expect(teardown.recreateRolledBack({ environmentSuffix: 'pr-1' })).resolves.toEqual({ stacks: [] });
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(codePipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });
});
