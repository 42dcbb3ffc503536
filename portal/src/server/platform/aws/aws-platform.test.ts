import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type ResourceStatus,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  PutApprovalResultCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import {
  ConfigServiceClient,
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigRulesCommand,
} from '@aws-sdk/client-config-service';
import type { EnvironmentRecord } from '@sep/registry';
import { mockTargetSts } from '@sep/registry/target-access/testing';
import { parseEnvironmentSpec } from '@sep/spec';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeRegistry } from '../../domain/registry-fakes.test-support';
import { NoPendingPromotionError, NotDeployedError, StalePromotionError } from '../port';
import { testAwsPlatform } from './aws-platform.test-support';

const cfn = mockClient(CloudFormationClient);
const pipeline = mockClient(CodePipelineClient);
const config = mockClient(ConfigServiceClient);
const sts = mockTargetSts();

function record(status: EnvironmentRecord['status'] = 'deploying'): EnvironmentRecord {
  const parsed = parseEnvironmentSpec({
    environmentSuffix: 'pr-9',
    kind: 'ephemeral',
    owner: 'alice',
    project: 'p',
    costCenter: 'c',
  });
  if (!parsed.success) throw new Error('bad spec');
  return {
    environmentSuffix: 'pr-9',
    spec: parsed.spec,
    status,
    requestedBy: 'alice',
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
    version: 3,
  };
}

