// The aws adapter across a multi-account Organization: each environment is read (stack, resources,
// events, template, drift, Config) and destroyed with credentials assumed into its own account and a
// client in its own region.
import {
  DeleteStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigRulesCommand,
} from '@aws-sdk/client-config-service';
import { type ClientIdentity, identityOf } from '@sep/registry/target-access/testing';
import { localRegistryStore } from '@sep/registry/testing';
import {
  at,
  stackMissing as missing,
  mockAws,
  PIPELINE_ACCOUNT,
  pipelineAtRest,
  readingAwsPlatform,
  recordIn as record,
  stackIdOf,
  stackOf,
  testAwsPlatform,
} from './aws-platform.test-support';

const { cfn, config, pipeline, sts } = mockAws();
const store = localRegistryStore({ tablePrefix: 'aws-targets' });

const EAST = { account: '222222222222', region: 'us-east-1' };
const WEST = { account: '333333333333', region: 'eu-west-1' };

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

beforeEach(() => pipelineAtRest(pipeline));

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
    const platform = readingAwsPlatform();
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
