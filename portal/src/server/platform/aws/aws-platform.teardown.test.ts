import { DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import type { EnvironmentRecord } from '@sep/registry';
import { idlePipeline } from '@sep/registry/teardown/testing';
import { localRegistryStore } from '@sep/registry/testing';
import { environmentSpec } from '../../domain/registry-fakes.test-support';
import { UpstreamError } from '../port';
import { mockAws, testAwsPlatform } from './aws-platform.test-support';
import { type StackWorldOptions, stackWorld } from './stack-world.test-support';

const { cfn, pipeline } = mockAws();

const store = localRegistryStore({ tablePrefix: 'aws-teardown' });
beforeEach(() => idlePipeline(pipeline, 'exec-teardown'));

/** The platform over a fresh registry holding `pr-9`, claimed `destroying` as the portal's destroy does. */
async function destroying(world: Omit<StackWorldOptions, 'suffix'> = {}) {
  const { registry } = await store.freshRegistry();
  const registered = await registry.register({
    spec: environmentSpec({ environmentSuffix: 'pr-9' }),
    requestedBy: 'alice',
  });
  const record = await registry.updateStatus({
    environmentSuffix: 'pr-9',
    status: 'destroying',
    statusReason: 'destroy requested by alice',
    expectedVersion: registered.version,
  });
  const platform = testAwsPlatform({ registry });
  const step = (current: EnvironmentRecord = record) =>
    platform.teardown({ record: current, reason: 'destroy requested by alice' });
  const status = async () => (await registry.get({ environmentSuffix: 'pr-9' }))?.status;
  return { registry, record, platform, step, status, world: stackWorld(cfn, { suffix: 'pr-9', ...world }) };
}

describe('AwsPlatform.teardown (the destroy path of @sep/registry/teardown, one short step per call)', () => {
  it('deletes the stack by its ID and answers in-progress at once while CloudFormation deletes', async () => {
    const { step, status, world } = await destroying({ status: 'CREATE_COMPLETE' });

    await expect(step()).resolves.toMatchObject({ outcome: 'in-progress' });
    expect(world.deletes).toEqual([world.stackId]);
    expect(await status()).toBe('destroying');

    // A later poll finds the delete running: it waits, it does not delete again.
    await expect(step()).resolves.toMatchObject({ outcome: 'in-progress' });
    expect(world.deletes).toHaveLength(1);
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
    // The environment's stack is described by name, never found by listing the account's stacks.
    const described = cfn.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName);
    expect(described).not.toContain(undefined);
  });

  it('once CloudFormation reports the stack gone: removes the entry and starts exactly one pipeline execution', async () => {
    const { registry, record, step, world } = await destroying({ status: 'CREATE_COMPLETE' });
    await step();
    world.finishDelete();

    // The destroy request and a reconciler poll may ask at the same moment.
    const [first, second] = await Promise.all([step(), step()]);

    expect(first).toEqual({ outcome: 'destroyed', pipelineExecutionId: 'exec-teardown' });
    expect(second).toEqual(first);
    await expect(registry.get({ environmentSuffix: 'pr-9' })).resolves.toBeUndefined();
    const runs = pipeline.commandCalls(StartPipelineExecutionCommand).map((call) => call.args[0].input);
    expect(runs).toEqual([
      {
        name: 'sep-environments',
        // Idempotent, so another process finishing the same teardown starts no second run. The first
        // step wrote once more: the claim remembers the stack ID it deletes.
        clientRequestToken: `pr-9-${Date.parse(record.createdAt)}-v${record.version + 1}-teardown`,
      },
    ]);
    // A step after that (another poll, the sweeper got there first) reports it destroyed and starts nothing.
    await expect(step()).resolves.toEqual({ outcome: 'destroyed' });
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);
  });

  it('removes the entry of an environment that never got a stack, within the first step', async () => {
    const { registry, step, world } = await destroying();
    await expect(step()).resolves.toMatchObject({ outcome: 'destroyed' });
    expect(world.deletes).toEqual([]);
    await expect(registry.get({ environmentSuffix: 'pr-9' })).resolves.toBeUndefined();
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);
  });

  it('DELETE_FAILED: deletes once more, then records the environment failed with what could not be deleted', async () => {
    const { registry, step, world } = await destroying({ status: 'CREATE_COMPLETE' });
    await step();
    world.set('DELETE_FAILED', 'The following resource(s) failed to delete: [DataBucket].');

    // The first failure is retried (by a later step: the attempts made before it count).
    await expect(step()).resolves.toMatchObject({ outcome: 'in-progress' });
    expect(world.deletes).toHaveLength(2);
    world.set('DELETE_FAILED', 'The following resource(s) failed to delete: [DataBucket].');

    const failed = await step();

    expect(failed.outcome).toBe('failed');
    expect(failed.outcome === 'failed' && failed.reason).toMatch(
      /^teardown failed: delete of sep-pr-9-environment failed: .*DataBucket \(AWS::S3::Bucket\): The bucket you tried to delete is not empty/,
    );
    expect(world.deletes).toHaveLength(2);
    const record = await registry.get({ environmentSuffix: 'pr-9' });
    expect(record?.status).toBe('failed');
    expect(record?.statusReason).toContain('The bucket you tried to delete is not empty');
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  it.each([
    [
      'not tagged EnvironmentKind=ephemeral',
      { tags: { Environment: 'pr-9', EnvironmentKind: 'prod' } },
      /not tagged EnvironmentKind=ephemeral/,
    ],
    [
      'tagged for another environment',
      { tags: { Environment: 'pr-9-b', EnvironmentKind: 'ephemeral' } },
      /not tagged Environment=pr-9/,
    ],
    ['termination-protected', { terminationProtection: true }, /termination protection/],
  ])('refuses a stack that is %s and deletes nothing', async (_label, world, message) => {
    const { step, status, world: stack } = await destroying({ status: 'CREATE_COMPLETE', ...world });

    const refused = await step();

    expect(refused.outcome).toBe('refused');
    expect(refused.outcome === 'refused' && refused.reason).toMatch(message);
    expect(stack.deletes).toEqual([]);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    // The platform writes nothing on a refusal: the service decides what the environment becomes.
    expect(await status()).toBe('destroying');
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  it('a throttled call fails the step with nothing deleted or written; the next step resumes', async () => {
    const { step, status, world } = await destroying({ status: 'CREATE_COMPLETE' });
    world.throttle(1);

    const throttled = await step().catch((error: unknown) => error);

    expect(throttled).toBeInstanceOf(UpstreamError);
    expect((throttled as Error).message).toBe('Throttling: Rate exceeded');
    expect(world.deletes).toEqual([]);
    expect(await status()).toBe('destroying');
    // The service's reconciler polls again (with backoff while errors last): the teardown picks up.
    await expect(step()).resolves.toMatchObject({ outcome: 'in-progress' });
    expect(world.deletes).toEqual([world.stackId]);
  });
});
