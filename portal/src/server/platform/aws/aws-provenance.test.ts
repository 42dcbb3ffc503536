import { createHash } from 'node:crypto';
import { DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { GetPipelineExecutionCommand, ListActionExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { fakeRegistry } from '../../domain/registry-fakes.test-support';
import {
  awsRecord,
  cloudFormationError,
  mockAws,
  stackMissing,
  testAwsPlatform,
} from './aws-platform.test-support';

// Provenance in aws mode: the environment's stack and deployed template (as the target's platform-access
// role), the execution whose deploy action last succeeded for it and its source revision, the trail ARN.

const { cfn, pipeline } = mockAws();

const record = awsRecord({
  environmentSuffix: 'staging',
  kind: 'staging',
  account: '222222222222',
  alertEmails: ['ops@example.com'],
});
const STACK = 'sep-staging-environment';
const STACK_ID = `arn:aws:cloudformation:us-east-1:222222222222:stack/${STACK}/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
const TRAIL = 'arn:aws:cloudtrail:us-east-1:222222222222:trail/sep-account-trail';
const TEMPLATE = JSON.stringify({
  Resources: {
    Key1: { Type: 'AWS::KMS::Key' },
    Key2: { Type: 'AWS::KMS::Key' },
    Bucket: { Type: 'AWS::S3::Bucket' },
  },
});

function platform() {
  return testAwsPlatform({ registry: fakeRegistry([]).store });
}

const deployAction = (
  pipelineExecutionId: string,
  status: 'Succeeded' | 'Failed',
  actionName = `${STACK}.Deploy`,
) => ({
  pipelineExecutionId,
  stageName: 'staging',
  actionName,
  status,
});

beforeEach(() => {
  cfn
    .on(DescribeStacksCommand, { StackName: STACK })
    .resolves({
      Stacks: [
        {
          StackName: STACK,
          StackId: STACK_ID,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-03-01T10:00:00Z'),
          LastUpdatedTime: new Date('2026-03-02T09:30:00Z'),
        },
      ],
    })
    .on(DescribeStacksCommand, { StackName: 'sep-account-security' })
    .resolves({
      Stacks: [
        {
          StackName: 'sep-account-security',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-01-01T00:00:00Z'),
          Outputs: [{ OutputKey: 'AuditTrailArn', OutputValue: TRAIL }],
        },
      ],
    })
    .on(GetTemplateCommand, { StackName: STACK_ID, TemplateStage: 'Original' })
    .resolves({ TemplateBody: TEMPLATE });
});

it('reads the stack, its template hash, the deploying execution, its revision and the trail', async () => {
  pipeline
    .on(ListActionExecutionsCommand)
    .resolvesOnce({
      // Newest first: a failed deploy (rolled back) and another environment's action come before ours.
      actionExecutionDetails: [
        deployAction('exec-3', 'Failed'),
        deployAction('exec-3', 'Succeeded', 'sep-prod-environment.Deploy'),
        deployAction('exec-3', 'Succeeded', `${STACK}.Prepare`),
      ],
      nextToken: 'page-2',
    })
    .resolvesOnce({ actionExecutionDetails: [deployAction('exec-2', 'Succeeded')] });
  pipeline
    .on(GetPipelineExecutionCommand, {
      pipelineName: 'sep-environments-release',
      pipelineExecutionId: 'exec-2',
    })
    .resolves({ pipelineExecution: { artifactRevisions: [{ name: 'Source', revisionId: 'abc1234' }] } });

  const provenance = await platform().provenance({ record });

  expect(provenance).toEqual({
    stacks: [
      {
        stackName: STACK,
        stackId: STACK_ID,
        templateSha256: createHash('sha256').update(TEMPLATE).digest('hex'),
        lastDeployedAt: '2026-03-02T09:30:00.000Z',
        resourceTypes: { 'AWS::KMS::Key': 2, 'AWS::S3::Bucket': 1 },
      },
    ],
    pipelineName: 'sep-environments-release',
    pipelineExecutionId: 'exec-2',
    sourceRevision: 'abc1234',
    cloudTrailTrailArn: TRAIL,
    gaps: [],
  });
  // The release pipeline (a staging environment), paged with the SDK paginator.
  const listed = pipeline.commandCalls(ListActionExecutionsCommand);
  // (the paginator reuses one input object, so only the last call's token is visible)
  expect(listed).toHaveLength(2);
  expect(listed[1]?.args[0].input).toMatchObject({
    pipelineName: 'sep-environments-release',
    maxResults: 100,
    nextToken: 'page-2',
  });
});

it('names each gap with its reason instead of inventing a value', async () => {
  cfn
    .on(DescribeStacksCommand, { StackName: STACK })
    .rejects(stackMissing(STACK))
    .on(DescribeStacksCommand, { StackName: 'sep-account-security' })
    .resolves({
      Stacks: [
        { StackName: 'sep-account-security', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() },
      ],
    });
  pipeline
    .on(ListActionExecutionsCommand)
    .resolves({ actionExecutionDetails: [deployAction('exec-1', 'Failed')] });

  const provenance = await platform().provenance({ record });

  expect(provenance.stacks).toEqual([]);
  expect(provenance.pipelineExecutionId).toBeUndefined();
  expect(provenance.sourceRevision).toBeUndefined();
  expect(provenance.cloudTrailTrailArn).toBeUndefined();
  expect(provenance.gaps.map((gap) => gap.field).sort()).toEqual([
    'cloudTrailTrailArn',
    'lastDeployedAt',
    'pipelineExecutionId',
    'sourceRevision',
    'templateHashes',
  ]);
  expect(provenance.gaps.find((gap) => gap.field === 'templateHashes')?.reason).toBe(
    `stack ${STACK} does not exist in 222222222222/us-east-1`,
  );
  expect(provenance.gaps.find((gap) => gap.field === 'cloudTrailTrailArn')?.reason).toContain(
    'has no AuditTrailArn output',
  );
  expect(pipeline.commandCalls(GetPipelineExecutionCommand)).toHaveLength(0);
});

it('reports a failed template read and an execution without revision as gaps, keeping what it read', async () => {
  cfn.on(GetTemplateCommand).rejects(cloudFormationError('AccessDenied', 'no', 403));
  pipeline
    .on(ListActionExecutionsCommand)
    .resolves({ actionExecutionDetails: [deployAction('exec-9', 'Succeeded')] });
  pipeline.on(GetPipelineExecutionCommand).resolves({ pipelineExecution: { artifactRevisions: [] } });

  const provenance = await platform().provenance({ record });

  expect(provenance.stacks[0]).toEqual({
    stackName: STACK,
    stackId: STACK_ID,
    lastDeployedAt: '2026-03-02T09:30:00.000Z',
    resourceTypes: {},
  });
  expect(provenance.pipelineExecutionId).toBe('exec-9');
  expect(provenance.gaps).toEqual([
    { field: 'templateHashes', reason: `GetTemplate of ${STACK} failed (AccessDenied: no)` },
    {
      field: 'sourceRevision',
      reason: 'execution exec-9 of sep-environments-release names no source revision',
    },
  ]);
});
