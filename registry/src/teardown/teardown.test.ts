// The destroy path of an ephemeral environment: refusals, the delete and its backoff, DELETE_FAILED
// retried then failed with the resources named, updates in flight, the deadline, and resuming.
import {
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { EnvironmentNotFoundError } from '../registry';
import { ephemeralSpec } from '../spec.testing';
import { NotEphemeralError, TeardownRefusedError } from './errors';
import { deleteStarted, STACK_ID, stack, teardownSuite } from './teardown-suite.testing';

const { cfn, codePipeline, setup, stackLifecycle } = teardownSuite('teardown');

const spec = ephemeralSpec;

describe('destroy', () => {
  it('marks destroying, deletes the stack by ID, waits with backoff, removes the entry and restarts the pipeline', async () => {
    const { registry, teardown, sleeps } = await setup();
    const registered = await registry.register({ spec: spec(), requestedBy: 'alice' });
    let statusDuringDelete: string | undefined;
    stackLifecycle(
      [stack()],
      [
        stack(),
        stack({ StackStatus: 'DELETE_IN_PROGRESS' }),
        stack({ StackStatus: 'DELETE_IN_PROGRESS' }),
        stack({ StackStatus: 'DELETE_COMPLETE' }),
      ],
    );
    cfn.on(DeleteStackCommand).callsFake(async () => {
      statusDuringDelete = (await registry.get({ environmentSuffix: 'pr-1' }))?.status;
      return {};
    });

    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'destroyed by alice' });

    expect(result).toMatchObject({
      outcome: 'destroyed',
      owner: 'alice@example.com',
      pipelineExecutionId: 'exec-1',
    });
    expect(result.stacks).toEqual([
      { stackName: 'sep-pr-1-environment', stackId: STACK_ID, outcome: 'deleted' },
    ]);
    expect(statusDuringDelete).toBe('destroying');
    expect(cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input)).toEqual([
      { StackName: STACK_ID },
    ]);
    expect(sleeps).toEqual([2000, 4000, 8000]);
    await expect(registry.get({ environmentSuffix: 'pr-1' })).resolves.toBeUndefined();
    expect(codePipeline.commandCalls(StartPipelineExecutionCommand)[0]?.args[0].input).toEqual({
      name: 'sep-pipeline',
      // Idempotent: another caller finishing the same teardown starts no second run.
      clientRequestToken: `pr-1-${Date.parse(registered.createdAt)}-v2-teardown`,
    });
  });

  it('caps the backoff', async () => {
    const { registry, teardown, sleeps } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    const inProgress = Array.from({ length: 7 }, () => stack({ StackStatus: 'DELETE_IN_PROGRESS' }));
    stackLifecycle([stack()], [stack(), ...inProgress, 'gone']);
    await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'ttl' });
    expect(sleeps).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('refuses a non-ephemeral environment without touching anything', async () => {
    const { registry, teardown } = await setup();
    await registry.register({
      spec: spec({ environmentSuffix: 'staging', kind: 'staging', alertEmails: ['ops@example.com'] }),
      requestedBy: 'admin',
    });
    await expect(teardown.destroy({ environmentSuffix: 'staging', reason: 'x' })).rejects.toBeInstanceOf(
      NotEphemeralError,
    );
    expect(cfn.calls()).toHaveLength(0);
    expect((await registry.get({ environmentSuffix: 'staging' }))?.status).toBe('requested');
  });

  it('reports an unknown environment', async () => {
    const { teardown } = await setup();
    await expect(teardown.destroy({ environmentSuffix: 'ghost', reason: 'x' })).rejects.toBeInstanceOf(
      EnvironmentNotFoundError,
    );
  });

  it.each([
    ['not tagged ephemeral', stack({}, { EnvironmentKind: 'prod' }), /not tagged EnvironmentKind=ephemeral/],
    ['termination-protected', stack({ EnableTerminationProtection: true }), /termination protection/],
  ])('refuses a stack that is %s and deletes nothing', async (_label, found, message) => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([found], [found]);
    const error = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeardownRefusedError);
    expect((error as Error).message).toMatch(message);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect((await registry.get({ environmentSuffix: 'pr-1' }))?.status).toBe('requested');
  });

  it("leaves alone another environment's stack that shares the name prefix", async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    const neighbour = stack(
      { StackId: 'arn:neighbour', StackName: 'sep-pr-1-b-environment' },
      { Environment: 'pr-1-b' },
    );
    const unrelated = stack({ StackId: 'arn:other', StackName: 'CDKToolkit' }, { Environment: 'pr-1' });
    stackLifecycle([neighbour, unrelated, stack()], [stack(), 'gone']);
    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });
    expect(result.outcome).toBe('destroyed');
    expect(cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input.StackName)).toEqual([
      STACK_ID,
    ]);
  });

  it('removes the entry when the environment never got a stack', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([], []);
    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });
    expect(result).toMatchObject({ outcome: 'destroyed', stacks: [] });
    await expect(registry.get({ environmentSuffix: 'pr-1' })).resolves.toBeUndefined();
  });

  it('treats a stack that vanished while waiting as deleted', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([stack()], [stack(), 'gone']);
    await expect(teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' })).resolves.toMatchObject({
      outcome: 'destroyed',
    });
  });

  it('retries a DELETE_FAILED stack once and succeeds', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle(
      [stack()],
      [stack(), stack({ StackStatus: 'DELETE_FAILED' }), stack({ StackStatus: 'DELETE_COMPLETE' })],
    );
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [deleteStarted(new Date())] });
    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });
    expect(result.outcome).toBe('destroyed');
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(2);
  });

  it('marks the environment failed with the resources CloudFormation could not delete', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    const failed = stack({
      StackStatus: 'DELETE_FAILED',
      StackStatusReason: 'The following resource(s) failed',
    });
    stackLifecycle([stack()], [stack(), failed]);
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        {
          StackId: STACK_ID,
          StackName: 'sep-pr-1-environment',
          EventId: '2',
          Timestamp: new Date(),
          LogicalResourceId: 'DataBucket',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'DELETE_FAILED',
          ResourceStatusReason: 'The bucket you tried to delete is not empty',
        },
        {
          StackId: STACK_ID,
          StackName: 'sep-pr-1-environment',
          EventId: '1',
          Timestamp: new Date(),
          LogicalResourceId: 'sep-pr-1-environment',
          ResourceType: 'AWS::CloudFormation::Stack',
          ResourceStatus: 'DELETE_IN_PROGRESS',
        },
        {
          StackId: STACK_ID,
          StackName: 'sep-pr-1-environment',
          EventId: '0',
          Timestamp: new Date(),
          LogicalResourceId: 'OlderFailure',
          ResourceType: 'AWS::EC2::VPC',
          ResourceStatus: 'DELETE_FAILED',
        },
      ],
    });

    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });

    expect(result.outcome).toBe('failed');
    expect(result.reason).toContain(
      'DataBucket (AWS::S3::Bucket): The bucket you tried to delete is not empty',
    );
    expect(result.reason).not.toContain('OlderFailure');
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(2);
    const record = await registry.get({ environmentSuffix: 'pr-1' });
    expect(record?.status).toBe('failed');
    expect(record?.statusReason).toContain('not empty');
    expect(codePipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  it('deletes a ROLLBACK_COMPLETE stack like any other', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    const rolledBack = stack({ StackStatus: 'ROLLBACK_COMPLETE' });
    stackLifecycle([rolledBack], [rolledBack, stack({ StackStatus: 'DELETE_COMPLETE' })]);
    await expect(teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' })).resolves.toMatchObject({
      outcome: 'destroyed',
    });
  });

  it('lets an update in flight finish before deleting', async () => {
    const { registry, teardown } = await setup();
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    const updating = stack({ StackStatus: 'UPDATE_IN_PROGRESS' });
    stackLifecycle(
      [updating],
      [
        updating,
        updating,
        stack({ StackStatus: 'UPDATE_COMPLETE' }),
        stack({ StackStatus: 'DELETE_COMPLETE' }),
      ],
    );
    let deleteCalledAfterDescribes = 0;
    cfn.on(DeleteStackCommand).callsFake(() => {
      deleteCalledAfterDescribes = cfn.commandCalls(DescribeStacksCommand).length;
      return {};
    });
    await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });
    // list + 3 describes (UPDATE_IN_PROGRESS ×2, UPDATE_COMPLETE) before the one DeleteStack.
    expect(deleteCalledAfterDescribes).toBe(4);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(1);
  });

  it('stops at the deadline, stays destroying, and resumes on the next call', async () => {
    let now = 0;
    const { registry, teardown } = await setup({ clock: () => now });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([stack()], [stack(), stack({ StackStatus: 'DELETE_IN_PROGRESS' })]);
    const first = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'ttl', deadline: 5_000 });
    expect(first.outcome).toBe('in-progress');
    expect((await registry.get({ environmentSuffix: 'pr-1' }))?.status).toBe('destroying');

    now = 100_000;
    cfn.reset();
    stackLifecycle(
      [stack({ StackStatus: 'DELETE_IN_PROGRESS' })],
      [stack({ StackStatus: 'DELETE_IN_PROGRESS' }), 'gone'],
    );
    const second = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'ttl' });
    expect(second.outcome).toBe('destroyed');
    // DELETE_IN_PROGRESS is waited on, not deleted again.
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    await expect(registry.get({ environmentSuffix: 'pr-1' })).resolves.toBeUndefined();
  });
});