const STACK = 'sep-pr-9-environment';
const STACK_ID = `arn:aws:cloudformation:us-east-1:111111111111:stack/${STACK}/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
const at = (seconds: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, seconds));

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

// A 400 the CloudFormation SDK raises, as the service names it.
const clientError = (name: string, message: string) =>
  new CloudFormationServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });

function platform(records: EnvironmentRecord[] = []) {
  return testAwsPlatform({
    // Only the teardown writes the registry (aws-platform.teardown.test.ts); these reads never do.
    registry: fakeRegistry(records).store,
    driftPollMs: 1,
  });
}

/** What the release pipeline waits with at PromoteToProd: execution `id`, the approval open since `since`. */
function waitingAtPromotion(id: string, since: Date) {
  return {
    stageStates: [
      {
        stageName: 'Staging',
        latestExecution: { pipelineExecutionId: id, status: 'Succeeded' as const },
        actionStates: [],
      },
      {
        stageName: 'Prod',
        latestExecution: { pipelineExecutionId: id, status: 'InProgress' as const },
        actionStates: [
          {
            actionName: 'PromoteToProd',
            latestExecution: { status: 'InProgress' as const, token: 'tok-123', lastStatusChange: since },
          },
        ],
      },
    ],
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
  cfn.reset();
  pipeline.reset();
  config.reset();
  sts.reset();
  pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
});

describe('AwsPlatform', () => {
  it('starts a pipeline execution for a registered environment, idempotent per registry version', async () => {
    pipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });
    await platform().provision({ record: record('requested') });
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)[0]?.args[0].input).toEqual({
      name: 'sep-environments',
      // A destroyed suffix can be requested again and starts over at version 1: its creation time tells them apart.
      clientRequestToken: `pr-9-${Date.parse('2026-03-01T10:00:00.000Z')}-v3`,
    });
    // Another run to smoke-test what a stopped run deployed is a new execution, not the same request again.
    await platform().provision({ record: record('deploying'), retest: true });
    expect(pipeline.commandCalls(StartPipelineExecutionCommand)[1]?.args[0].input.clientRequestToken).toBe(
      `pr-9-${Date.parse('2026-03-01T10:00:00.000Z')}-v3-retest`,
    );
  });

  it('names the execution deploying stacks, and none while executions only prepare (Source, Build, UpdatePipeline, Assets)', async () => {
    const stage = (stageName: string, status: 'InProgress' | 'Succeeded', pipelineExecutionId: string) => ({
      stageName,
      latestExecution: { status, pipelineExecutionId },
    });
    pipeline
      .on(GetPipelineStateCommand)
      .resolvesOnce({
        stageStates: [
          stage('Source', 'Succeeded', 'exec-2'),
          stage('Build', 'InProgress', 'exec-2'),
          stage('UpdatePipeline', 'Succeeded', 'exec-1'),
          stage('Assets', 'Succeeded', 'exec-1'),
          stage('pr-9', 'InProgress', 'exec-1'),
        ],
      })
      .resolvesOnce({
        stageStates: [stage('Source', 'Succeeded', 'exec-2'), stage('Build', 'InProgress', 'exec-2')],
      });
    expect(await platform().deployingExecution()).toBe('exec-1');
    expect(await platform().deployingExecution()).toBeUndefined();
    expect(pipeline.commandCalls(GetPipelineStateCommand)[0]?.args[0].input).toEqual({
      name: 'sep-environments',
    });
  });

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

  it('approves with the token from GetPipelineState, only for the execution reviewed, and refuses when nothing waits', async () => {
    pipeline.reset();
    pipeline.on(GetPipelineStateCommand).resolves(waitingAtPromotion('e7', at(5)));
    pipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
    pipeline.on(PutApprovalResultCommand).resolves({ approvedAt: at(6) });
    const p = platform();
    const view = await p.pipeline();
    expect(view.pendingPromotion).toEqual({
      stageName: 'Prod',
      actionName: 'PromoteToProd',
      requestedAt: at(5).toISOString(),
      executionId: 'e7',
    });
    expect(JSON.stringify(view)).not.toContain('tok-123');
    // A decision reviewed on another execution is refused, and nothing is sent to CodePipeline.
    await expect(
      p.decidePromotion({ executionId: 'e6', decision: 'approve', comment: 'release 6', actor: 'carol' }),
    ).rejects.toEqual(new StalePromotionError('e6', 'e7'));
    expect(pipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    await p.decidePromotion({ executionId: 'e7', decision: 'approve', comment: 'release 7', actor: 'carol' });
    expect(pipeline.commandCalls(GetPipelineStateCommand).map((call) => call.args[0].input)).toEqual([
      { name: 'sep-environments-release' },
      { name: 'sep-environments-release' },
      { name: 'sep-environments-release' },
    ]);
    expect(pipeline.commandCalls(PutApprovalResultCommand)[0]?.args[0].input).toEqual({
      pipelineName: 'sep-environments-release',
      stageName: 'Prod',
      actionName: 'PromoteToProd',
      token: 'tok-123',
      result: { status: 'Approved', summary: 'Approved by carol in the portal for execution e7: release 7' },
    });

    pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
    await expect(
      p.decidePromotion({ executionId: 'e7', decision: 'reject', comment: '', actor: 'carol' }),
    ).rejects.toBeInstanceOf(NoPendingPromotionError);
  });

  it('names who registered the staging and prod entries the waiting execution carries, and its revision', async () => {
    pipeline.reset();
    pipeline.on(GetPipelineStateCommand).resolves(waitingAtPromotion('e9', at(50)));
    // Newest first, two pages: e9 waits, e8 failed, e7 reached prod at 10 s; e6 is older and never read.
    pipeline
      .on(ListPipelineExecutionsCommand)
      .resolvesOnce({
        pipelineExecutionSummaries: [
          {
            pipelineExecutionId: 'e9',
            status: 'InProgress',
            startTime: at(40),
            sourceRevisions: [
              { actionName: 'Source', revisionId: '0123456789abcdef', revisionSummary: 'v9' },
            ],
          },
          { pipelineExecutionId: 'e8', status: 'Failed', startTime: at(30) },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        pipelineExecutionSummaries: [
          { pipelineExecutionId: 'e7', status: 'Succeeded', startTime: at(10) },
          { pipelineExecutionId: 'e6', status: 'Succeeded', startTime: at(1) },
        ],
        nextToken: 'page-3',
      });
    const entry = (suffix: string, kind: 'staging' | 'prod' | 'ephemeral', by: string, seconds: number) => {
      const parsed = parseEnvironmentSpec({
        environmentSuffix: suffix,
        kind,
        owner: by,
        project: 'p',
        costCenter: 'c',
        ...(kind === 'ephemeral' ? {} : { alertEmails: ['ops@example.com'] }),
      });
      if (!parsed.success) throw new Error(`bad spec ${suffix}`);
      const when = at(seconds).toISOString();
      return {
        ...record('ready'),
        environmentSuffix: suffix,
        spec: parsed.spec,
        requestedBy: by,
        createdAt: when,
        updatedAt: when,
      };
    };
    const p = platform([
      entry('stg-old', 'staging', 'erin', 5), // in prod since e7
      entry('stg-new', 'staging', 'dave', 20),
      entry('prd-eu', 'prod', 'frank', 35),
      entry('pr-1', 'ephemeral', 'alice', 25), // never goes through the release pipeline
      entry('stg-later', 'staging', 'gina', 45), // registered after e9 started: not in it
    ]);
    const view = await p.pipeline();

    expect(view.pendingPromotion).toMatchObject({
      executionId: 'e9',
      sourceRevision: '0123456789ab v9',
      requestedBy: 'dave, frank',
      requesters: ['dave', 'frank'],
    });
    // Two pages read, not the third: paging stops at the last execution that reached prod.
    const listed = pipeline.commandCalls(ListPipelineExecutionsCommand).map((call) => call.args[0].input);
    expect(listed).toHaveLength(2);
    expect(listed[1]).toMatchObject({ pipelineName: 'sep-environments-release', nextToken: 'page-2' });
    // A later poll of the same waiting execution reads who asked for it from memory.
    await expect(p.pipeline()).resolves.toMatchObject({
      pendingPromotion: { requesters: ['dave', 'frank'] },
    });
    expect(pipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(2);
  });

  it('reads AWS Config results of the environment’s own rules only (scoped by its Environment tag)', async () => {
    const scoped = (name: string, suffix: string) => ({
      ConfigRuleName: name,
      Source: { Owner: 'AWS' as const, SourceIdentifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED' },
      Scope: { TagKey: 'Environment', TagValue: suffix },
    });
    config.on(DescribeConfigRulesCommand).resolves({
      ConfigRules: [
        scoped('sep-pr-9-s3-bucket-encrypted', 'pr-9'),
        scoped('sep-pr-9-cloudwatch-log-group-encrypted', 'pr-9'),
        scoped('sep-pr-9-x-s3-bucket-encrypted', 'pr-9-x'),
      ],
    });
    config.on(DescribeComplianceByConfigRuleCommand).resolves({
      ComplianceByConfigRules: [
        { ConfigRuleName: 'sep-pr-9-s3-bucket-encrypted', Compliance: { ComplianceType: 'COMPLIANT' } },
        {
          ConfigRuleName: 'sep-pr-9-cloudwatch-log-group-encrypted',
          Compliance: {
            ComplianceType: 'NON_COMPLIANT',
            ComplianceContributorCount: { CappedCount: 2, CapExceeded: false },
          },
        },
      ],
    });
    const report = await platform().compliance({ record: record('ready') });
    expect(report.runtime.rules).toEqual([
      {
        ruleName: 'sep-pr-9-cloudwatch-log-group-encrypted',
        compliance: 'NON_COMPLIANT',
        nonCompliantResources: 2,
      },
      { ruleName: 'sep-pr-9-s3-bucket-encrypted', compliance: 'COMPLIANT' },
    ]);
    expect(
      config.commandCalls(DescribeComplianceByConfigRuleCommand)[0]?.args[0].input.ConfigRuleNames,
    ).toEqual(['sep-pr-9-s3-bucket-encrypted', 'sep-pr-9-cloudwatch-log-group-encrypted']);
  });

  it('runs drift detection to completion and lists drifted resources', async () => {
    cfn.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'd-1' });
    cfn
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolvesOnce({
        StackId: STACK_ID,
        StackDriftDetectionId: 'd-1',
        DetectionStatus: 'DETECTION_IN_PROGRESS',
        Timestamp: at(1),
      })
      .resolves({
        StackId: STACK_ID,
        StackDriftDetectionId: 'd-1',
        DetectionStatus: 'DETECTION_COMPLETE',
        StackDriftStatus: 'DRIFTED',
        Timestamp: at(2),
      });
    cfn.on(DescribeStackResourceDriftsCommand).resolves({
      StackResourceDrifts: [
        {
          StackId: STACK_ID,
          LogicalResourceId: 'DataBucket',
          ResourceType: 'AWS::S3::Bucket',
          StackResourceDriftStatus: 'MODIFIED',
          Timestamp: at(2),
          PropertyDifferences: [
            {
              PropertyPath: '/VersioningConfiguration/Status',
              ExpectedValue: 'Enabled',
              ActualValue: 'Suspended',
              DifferenceType: 'NOT_EQUAL',
            },
          ],
        },
      ],
    });
    const report = await platform().detectDrift({ record: record('ready') });
    expect(report.status).toBe('DRIFTED');
    expect(report.driftedResources[0]).toEqual({
      logicalResourceId: 'DataBucket',
      resourceType: 'AWS::S3::Bucket',
      driftStatus: 'MODIFIED',
      differences: [
        { propertyPath: '/VersioningConfiguration/Status', expected: 'Enabled', actual: 'Suspended' },
      ],
    });
  });

  it('keeps the results of a partial drift detection (DETECTION_FAILED) and lists what was not checked', async () => {
    cfn.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'd-2' });
    cfn.on(DescribeStackDriftDetectionStatusCommand).resolves({
      StackId: STACK_ID,
      StackDriftDetectionId: 'd-2',
      DetectionStatus: 'DETECTION_FAILED',
      DetectionStatusReason: 'Failed to detect drift on resource [Fn]: AccessDenied',
      Timestamp: at(2),
    });
    cfn.on(DescribeStackResourceDriftsCommand).resolves({
      StackResourceDrifts: [
        {
          StackId: STACK_ID,
          LogicalResourceId: 'Fn',
          ResourceType: 'AWS::Lambda::Function',
          StackResourceDriftStatus: 'NOT_CHECKED',
          Timestamp: at(2),
        },
      ],
    });
    const report = await platform().detectDrift({ record: record('ready') });
    expect(report.status).toBe('UNKNOWN');
    expect(report.driftedResources).toEqual([
      {
        logicalResourceId: 'Fn',
        resourceType: 'AWS::Lambda::Function',
        driftStatus: 'NOT_CHECKED',
        differences: [],
      },
    ]);
    expect(
      cfn.commandCalls(DescribeStackResourceDriftsCommand)[0]?.args[0].input.StackResourceDriftStatusFilters,
    ).toEqual(['MODIFIED', 'DELETED', 'NOT_CHECKED']);
  });
});
