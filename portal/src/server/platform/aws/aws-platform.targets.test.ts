// The aws adapter across a multi-account Organization: each environment is read (stack, resources,
// events, template, drift, Config) and destroyed with credentials assumed into its own account and a
// client in its own region; its progress is read beside what the pipeline says of its actions.
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DeleteStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  type GetPipelineStateCommandOutput,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import {
  ConfigServiceClient,
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigRulesCommand,
} from '@aws-sdk/client-config-service';
import type { EnvironmentRecord } from '@sep/registry';
import { type ClientIdentity, identityOf, mockTargetSts } from '@sep/registry/target-access/testing';
import { localRegistryStore } from '@sep/registry/testing';
import { parseEnvironmentSpec } from '@sep/spec';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeRegistry } from '../../domain/registry-fakes.test-support';
import { OUTPUTS_OF_PREVIOUS_VERSION } from './aws-platform';
import { PIPELINE_ACCOUNT, testAwsPlatform } from './aws-platform.test-support';

const cfn = mockClient(CloudFormationClient);
const config = mockClient(ConfigServiceClient);
const pipeline = mockClient(CodePipelineClient);
const sts = mockTargetSts();
const store = localRegistryStore({ tablePrefix: 'aws-targets' });

const EAST = { account: '222222222222', region: 'us-east-1' };
const WEST = { account: '333333333333', region: 'eu-west-1' };
const at = (seconds: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, seconds));

function record(
  suffix: string,
  target: { account?: string; region: string },
  overrides: Partial<EnvironmentRecord> = {},
): EnvironmentRecord {
  const parsed = parseEnvironmentSpec({
    environmentSuffix: suffix,
    kind: 'ephemeral',
    owner: 'alice',
    project: 'p',
    costCenter: 'c',
    ...target,
  });
  if (!parsed.success) throw new Error('bad spec');
  return {
    environmentSuffix: suffix,
    spec: parsed.spec,
    status: 'ready',
    requestedBy: 'alice',
    createdAt: at(0).toISOString(),
    updatedAt: at(0).toISOString(),
    version: 3,
    ...overrides,
  };
}

const stackIdOf = (suffix: string, target: { account: string; region: string }) =>
  `arn:aws:cloudformation:${target.region}:${target.account}:stack/sep-${suffix}-environment/1a2b`;

function stackOf(
  suffix: string,
  target: { account: string; region: string },
  overrides: Partial<Stack> = {},
): Stack {
  return {
    StackName: `sep-${suffix}-environment`,
    StackId: stackIdOf(suffix, target),
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: at(0),
    EnableTerminationProtection: false,
    Outputs: [
      {
        OutputKey: 'ApiUrl',
        OutputValue: `https://${suffix}.execute-api.${target.region}.amazonaws.com/v1/`,
      },
    ],
    Tags: [
      { Key: 'Environment', Value: suffix },
      { Key: 'EnvironmentKind', Value: 'ephemeral' },
    ],
    ...overrides,
  };
}

