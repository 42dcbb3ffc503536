// Which stacks the teardown deletes: each known name described instead of a listing, and a stack that
// was deployed but is not found where the teardown looks treated as an error, never as already gone.
import { DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { ephemeralSpec } from '../spec.testing';
import { TeardownRefusedError } from './errors';
import { STACK_ID, stack, teardownSuite } from './teardown-suite.testing';

const { cfn, codePipeline, setup, stackLifecycle } = teardownSuite('teardown-stacks');

const spec = ephemeralSpec;

describe('destroy, with known stack names', () => {
  const stackNamesOf = (record: { environmentSuffix: string }) => [
    `sep-${record.environmentSuffix}-environment`,
  ];

  it('describes each name instead of listing every stack in the account', async () => {
    const { registry, teardown } = await setup({ stackNamesOf });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([], [stack(), stack({ StackStatus: 'DELETE_IN_PROGRESS' }), 'gone']);

    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });

    expect(result.outcome).toBe('destroyed');
    const described = cfn.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName);
    expect(described[0]).toBe('sep-pr-1-environment');
    expect(described).not.toContain(undefined);
    expect(cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input)).toEqual([
      { StackName: STACK_ID },
    ]);
    await expect(registry.get({ environmentSuffix: 'pr-1' })).resolves.toBeUndefined();
  });

  it.each([
    ['tagged for another environment', stack({}, { Environment: 'pr-1-b' }), /not tagged Environment=pr-1/],
    [
      'not tagged ephemeral',
      stack({}, { EnvironmentKind: 'staging' }),
      /not tagged EnvironmentKind=ephemeral/,
    ],
  ])('refuses a stack by that name %s and deletes nothing', async (_label, found, message) => {
    const { registry, teardown } = await setup({ stackNamesOf });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([], [found]);
    const error = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeardownRefusedError);
    expect((error as Error).message).toMatch(message);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect((await registry.get({ environmentSuffix: 'pr-1' }))?.status).toBe('requested');
  });

  it('removes the entry when no stack has that name', async () => {
    const { registry, teardown } = await setup({ stackNamesOf });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([], ['gone']);
    await expect(teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' })).resolves.toMatchObject({
      outcome: 'destroyed',
      stacks: [],
    });
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    await expect(registry.get({ environmentSuffix: 'pr-1' })).resolves.toBeUndefined();
  });
});
describe('destroy: a stack that was deployed and is not found is an error to investigate', () => {
  it('fails an entry that is ready when no stack of it is found, deletes nothing and keeps it', async () => {
    const { registry, teardown } = await setup({ stackNamesOf: () => ['sep-pr-1-environment'] });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.updateStatus({ environmentSuffix: 'pr-1', status: 'deploying' });
    await registry.updateStatus({ environmentSuffix: 'pr-1', status: 'ready' });
    stackLifecycle([], ['gone']);
    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'ttl' });
    expect(result.outcome).toBe('failed');
    expect(result.reason).toBe(
      'teardown failed: it is ready but no stack of it is found in the default account/us-east-1 (another account or region, or deleted outside the platform): nothing was deleted and the entry is kept',
    );
    const record = await registry.get({ environmentSuffix: 'pr-1' });
    expect(record?.status).toBe('failed');
    expect(record?.statusReason).toBe(result.reason);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(codePipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  it('fails when the stack the platform saw (its stack ID) does not exist where the teardown looks', async () => {
    const { registry, teardown } = await setup({ stackNamesOf: () => ['sep-pr-1-environment'] });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.updateStatus({ environmentSuffix: 'pr-1', status: 'destroying', stackId: STACK_ID });
    stackLifecycle([], ['gone']);
    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' });
    expect(result).toMatchObject({ outcome: 'failed', stacks: [] });
    expect(result.reason).toContain(`its stack ${STACK_ID} is not found in the default account/us-east-1`);
    expect((await registry.get({ environmentSuffix: 'pr-1' }))?.status).toBe('failed');
  });

  it('finds its own deleted stack by ID when resumed, and finishes', async () => {
    const { registry, teardown } = await setup({ stackNamesOf: () => ['sep-pr-1-environment'] });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.updateStatus({ environmentSuffix: 'pr-1', status: 'destroying', stackId: STACK_ID });
    cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
      // By name the deleted stack "does not exist"; by its ID it is DELETE_COMPLETE.
      if (input.StackName === STACK_ID) return { Stacks: [stack({ StackStatus: 'DELETE_COMPLETE' })] };
      throw new Error(`Stack with id ${input.StackName} does not exist`);
    });
    await expect(teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' })).resolves.toMatchObject({
      outcome: 'destroyed',
    });
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('remembers the stack it deletes in the claim', async () => {
    const { registry, teardown } = await setup({ stackNamesOf: () => ['sep-pr-1-environment'] });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    stackLifecycle([], [stack(), stack({ StackStatus: 'DELETE_IN_PROGRESS' })]);
    const result = await teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x', deadline: 0 });
    expect(result.outcome).toBe('in-progress');
    expect(await registry.get({ environmentSuffix: 'pr-1' })).toMatchObject({
      status: 'destroying',
      stackId: STACK_ID,
    });
  });

  it('also deletes a stack recreated under the name after its first stack was deleted', async () => {
    const { registry, teardown } = await setup({ stackNamesOf: () => ['sep-pr-1-environment'] });
    await registry.register({ spec: spec(), requestedBy: 'alice' });
    await registry.updateStatus({ environmentSuffix: 'pr-1', status: 'destroying', stackId: STACK_ID });
    const orphanId = 'arn:aws:cloudformation:us-east-1:111111111111:stack/sep-pr-1-environment/def';
    const orphan = stack({ StackId: orphanId, CreationTime: new Date('2026-11-21T00:00:00Z') });
    let orphanDeleted = false;
    cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
      if (input.StackName === STACK_ID) return { Stacks: [stack({ StackStatus: 'DELETE_COMPLETE' })] };
      if (orphanDeleted) throw new Error(`Stack with id ${input.StackName} does not exist`);
      return { Stacks: [orphan] };
    });
    cfn.on(DeleteStackCommand).callsFake(() => {
      orphanDeleted = true;
      return {};
    });
    await expect(teardown.destroy({ environmentSuffix: 'pr-1', reason: 'x' })).resolves.toMatchObject({
      outcome: 'destroyed',
    });
    expect(cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input)).toEqual([
      { StackName: orphanId },
    ]);
  });
});
