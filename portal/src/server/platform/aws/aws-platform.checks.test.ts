// The aws adapter's checks of a deployed environment: its own AWS Config rules' results, and drift
// detection run to completion (or partial) with the drifted and unchecked resources listed.
import {
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
} from '@aws-sdk/client-cloudformation';
import { GetPipelineStateCommand } from '@aws-sdk/client-codepipeline';
import {
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigRulesCommand,
} from '@aws-sdk/client-config-service';
import type { EnvironmentRecord } from '@sep/registry';
import { at, awsRecord, mockAws, readingAwsPlatform as platform } from './aws-platform.test-support';

const { cfn, pipeline, config } = mockAws();

/** `pr-9`, an ephemeral environment in the pipeline account, in `status`. */
const record = (status: EnvironmentRecord['status'] = 'deploying') =>
  awsRecord({ environmentSuffix: 'pr-9' }, { status });

const STACK = 'sep-pr-9-environment';
const STACK_ID = `arn:aws:cloudformation:us-east-1:111111111111:stack/${STACK}/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;

beforeEach(() => {
  pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
});

describe('AwsPlatform: AWS Config results and drift', () => {
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
