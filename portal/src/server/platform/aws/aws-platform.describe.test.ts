// The aws adapter reading one environment's stack: progress against its template, events, the root
// cause of a failure, a stack gone or not created yet, throttling, and outputs read once per version.
import {
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type ResourceStatus,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { GetPipelineStateCommand } from '@aws-sdk/client-codepipeline';
import type { EnvironmentRecord } from '@sep/registry';
import { NotDeployedError } from '../port';
import {
  at,
  awsRecord,
  cloudFormationError as clientError,
  mockAws,
  readingAwsPlatform as platform,
} from './aws-platform.test-support';

const { cfn, pipeline } = mockAws();

/** `pr-9`, an ephemeral environment in the pipeline account, in `status`. */
const record = (status: EnvironmentRecord['status'] = 'deploying') =>
  awsRecord({ environmentSuffix: 'pr-9' }, { status });

const STACK = 'sep-pr-9-environment';
const STACK_ID = `arn:aws:cloudformation:us-east-1:111111111111:stack/${STACK}/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;

function stackEvent(
  seconds: number,
  logicalId: string,
  type: string,
  status: ResourceStatus,
  reason?: string,
): StackEvent {
  return {
    EventId: `${logicalId}-${status}-${seconds}`,
    StackId: STACK_ID,
    StackName: STACK,
    LogicalResourceId: logicalId,
    PhysicalResourceId: logicalId === STACK ? STACK_ID : `${logicalId.toLowerCase()}-phys`,
    ResourceType: type,
    Timestamp: at(seconds),
    ResourceStatus: status,
    ...(reason ? { ResourceStatusReason: reason } : {}),
  };
}

const template = JSON.stringify({
  Resources: {
    DataKey: { Type: 'AWS::KMS::Key' },
    DataBucket: { Type: 'AWS::S3::Bucket' },
    Fn: { Type: 'AWS::Lambda::Function' },
    Role: { Type: 'AWS::IAM::Role' },
  },
});

beforeEach(() => {
  pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
});

describe('AwsPlatform: reading an environment stack', () => {
  it('reports a stack mid-create: progress from resources against the template, events oldest first', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: STACK, StackId: STACK_ID, StackStatus: 'CREATE_IN_PROGRESS', CreationTime: at(0) },
      ],
    });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        stackEvent(9, 'DataKey', 'AWS::KMS::Key', 'CREATE_COMPLETE'),
        stackEvent(5, 'DataBucket', 'AWS::S3::Bucket', 'CREATE_IN_PROGRESS'),
        stackEvent(2, 'DataKey', 'AWS::KMS::Key', 'CREATE_IN_PROGRESS'),
        stackEvent(0, STACK, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated'),
      ],
    });
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'DataKey',
          ResourceType: 'AWS::KMS::Key',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: at(9),
        },
        {
          LogicalResourceId: 'DataBucket',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'CREATE_IN_PROGRESS',
          LastUpdatedTimestamp: at(5),
        },
      ],
    });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: template });
    const snapshot = await platform().describe({ record: record() });
    expect(snapshot.progress).toMatchObject({
      phase: 'deploying',
      resourcesDone: 1,
      resourcesTotal: 4,
      percent: 25,
    });
    expect(snapshot.events.map((e) => e.logicalResourceId)).toEqual([
      STACK,
      'DataKey',
      'DataBucket',
      'DataKey',
    ]);
    expect(snapshot.timeline).toEqual([
      expect.objectContaining({
        logicalResourceId: 'DataKey',
        status: 'complete',
        finishedAt: at(9).toISOString(),
      }),
      expect.objectContaining({ logicalResourceId: 'DataBucket', status: 'in-progress' }),
    ]);
    expect(snapshot.outputs).toEqual([]);
  });

  it('names the root cause of a failed create, not the cancellations or the rollback', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: STACK,
          StackId: STACK_ID,
          StackStatus: 'ROLLBACK_COMPLETE',
          StackStatusReason: 'The following resource(s) failed to create: [Fn]. Rollback requested by user.',
          CreationTime: at(0),
        },
      ],
    });
    const reason =
      'Resource handler returned message: "The role defined for the function cannot be assumed by Lambda."';
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        stackEvent(40, STACK, 'AWS::CloudFormation::Stack', 'ROLLBACK_COMPLETE'),
        stackEvent(35, 'DataKey', 'AWS::KMS::Key', 'DELETE_COMPLETE'),
        stackEvent(30, 'DataBucket', 'AWS::S3::Bucket', 'DELETE_COMPLETE'),
        stackEvent(
          21,
          STACK,
          'AWS::CloudFormation::Stack',
          'ROLLBACK_IN_PROGRESS',
          'The following resource(s) failed to create: [Fn]. Rollback requested by user.',
        ),
        stackEvent(20, 'Role', 'AWS::IAM::Role', 'CREATE_FAILED', 'Resource creation cancelled'),
        stackEvent(20, 'Fn', 'AWS::Lambda::Function', 'CREATE_FAILED', reason),
        stackEvent(10, 'Fn', 'AWS::Lambda::Function', 'CREATE_IN_PROGRESS'),
        stackEvent(0, STACK, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated'),
      ],
    });
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: template });
    const snapshot = await platform().describe({ record: record() });
    expect(snapshot.progress.phase).toBe('failed');
    expect(snapshot.failure).toEqual({
      logicalResourceId: 'Fn',
      resourceType: 'AWS::Lambda::Function',
      reason,
    });
  });

  it('tells a vanished stack apart from a destroyed one and from one not created yet', async () => {
    const missing = clientError('ValidationError', `Stack with id ${STACK} does not exist`);
    cfn.on(DescribeStacksCommand).rejects(missing);
    pipeline.reset();
    pipeline.on(GetPipelineStateCommand).resolves({
      stageStates: [
        { stageName: 'Build', latestExecution: { pipelineExecutionId: 'e1', status: 'InProgress' } },
      ],
    });
    const vanished = await platform().describe({ record: record('ready') });
    expect(vanished.progress.phase).toBe('failed');
    expect(vanished.failure?.reason).toContain('no longer exists');
    expect((await platform().describe({ record: record('destroying') })).progress.phase).toBe('destroyed');
    expect((await platform().describe({ record: record('requested') })).progress.phase).toBe('synthesizing');
    cfn.on(DetectStackDriftCommand).rejects(missing);
    await expect(platform().detectDrift({ record: record('ready') })).rejects.toBeInstanceOf(
      NotDeployedError,
    );
  });

  it('surfaces throttling that outlasts the retries as an upstream error', async () => {
    const throttled = clientError('Throttling', 'Rate exceeded');
    cfn.on(DescribeStacksCommand).rejects(throttled);
    await expect(platform().describe({ record: record() })).rejects.toThrow('Rate exceeded');
  });

  it('reads outputs of a complete stack, fetching its template once per stack version', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: STACK,
          StackId: STACK_ID,
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: at(0),
          Outputs: [
            {
              OutputKey: 'ApiUrl',
              OutputValue: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/',
            },
            { OutputKey: 'ApiKeyId', OutputValue: 'k1x2y3z4w5', Description: 'API key ID' },
          ],
        },
      ],
    });
    cfn
      .on(DescribeStackEventsCommand)
      .resolves({ StackEvents: [stackEvent(0, STACK, 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE')] });
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: template });
    const p = platform();
    const snapshot = await p.describe({ record: record('ready') });
    expect(snapshot.progress.percent).toBe(100);
    expect(snapshot.outputs).toEqual([
      { key: 'ApiUrl', value: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/' },
      { key: 'ApiKeyId', value: 'k1x2y3z4w5', description: 'API key ID' },
    ]);
    await p.describe({ record: record('ready') });
    expect(cfn.commandCalls(GetTemplateCommand)).toHaveLength(1);
  });
});
