// The progress of an environment the aws adapter reports: every resource of its stack and the whole
// current operation, beside what the environments pipeline says of its actions (synth, smoke test).
import {
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { GetPipelineStateCommand, type GetPipelineStateCommandOutput } from '@aws-sdk/client-codepipeline';
import type { EnvironmentRecord } from '@sep/registry';
import { OUTPUTS_OF_PREVIOUS_VERSION } from './aws-platform';
import {
  at,
  stackMissing as missing,
  mockAws,
  PIPELINE_ACCOUNT,
  pipelineAtRest,
  readingAwsPlatform,
  recordIn as record,
  stackOf,
} from './aws-platform.test-support';

const { cfn, pipeline } = mockAws();

beforeEach(() => pipelineAtRest(pipeline));

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
    const platform = readingAwsPlatform();
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
    const view = await readingAwsPlatform().describe({
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
    const view = await readingAwsPlatform().describe({
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
    readingAwsPlatform().describe({
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
