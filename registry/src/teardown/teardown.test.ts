import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { EnvironmentNotFoundError } from '../registry';
import { localRegistryStore } from '../registry/testing';
import { ephemeralSpec } from '../spec.testing';
import { NotEphemeralError, TeardownRefusedError } from './errors';
import { EnvironmentTeardown } from './teardown';

const cfn = mockClient(CloudFormationClient);
const codePipeline = mockClient(CodePipelineClient);

const store = localRegistryStore({ tablePrefix: 'teardown' });
beforeEach(() => {
  cfn.reset();
  codePipeline.reset();
  codePipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });
  codePipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
});

const spec = ephemeralSpec;

const STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/sep-pr-1-environment/abc';

function stack(overrides: Partial<Stack> = {}, tags: Record<string, string> = {}): Stack {
  return {
    StackId: STACK_ID,
    StackName: 'sep-pr-1-environment',
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: new Date('2026-11-20T00:00:00Z'),
    EnableTerminationProtection: false,
    Tags: Object.entries({ Environment: 'pr-1', EnvironmentKind: 'ephemeral', ...tags }).map(
      ([Key, Value]) => ({
        Key,
        Value,
      }),
    ),
    ...overrides,
  };
}

async function setup(
  options: {
    maxDeleteAttempts?: number;
    clock?: () => number;
    stackNamesOf?: (record: { environmentSuffix: string }) => readonly string[];
  } = {},
) {
  const { registry } = await store.freshRegistry();
  const sleeps: number[] = [];
  const teardown = new EnvironmentTeardown({
    registry,
    cloudFormationFor: () => new CloudFormationClient({ region: 'us-east-1' }),
    pipeline: { client: new CodePipelineClient({ region: 'us-east-1' }), pipelineName: 'sep-pipeline' },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { registry, teardown, sleeps };
}

/** The stack-level event CloudFormation writes when a delete of the stack starts. */
function deleteStarted(at: Date): StackEvent {
  return {
    StackId: STACK_ID,
    StackName: 'sep-pr-1-environment',
    EventId: `delete-${at.getTime()}`,
    Timestamp: at,
    LogicalResourceId: 'sep-pr-1-environment',
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: 'DELETE_IN_PROGRESS',
    ResourceStatusReason: 'User Initiated',
  };
}

/** The list call (no StackName) returns `listed`; by-ID describes walk through `statuses`. */
function stackLifecycle(listed: Stack[], statuses: Array<Stack | 'gone'>) {
  cfn.on(DescribeStacksCommand, {}).callsFake((input: { StackName?: string }) => {
    if (input.StackName === undefined) return { Stacks: listed };
    const next = statuses.length > 1 ? statuses.shift() : statuses[0];
    if (next === 'gone' || next === undefined)
      throw new Error(`Stack with id ${input.StackName} does not exist`);
    return { Stacks: [next] };
  });
  cfn.on(DeleteStackCommand).resolves({});
}

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