function missing(name: string) {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${name} does not exist`,
  });
}

/**
 * CloudFormation and AWS Config of several accounts and regions: a call sees only what exists in the
 * account its credentials act in (the assumed role's), in its client's region. Every call is recorded
 * with who made it.
 */
function organization(stacks: Record<string, Stack[]>, rules: Record<string, string[]> = {}) {
  const calls: { command: string; by: ClientIdentity }[] = [];
  const scope = async (command: string, getClient: () => unknown) => {
    const by = await identityOf(getClient() as Parameters<typeof identityOf>[0]);
    calls.push({ command, by });
    const key = `${by.account}/${by.region}`;
    return { live: stacks[key] ?? [], rules: rules[key] ?? [] };
  };
  const find = (live: Stack[], name?: string) => {
    const found = live.find((stack) => stack.StackName === name || stack.StackId === name);
    if (found === undefined) throw missing(name ?? '');
    return found;
  };
  cfn.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }, getClient) => {
    const { live } = await scope('DescribeStacks', getClient);
    return { Stacks: [find(live, input.StackName)] };
  });
  cfn.on(ListStackResourcesCommand).callsFake(async (input: { StackName: string }, getClient) => {
    const { live } = await scope('ListStackResources', getClient);
    find(live, input.StackName);
    return {
      StackResourceSummaries: [
        {
          LogicalResourceId: 'DataBucket',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: at(1),
        },
      ],
    };
  });
  cfn.on(DescribeStackEventsCommand).callsFake(async (input: { StackName: string }, getClient) => {
    const { live } = await scope('DescribeStackEvents', getClient);
    const stack = find(live, input.StackName);
    return {
      StackEvents: [
        {
          EventId: 'e2',
          StackId: stack.StackId,
          StackName: stack.StackName,
          LogicalResourceId: stack.StackName,
          ResourceType: 'AWS::CloudFormation::Stack',
          ResourceStatus: stack.StackStatus,
          Timestamp: at(2),
        },
        {
          EventId: 'e1',
          StackId: stack.StackId,
          StackName: stack.StackName,
          LogicalResourceId: stack.StackName,
          ResourceType: 'AWS::CloudFormation::Stack',
          ResourceStatus: 'CREATE_IN_PROGRESS',
          ResourceStatusReason: 'User Initiated',
          Timestamp: at(0),
        },
      ],
    };
  });
  cfn.on(GetTemplateCommand).callsFake(async (input: { StackName: string }, getClient) => {
    const { live } = await scope('GetTemplate', getClient);
    find(live, input.StackName);
    return { TemplateBody: JSON.stringify({ Resources: { DataBucket: {} } }) };
  });
  cfn.on(DetectStackDriftCommand).callsFake(async (input: { StackName: string }, getClient) => {
    const { live } = await scope('DetectStackDrift', getClient);
    return { StackDriftDetectionId: `drift-${find(live, input.StackName).StackId}` };
  });
  cfn.on(DescribeStackDriftDetectionStatusCommand).callsFake(async (_input, getClient) => {
    await scope('DescribeStackDriftDetectionStatus', getClient);
    return {
      DetectionStatus: 'DETECTION_COMPLETE',
      StackDriftStatus: 'IN_SYNC',
      StackId: 'x',
      StackDriftDetectionId: 'x',
      Timestamp: at(3),
    };
  });
  cfn.on(DescribeStackResourceDriftsCommand).callsFake(async (input: { StackName: string }, getClient) => {
    const { live } = await scope('DescribeStackResourceDrifts', getClient);
    find(live, input.StackName);
    return { StackResourceDrifts: [] };
  });
  cfn.on(DeleteStackCommand).callsFake(async (input: { StackName: string }, getClient) => {
    const { live } = await scope('DeleteStack', getClient);
    const index = live.findIndex((stack) => stack.StackId === input.StackName);
    if (index === -1) throw new Error(`AccessDenied: no stack ${input.StackName} here`);
    live.splice(index, 1);
    return {};
  });
  config.on(DescribeConfigRulesCommand).callsFake(async (_input, getClient) => {
    const { rules: names } = await scope('DescribeConfigRules', getClient);
    return {
      ConfigRules: names.map((name) => ({
        ConfigRuleName: name,
        Source: { Owner: 'AWS' as const, SourceIdentifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED' },
        Scope: { TagKey: 'Environment', TagValue: name.replace(/^sep-/, '').replace(/-s3-encrypted$/, '') },
      })),
    };
  });
  config
    .on(DescribeComplianceByConfigRuleCommand)
    .callsFake(async (input: { ConfigRuleNames: string[] }, getClient) => {
      await scope('DescribeComplianceByConfigRule', getClient);
      return {
        ComplianceByConfigRules: input.ConfigRuleNames.map((name) => ({
          ConfigRuleName: name,
          Compliance: { ComplianceType: 'COMPLIANT' as const },
        })),
      };
    });
  return calls;
}

beforeEach(() => {
  cfn.reset();
  config.reset();
  pipeline.reset();
  sts.reset();
  pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
  pipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
  pipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });
});

describe('two accounts, two regions', () => {
  it('reads each environment (stack, resources, events, template, drift, Config) as its own account, in its own region', async () => {
    const calls = organization(
      {
        '222222222222/us-east-1': [stackOf('pr-east', EAST)],
        '333333333333/eu-west-1': [stackOf('pr-west', WEST)],
        // The same names where a portal without the target's role would look: never read.
        [`${PIPELINE_ACCOUNT}/us-east-1`]: [
          stackOf('pr-east', { account: PIPELINE_ACCOUNT, region: 'us-east-1' }),
          stackOf('pr-west', { account: PIPELINE_ACCOUNT, region: 'us-east-1' }),
        ],
      },
      {
        '222222222222/us-east-1': ['sep-pr-east-s3-encrypted'],
        '333333333333/eu-west-1': ['sep-pr-west-s3-encrypted'],
      },
    );
    const platform = testAwsPlatform({ registry: fakeRegistry([]).store, driftPollMs: 1 });
    const east = record('pr-east', EAST);
    const west = record('pr-west', WEST);

    const [eastView, westView] = [
      await platform.describe({ record: east }),
      await platform.describe({ record: west }),
    ];
    expect(eastView).toMatchObject({
      stackId: stackIdOf('pr-east', EAST),
      progress: { phase: 'complete', percent: 100 },
    });
    expect(eastView.outputs[0]?.value).toContain('.us-east-1.');
    expect(westView).toMatchObject({ stackId: stackIdOf('pr-west', WEST), progress: { phase: 'complete' } });
    expect(westView.outputs[0]?.value).toContain('.eu-west-1.');
    expect((await platform.compliance({ record: east })).runtime.rules.map((rule) => rule.ruleName)).toEqual([
      'sep-pr-east-s3-encrypted',
    ]);
    expect((await platform.compliance({ record: west })).runtime.rules.map((rule) => rule.ruleName)).toEqual([
      'sep-pr-west-s3-encrypted',
    ]);
    expect((await platform.detectDrift({ record: west })).status).toBe('IN_SYNC');

    const by = (account: string, region: string) => ({
      account,
      roleRegion: region,
      region,
      sessionName: 'sep-portal',
    });
    const eastCalls = calls.filter((call) => call.by.account === EAST.account);
    const westCalls = calls.filter((call) => call.by.account === WEST.account);
    expect(calls).toHaveLength(eastCalls.length + westCalls.length);
    for (const call of eastCalls) expect(call.by).toEqual(by(EAST.account, EAST.region));
    for (const call of westCalls) expect(call.by).toEqual(by(WEST.account, WEST.region));
    expect(new Set(westCalls.map((call) => call.command))).toEqual(
      new Set([
        'DescribeStacks',
        'DescribeStackEvents',
        'ListStackResources',
        'GetTemplate',
        'DescribeConfigRules',
        'DescribeComplianceByConfigRule',
        'DetectStackDrift',
        'DescribeStackDriftDetectionStatus',
        'DescribeStackResourceDrifts',
      ]),
    );
    // Sessions are the SDK's, kept per client: one AssumeRole per account/region and service, not per call.
    expect([...new Set(sts.assumed)]).toEqual([
      'arn:aws:iam::222222222222:role/sep-account-us-east-1-platform',
      'arn:aws:iam::333333333333:role/sep-account-eu-west-1-platform',
    ]);
    expect(sts.assumed).toHaveLength(4);
  });

  it('destroys each environment in its own account and region, and fails one whose stack is not there', async () => {
    const { registry } = await store.freshRegistry();
    const eastStacks = [stackOf('pr-east', EAST)];
    const calls = organization({ '222222222222/us-east-1': eastStacks, '333333333333/eu-west-1': [] });
    const platform = testAwsPlatform({ registry });
    for (const [suffix, target] of [
      ['pr-east', EAST],
      ['pr-west', WEST],
    ] as const) {
      await registry.register({ spec: record(suffix, target).spec, requestedBy: 'alice' });
      await registry.updateStatus({ environmentSuffix: suffix, status: 'deploying' });
      await registry.updateStatus({
        environmentSuffix: suffix,
        status: 'ready',
        stackId: stackIdOf(suffix, target),
      });
    }
    const claim = async (suffix: string) => {
      const current = await registry.get({ environmentSuffix: suffix });
      if (current === undefined) throw new Error('gone');
      return registry.updateStatus({
        environmentSuffix: suffix,
        status: 'destroying',
        statusReason: 'destroy requested by alice',
        expectedVersion: current.version,
      });
    };
    const east = await claim('pr-east');
    await expect(platform.teardown({ record: east, reason: 'x' })).resolves.toMatchObject({
      outcome: 'in-progress',
    });
    expect(calls.filter((call) => call.command === 'DeleteStack').map((call) => call.by)).toEqual([
      { account: EAST.account, roleRegion: EAST.region, region: EAST.region, sessionName: 'sep-portal' },
    ]);
    expect(eastStacks).toEqual([]);

    // pr-west's stack is not in 333333333333/eu-west-1: an error to investigate, never "already gone".
    const west = await claim('pr-west');
    const step = await platform.teardown({ record: west, reason: 'x' });
    expect(step.outcome).toBe('failed');
    expect(step).toMatchObject({
      reason: expect.stringContaining(
        `its stack ${stackIdOf('pr-west', WEST)} is not found in 333333333333/eu-west-1`,
      ),
    });
    expect(await registry.get({ environmentSuffix: 'pr-west' })).toMatchObject({ status: 'failed' });
    expect(calls.filter((call) => call.command === 'DeleteStack')).toHaveLength(1);
  });
});

describe('progress: every resource and the whole current operation', () => {
  const HOME = { account: PIPELINE_ACCOUNT, region: 'us-east-1' };

  it('counts all resources (ListStackResources pages) and reads events back to the operation start', async () => {
    const stack = stackOf('big', HOME, { StackStatus: 'CREATE_IN_PROGRESS', Outputs: [] });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack] });
    const summary = (index: number) => ({
      LogicalResourceId: `R${index}`,
      ResourceType: 'AWS::SNS::Topic',
      ResourceStatus: index < 120 ? ('CREATE_COMPLETE' as const) : ('CREATE_IN_PROGRESS' as const),
      LastUpdatedTimestamp: at(1),
    });
    cfn.on(ListStackResourcesCommand, { StackName: 'sep-big-environment' }).resolves({
      StackResourceSummaries: Array.from({ length: 100 }, (_, i) => summary(i)),
      NextToken: 'page-2',
    });
    cfn
      .on(ListStackResourcesCommand, { StackName: 'sep-big-environment', NextToken: 'page-2' })
      .resolves({ StackResourceSummaries: Array.from({ length: 60 }, (_, i) => summary(100 + i)) });
    cfn.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({
        Resources: Object.fromEntries(Array.from({ length: 160 }, (_, i) => [`R${i}`, {}])),
      }),
    });
    const event = (n: number, overrides: Partial<StackEvent> = {}): StackEvent => ({
      EventId: `ev-${n}`,
      StackId: stack.StackId,
      StackName: stack.StackName,
      LogicalResourceId: `R${n}`,
      ResourceType: 'AWS::SNS::Topic',
      ResourceStatus: 'CREATE_COMPLETE',
      Timestamp: at(n),
      ...overrides,
    });
    const start = event(0, {
      LogicalResourceId: 'sep-big-environment',
      ResourceType: 'AWS::CloudFormation::Stack',
      ResourceStatus: 'CREATE_IN_PROGRESS',
      ResourceStatusReason: 'User Initiated',
    });
    // Newest first: two pages of this operation, then the end of an earlier one that must not count.
    cfn.on(DescribeStackEventsCommand, { StackName: stack.StackId }).resolves({
      StackEvents: Array.from({ length: 100 }, (_, i) => event(250 - i)),
      NextToken: 'events-2',
    });
    cfn.on(DescribeStackEventsCommand, { StackName: stack.StackId, NextToken: 'events-2' }).resolves({
      StackEvents: [
        ...Array.from({ length: 50 }, (_, i) => event(150 - i)),
        start,
        event(-5, { LogicalResourceId: 'Old', ResourceStatus: 'DELETE_FAILED' }),
      ],
      NextToken: 'events-3',
    });
    const platform = testAwsPlatform({ registry: fakeRegistry([]).store });
    const view = await platform.describe({ record: record('big', HOME, { status: 'deploying' }) });
    expect(view.progress).toMatchObject({
      phase: 'deploying',
      resourcesDone: 120,
      resourcesTotal: 160,
      percent: 75,
    });
    expect(view.timeline).toHaveLength(0); // COMPLETE without IN_PROGRESS in the operation: nothing to chart
    expect(view.events).toHaveLength(151);
    expect(view.events[0]?.eventId).toBe('ev-0');
    expect(view.events.map((e) => e.logicalResourceId)).not.toContain('Old');
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(2);

    // The next poll reads only what is new: the first page, up to an event it already has.
    cfn.on(DescribeStackEventsCommand, { StackName: stack.StackId }).resolves({
      StackEvents: [event(251), ...Array.from({ length: 99 }, (_, i) => event(250 - i))],
      NextToken: 'events-2',
    });
    const next = await platform.describe({ record: record('big', HOME, { status: 'deploying' }) });
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(3);
    expect(next.events).toHaveLength(152);
    expect(next.events.at(-1)?.eventId).toBe('ev-251');
  });

  it('keeps the outputs of a stack whose update rolled back, with a warning', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [stackOf('pr-1', HOME, { StackStatus: 'UPDATE_ROLLBACK_COMPLETE', LastUpdatedTime: at(30) })],
    });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources":{}}' });
    const view = await testAwsPlatform({ registry: fakeRegistry([]).store }).describe({
      record: record('pr-1', HOME),
    });
    expect(view.progress.phase).toBe('failed');
    expect(view.outputs.map((output) => output.key)).toEqual(['ApiUrl']);
    expect(view.outputsWarning).toBe(OUTPUTS_OF_PREVIOUS_VERSION);
  });

  it('marks a ROLLBACK_COMPLETE stack replaceable (it can only be deleted and created again)', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stackOf('pr-1', HOME, { StackStatus: 'ROLLBACK_COMPLETE', Outputs: [] })] });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources":{}}' });
    const view = await testAwsPlatform({ registry: fakeRegistry([]).store }).describe({
      record: record('pr-1', HOME, { status: 'deploying' }),
    });
    expect(view).toMatchObject({ replaceable: true, progress: { phase: 'failed' } });
  });
});

describe('progress: what the pipeline says of the environment', () => {
  const HOME = { account: PIPELINE_ACCOUNT, region: 'us-east-1' };
  const state = (stageStates: GetPipelineStateCommandOutput['stageStates']) => {
    pipeline.reset();
    pipeline.on(GetPipelineStateCommand).resolves({ stageStates });
  };
  const noStack = () => cfn.on(DescribeStacksCommand).rejects(missing('sep-pr-1-environment'));
  const complete = () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stackOf('pr-1', HOME, { CreationTime: at(10) })] });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources":{}}' });
  };
  const describe = (status: EnvironmentRecord['status']) =>
    testAwsPlatform({ registry: fakeRegistry([]).store }).describe({
      record: record('pr-1', HOME, { status }),
    });

  it('shows a synth that failed since the request as the failure, with its reason (not queued)', async () => {
    noStack();
    state([
      { stageName: 'Source', latestExecution: { pipelineExecutionId: 'e1', status: 'Succeeded' } },
      {
        stageName: 'Build',
        latestExecution: { pipelineExecutionId: 'e1', status: 'Failed' },
        actionStates: [
          {
            actionName: 'Synth',
            latestExecution: {
              status: 'Failed',
              lastStatusChange: at(60),
              errorDetails: { code: 'JobFailed', message: 'Error: cdk-nag found 2 errors in pr-1' },
            },
          },
        ],
      },
    ]);
    const view = await describe('requested');
    expect(view.progress.phase).toBe('failed');
    expect(view.failure).toEqual({
      logicalResourceId: 'Build/Synth',
      resourceType: 'AWS::CodePipeline::Action',
      reason: 'synth failed: Error: cdk-nag found 2 errors in pr-1',
    });
  });

  it('ignores a synth that failed before the request', async () => {
    noStack();
    state([
      {
        stageName: 'Build',
        latestExecution: { pipelineExecutionId: 'e0', status: 'Failed' },
        actionStates: [
          {
            actionName: 'Synth',
            latestExecution: { status: 'Failed', lastStatusChange: new Date(at(0).getTime() - 60_000) },
          },
        ],
      },
    ]);
    expect((await describe('requested')).progress.phase).toBe('queued');
  });

  it('is not ready at CREATE_COMPLETE while its smoke test runs, and failed when the smoke test fails', async () => {
    complete();
    const smoke = (status: 'InProgress' | 'Failed' | 'Succeeded') =>
      state([
        {
          stageName: 'pr-1',
          latestExecution: {
            pipelineExecutionId: 'e1',
            status: status === 'InProgress' ? 'InProgress' : status,
          },
          actionStates: [
            {
              actionName: 'sep-pr-1-environment.Deploy',
              latestExecution: { status: 'Succeeded', lastStatusChange: at(20) },
            },
            {
              actionName: 'Smoke',
              latestExecution: {
                status,
                lastStatusChange: at(40),
                ...(status === 'Failed'
                  ? {
                      errorDetails: {
                        code: 'JobFailed',
                        message: 'smoke: FAILED: expected 403 without the API key, got 200',
                      },
                    }
                  : {}),
              },
            },
          ],
        },
      ]);
    smoke('InProgress');
    expect((await describe('deploying')).progress.phase).toBe('deploying');
    // A ready environment redeployed by a later run does not flap while its smoke test reruns.
    expect((await describe('ready')).progress.phase).toBe('complete');
    smoke('Failed');
    const failed = await describe('deploying');
    expect(failed.progress.phase).toBe('failed');
    expect(failed.failure?.reason).toBe(
      'smoke test failed: smoke: FAILED: expected 403 without the API key, got 200',
    );
    smoke('Succeeded');
    expect((await describe('deploying')).progress.phase).toBe('complete');
  });
});
