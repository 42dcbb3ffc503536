import {
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
} from '@aws-sdk/client-cloudformation';
import {
  ConfigServiceClient,
  paginateDescribeComplianceByConfigRule,
  paginateDescribeConfigRules,
} from '@aws-sdk/client-config-service';
import { environmentStackName } from '@sep/registry/names';
import type { ComplianceReport, ConfigCompliance, DriftReport } from '../../domain/types';
import { type ComplianceService, type EnvironmentTarget, NotDeployedError, UpstreamError } from '../port';
import { readPublishedNagReport } from '../published-nag-report';
import type { AwsContext } from './aws-context';
import { isStackMissing } from './stack-events';

/** Compliance and drift on AWS: the published cdk-nag report, AWS Config's rules, CloudFormation drift detection. */
export class AwsCompliance implements ComplianceService {
  constructor(private readonly aws: AwsContext) {}

  /**
   * Static: the cdk-nag report the pipeline's synth published for this environment (read beside the
   * Config calls; a report that cannot be read is `available: false` with the reason, never a failed
   * answer). Runtime: the environment's own Config rules, those scoped to tag Environment=<suffix>.
   */
  async compliance({ record }: EnvironmentTarget): Promise<ComplianceReport> {
    const nagReport = this.nagReport(record.environmentSuffix);
    const config = this.aws.targets.client(ConfigServiceClient, record.spec);
    const rules: ComplianceReport['runtime']['rules'][number][] = [];
    let runtime: ComplianceReport['runtime'];
    try {
      const names: string[] = [];
      for await (const page of paginateDescribeConfigRules({ client: config }, {})) {
        for (const rule of page.ConfigRules ?? []) {
          if (
            rule.ConfigRuleName &&
            rule.Scope?.TagKey === 'Environment' &&
            rule.Scope.TagValue === record.environmentSuffix
          ) {
            names.push(rule.ConfigRuleName);
          }
        }
      }
      // DescribeComplianceByConfigRule takes at most 25 names per call.
      for (let i = 0; i < names.length; i += 25) {
        const input = { ConfigRuleNames: names.slice(i, i + 25) };
        for await (const page of paginateDescribeComplianceByConfigRule({ client: config }, input)) {
          for (const item of page.ComplianceByConfigRules ?? []) {
            const count = item.Compliance?.ComplianceContributorCount?.CappedCount;
            rules.push({
              ruleName: item.ConfigRuleName ?? '',
              compliance: (item.Compliance?.ComplianceType ?? 'INSUFFICIENT_DATA') as ConfigCompliance,
              ...(count === undefined ? {} : { nonCompliantResources: count }),
            });
          }
        }
      }
      runtime = { available: true, rules: rules.sort((a, b) => a.ruleName.localeCompare(b.ruleName)) };
    } catch (error) {
      // The static half stands on its own: one failing half never takes the other down.
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      runtime = {
        available: false,
        unavailableReason: `AWS Config in ${this.aws.whereOf(record)} could not be read (${name}: ${message}); the portal reads it as ${this.aws.targets.roleArn(record.spec)}`,
        rules: [],
      };
    }
    return { environmentSuffix: record.environmentSuffix, static: await nagReport, runtime };
  }

  /** `nag-reports/<suffix>.json` from the compliance-reports bucket; never rejects. */
  private nagReport(environmentSuffix: string): Promise<ComplianceReport['static']> {
    return readPublishedNagReport({
      s3: this.aws.s3,
      bucket: this.aws.options.complianceReportsBucket,
      environmentSuffix,
      unconfigured:
        "PORTAL_COMPLIANCE_REPORTS_BUCKET is not set (the pipeline stack's ComplianceReportsBucketName output): the published cdk-nag reports cannot be read",
    });
  }

  async detectDrift({ record }: EnvironmentTarget): Promise<DriftReport> {
    const stackName = environmentStackName(record.environmentSuffix);
    const cloudFormation = this.aws.cloudFormation(record);
    let detectionId: string | undefined;
    try {
      detectionId = (await cloudFormation.send(new DetectStackDriftCommand({ StackName: stackName })))
        .StackDriftDetectionId;
    } catch (error) {
      if (isStackMissing(error)) throw new NotDeployedError(`stack ${stackName} does not exist`);
      throw new UpstreamError(`CloudFormation: ${(error as Error).message}`);
    }
    const deadline = Date.now() + (this.aws.options.driftTimeoutMs ?? 90_000);
    let partial = false;
    for (;;) {
      const status = await this.aws.call(() =>
        cloudFormation.send(
          new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: detectionId }),
        ),
      );
      // DETECTION_FAILED: some resources could not be checked (CloudFormation reads each with the
      // caller's permissions); the others were, and their results stand. Those are listed NOT_CHECKED.
      if (status.DetectionStatus === 'DETECTION_FAILED') {
        partial = true;
        break;
      }
      if (status.DetectionStatus === 'DETECTION_COMPLETE') break;
      if (Date.now() > deadline) throw new UpstreamError('drift detection did not finish in time; try again');
      await new Promise((resolve) => setTimeout(resolve, this.aws.options.driftPollMs ?? 2000));
    }
    const drifts = await this.aws.call(() =>
      cloudFormation.send(
        new DescribeStackResourceDriftsCommand({
          StackName: stackName,
          StackResourceDriftStatusFilters: partial
            ? ['MODIFIED', 'DELETED', 'NOT_CHECKED']
            : ['MODIFIED', 'DELETED'],
        }),
      ),
    );
    const driftedResources = (drifts.StackResourceDrifts ?? []).map((drift) => ({
      logicalResourceId: drift.LogicalResourceId ?? '',
      resourceType: drift.ResourceType ?? '',
      driftStatus: (drift.StackResourceDriftStatus ?? 'NOT_CHECKED') as
        | 'MODIFIED'
        | 'DELETED'
        | 'NOT_CHECKED'
        | 'IN_SYNC',
      differences: (drift.PropertyDifferences ?? []).map((d) => ({
        propertyPath: d.PropertyPath ?? '',
        ...(d.ExpectedValue === undefined ? {} : { expected: d.ExpectedValue }),
        ...(d.ActualValue === undefined ? {} : { actual: d.ActualValue }),
      })),
    }));
    const drifted = driftedResources.some((resource) => resource.driftStatus !== 'NOT_CHECKED');
    return {
      environmentSuffix: record.environmentSuffix,
      status: drifted ? 'DRIFTED' : partial ? 'UNKNOWN' : 'IN_SYNC',
      detectedAt: new Date().toISOString(),
      driftedResources,
      simulated: false,
    };
  }
}