describe('destroy, resumed', () => {
  it('counts deletes an earlier call made: one DELETE_FAILED after them is retried once more, then fails', async () => {
    let now = 0;
    const { registry, teardown } = await setup({ clock: () => now });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([stack()], [stack(), stack({ StackStatus: 'DELETE_IN_PROGRESS' })]);
    const first = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x', deadline: 0 });
    expect(first.outcome).toBe('in-progress');
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(1);

    // A later call (the next poll, another process) finds the first attempt failed.
    now = 100_000;
    cfn.reset();
    const failed = stack({ StackStatus: 'DELETE_FAILED', StackStatusReason: 'resources failed to delete' });
    stackLifecycle([failed], [failed]);
    let deletes = 1;
    cfn.on(DeleteStackCommand).callsFake(() => {
      deletes += 1;
      return {};
    });
    cfn.on(DescribeStackEventsCommand).callsFake(() => ({
      StackEvents: [
        ...Array.from({ length: deletes }, () => deleteStarted(new Date())),
        // A delete before this teardown claimed the entry (an earlier destroy) is not one of its attempts.
        deleteStarted(new Date('2020-01-01T00:00:00Z')),
      ],
    }));
    const second = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });

    expect(second.outcome).toBe('failed');
    expect(deletes).toBe(2);
    expect((await registry.get({ environmentSuffix: 'pr-1' }))?.statusReason).toContain(
      'resources failed to delete',
    );
  });
});
