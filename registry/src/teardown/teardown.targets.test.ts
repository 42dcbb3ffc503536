// The teardown across a multi-account Organization: every environment is looked up and deleted with
// credentials assumed into its own account and a client in its own region, and a stack that is not
// where the environment says is a failure, never "already gone".
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { parseEnvironmentSpec } from '@sep/spec';
import { localRegistryStore } from '../registry/testing';
import { TargetAccess } from '../target-access';
import { type ClientIdentity, identityOf, mockTargetSts } from '../target-access.testing';
import { mockTeardownAws, testTeardown } from './teardown.testing';

const PIPELINE_ACCOUNT = '111111111111';
const { cfn, codePipeline } = mockTeardownAws();
const sts = mockTargetSts();
const store = localRegistryStore({ tablePrefix: 'teardown-targets' });

/** CloudFormation in several accounts and regions: a call sees only the stacks of the account its credentials act in, in its client's region. */
function fakeCloudFormation(stacks: Record<string, Stack[]>) {
  const deletes: { stackId: string; by: ClientIdentity }[] = [];
  const where = async (getClient: () => unknown) => {
    const identity = await identityOf(getClient() as Parameters<typeof identityOf>[0]);
    // A role is per region: a session of the us-east-1 role calling eu-west-1 would be a bug here.
    if (identity.roleRegion !== identity.region)
      throw new Error(`role of ${identity.roleRegion} used in ${identity.region}`);
    return { identity, live: stacks[`${identity.account}/${identity.region}`] ?? [] };
  };
  cfn.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }, getClient) => {
    const { live } = await where(getClient);
    const found = live.find(
      (stack) => stack.StackName === input.StackName || stack.StackId === input.StackName,
    );
    if (found === undefined)
      throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), {
        name: 'ValidationError',
      });
    return { Stacks: [found] };
  });
  cfn.on(DeleteStackCommand).callsFake(async (input: { StackName: string }, getClient) => {
    const { identity, live } = await where(getClient);
    const index = live.findIndex((stack) => stack.StackId === input.StackName);
    if (index === -1)
      throw new Error(
        `AccessDenied or no such stack ${input.StackName} in ${identity.account}/${identity.region}`,
      );
    live.splice(index, 1);
    deletes.push({ stackId: input.StackName, by: identity });
    return {};
  });
  return deletes;
}

function environmentStack(suffix: string, account: string, region: string, id = 'a1'): Stack {
  return {
    StackId: `arn:aws:cloudformation:${region}:${account}:stack/sep-${suffix}-environment/${id}`,
    StackName: `sep-${suffix}-environment`,
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: new Date('2026-11-20T00:00:00Z'),
    EnableTerminationProtection: false,
    Tags: [
      { Key: 'Environment', Value: suffix },
      { Key: 'EnvironmentKind', Value: 'ephemeral' },
    ],
  };
}

function spec(environmentSuffix: string, target: { account?: string; region: string }) {
  const parsed = parseEnvironmentSpec({
    environmentSuffix,
    kind: 'ephemeral',
    owner: 'alice@example.com',
    project: 'payments',
    costCenter: 'cc-1',
    ...target,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

async function deployed(
  registry: Awaited<ReturnType<typeof store.freshRegistry>>['registry'],
  suffix: string,
  target: { account?: string; region: string },
) {
  await registry.register({ spec: spec(suffix, target), requestedBy: 'alice' });
  await registry.updateStatus({ environmentSuffix: suffix, status: 'deploying' });
  await registry.updateStatus({ environmentSuffix: suffix, status: 'ready' });
}

let access: TargetAccess;
beforeEach(() => {
  sts.reset();
  access = new TargetAccess({
    defaultAccount: PIPELINE_ACCOUNT,
    sessionName: 'sep-ttl-sweeper',
    masterCredentials: async () => ({ accessKeyId: 'PIPELINE', secretAccessKey: 'secret' }),
  });
});
afterEach(() => access.destroy());

async function teardownWith() {
  const { registry } = await store.freshRegistry();
  const { teardown } = testTeardown({
    registry,
    cloudFormationFor: (target) => access.client(CloudFormationClient, target),
    stackNamesOf: (record) => [`sep-${record.environmentSuffix}-environment`],
    defaultAccount: PIPELINE_ACCOUNT,
    pipeline: { pipelineName: 'sep-delivery', client: new CodePipelineClient({ region: 'us-east-1' }) },
  });
  return { registry, teardown };
}

it('destroys each environment in its own account and region, through the role assumed there', async () => {
  const { registry, teardown } = await teardownWith();
  await deployed(registry, 'pr-east', { account: '222222222222', region: 'us-east-1' });
  await deployed(registry, 'pr-west', { account: '333333333333', region: 'eu-west-1' });
  await deployed(registry, 'pr-home', { region: 'eu-west-1' });
  const decoy = environmentStack('pr-east', PIPELINE_ACCOUNT, 'us-east-1', 'decoy');
  const deletes = fakeCloudFormation({
    '222222222222/us-east-1': [environmentStack('pr-east', '222222222222', 'us-east-1')],
    '333333333333/eu-west-1': [environmentStack('pr-west', '333333333333', 'eu-west-1')],
    [`${PIPELINE_ACCOUNT}/eu-west-1`]: [environmentStack('pr-home', PIPELINE_ACCOUNT, 'eu-west-1')],
    // Same name, the pipeline's own account and region: what a teardown without the target's role would find.
    [`${PIPELINE_ACCOUNT}/us-east-1`]: [decoy],
  });

  for (const suffix of ['pr-east', 'pr-west', 'pr-home']) {
    await expect(teardown.destroy({ environmentSuffix: suffix, reason: 'ttl' })).resolves.toMatchObject({
      outcome: 'destroyed',
    });
  }

  expect(deletes).toEqual([
    {
      stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/sep-pr-east-environment/a1',
      by: {
        account: '222222222222',
        roleRegion: 'us-east-1',
        region: 'us-east-1',
        sessionName: 'sep-ttl-sweeper',
      },
    },
    {
      stackId: 'arn:aws:cloudformation:eu-west-1:333333333333:stack/sep-pr-west-environment/a1',
      by: {
        account: '333333333333',
        roleRegion: 'eu-west-1',
        region: 'eu-west-1',
        sessionName: 'sep-ttl-sweeper',
      },
    },
    {
      // No account in the spec: the pipeline account, still through its platform-access role.
      stackId: `arn:aws:cloudformation:eu-west-1:${PIPELINE_ACCOUNT}:stack/sep-pr-home-environment/a1`,
      by: {
        account: PIPELINE_ACCOUNT,
        roleRegion: 'eu-west-1',
        region: 'eu-west-1',
        sessionName: 'sep-ttl-sweeper',
      },
    },
  ]);
  // One session per account and region, reused for every call of its teardown.
  expect(sts.assumed).toEqual([
    'arn:aws:iam::222222222222:role/sep-account-us-east-1-platform',
    'arn:aws:iam::333333333333:role/sep-account-eu-west-1-platform',
    `arn:aws:iam::${PIPELINE_ACCOUNT}:role/sep-account-eu-west-1-platform`,
  ]);
  expect(decoy.StackStatus).toBe('CREATE_COMPLETE');
  await expect(registry.list()).resolves.toEqual([]);
});

it('fails, and deletes nothing, when a deployed environment has no stack in its own account and region', async () => {
  const { registry, teardown } = await teardownWith();
  await deployed(registry, 'pr-lost', { account: '222222222222', region: 'eu-west-1' });
  // Its stack exists, but in another region of the account: not where the environment says it is.
  const deletes = fakeCloudFormation({
    '222222222222/us-east-1': [environmentStack('pr-lost', '222222222222', 'us-east-1')],
  });
  const result = await teardown.destroy({ environmentSuffix: 'pr-lost', reason: 'ttl' });
  expect(result.outcome).toBe('failed');
  expect(result.reason).toBe(
    'teardown failed: it is ready but no stack of it is found in 222222222222/eu-west-1 (another account or region, or deleted outside the platform): nothing was deleted and the entry is kept',
  );
  expect(deletes).toEqual([]);
  expect(await registry.get({ environmentSuffix: 'pr-lost' })).toMatchObject({ status: 'failed' });
  expect(codePipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
});
