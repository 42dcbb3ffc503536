import { DescribeStacksCommand, GetTemplateCommand, type Stack } from '@aws-sdk/client-cloudformation';
import {
  type ActionExecutionDetail,
  GetPipelineExecutionCommand,
  paginateListActionExecutions,
} from '@aws-sdk/client-codepipeline';
import type { EnvironmentRecord } from '@sep/registry';
import { ACCOUNT_SECURITY_STACK_NAME, actionEnvironment, environmentStackName } from '@sep/registry/names';
import { AUDIT_TRAIL_ARN_OUTPUT } from '@sep/spec';
import type {
  EnvironmentProvenance,
  EnvironmentTarget,
  IdentityGap,
  ProvenanceService,
  StackProvenance,
} from '../port';
import { templateIdentity } from '../template-identity';
import type { AwsContext } from './aws-context';
import { isStackMissing } from './stack-events';

/**
 * Action executions read back (newest first) to find the environment's last successful deploy: CodePipeline
 * keeps 12 months of them; a busy environments pipeline runs several actions per environment per run.
 */
const MAX_ACTION_EXECUTION_PAGES = 5;

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * An environment's provenance on AWS: its stack (DescribeStacks, GetTemplate as the platform-access role
 * of its account and region), the execution whose deploy action last succeeded for it (ListActionExecutions)
 * and that execution's source revision (GetPipelineExecution), the account's trail (the account-security
 * stack's `AuditTrailArn` output). What a call cannot tell is a gap with the call's answer as the reason.
 */
export class AwsProvenance implements ProvenanceService {
  constructor(private readonly aws: AwsContext) {}

  async provenance({ record }: EnvironmentTarget): Promise<EnvironmentProvenance> {
    const gaps: IdentityGap[] = [];
    const [stack, execution, cloudTrailTrailArn] = await Promise.all([
      this.stack(record, gaps),
      this.deployingExecution(record, gaps),
      this.trailArn(record, gaps),
    ]);
    return {
      stacks: stack === undefined ? [] : [stack],
      ...execution,
      ...(cloudTrailTrailArn === undefined ? {} : { cloudTrailTrailArn }),
      gaps,
    };
  }

  private async stack(record: EnvironmentRecord, gaps: IdentityGap[]): Promise<StackProvenance | undefined> {
    const stackName = environmentStackName(record.environmentSuffix);
    const client = this.aws.cloudFormation(record);
    let stack: Stack | undefined;
    try {
      stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    } catch (error) {
      const reason = isStackMissing(error)
        ? `stack ${stackName} does not exist in ${this.aws.whereOf(record)}`
        : `DescribeStacks of ${stackName} in ${this.aws.whereOf(record)} failed (${describe(error)})`;
      gaps.push({ field: 'templateHashes', reason }, { field: 'lastDeployedAt', reason });
      return undefined;
    }
    if (stack === undefined) {
      const reason = `DescribeStacks returned no stack ${stackName}`;
      gaps.push({ field: 'templateHashes', reason }, { field: 'lastDeployedAt', reason });
      return undefined;
    }
    const deployedAt = stack.LastUpdatedTime ?? stack.CreationTime;
    if (deployedAt === undefined)
      gaps.push({ field: 'lastDeployedAt', reason: `DescribeStacks gives ${stackName} no creation time` });
    let identity: ReturnType<typeof templateIdentity> | undefined;
    try {
      // Original: the template as submitted (what the synth produced), not CloudFormation's processed form.
      const template = await client.send(
        new GetTemplateCommand({ StackName: stack.StackId ?? stackName, TemplateStage: 'Original' }),
      );
      if (template.TemplateBody === undefined)
        gaps.push({ field: 'templateHashes', reason: `GetTemplate returned no body for ${stackName}` });
      else identity = templateIdentity(template.TemplateBody);
    } catch (error) {
      gaps.push({
        field: 'templateHashes',
        reason: `GetTemplate of ${stackName} failed (${describe(error)})`,
      });
    }
    return {
      stackName,
      ...(stack.StackId === undefined ? {} : { stackId: stack.StackId }),
      ...(identity === undefined ? {} : { templateSha256: identity.sha256 }),
      ...(deployedAt === undefined ? {} : { lastDeployedAt: deployedAt.toISOString() }),
      resourceTypes: identity?.resourceTypes ?? {},
    };
  }

  /** The newest execution whose deploy action of this environment succeeded, and its source revision. */
  private async deployingExecution(
    record: EnvironmentRecord,
    gaps: IdentityGap[],
  ): Promise<Pick<EnvironmentProvenance, 'pipelineName' | 'pipelineExecutionId' | 'sourceRevision'>> {
    const { options, codePipeline: client } = this.aws;
    const pipelineName =
      record.spec.kind === 'ephemeral' ? options.pipelineName : options.releasePipelineName;
    let deploy: ActionExecutionDetail | undefined;
    try {
      let pages = 0;
      for await (const page of paginateListActionExecutions({ client, pageSize: 100 }, { pipelineName })) {
        deploy = (page.actionExecutionDetails ?? []).find((detail) => {
          const owner = actionEnvironment({
            stageName: detail.stageName ?? '',
            actionName: detail.actionName ?? '',
          });
          return (
            owner?.environmentSuffix === record.environmentSuffix &&
            owner.step === 'deploy' &&
            detail.status === 'Succeeded'
          );
        });
        pages += 1;
        if (deploy !== undefined || pages >= MAX_ACTION_EXECUTION_PAGES) break;
      }
    } catch (error) {
      const reason = `ListActionExecutions of ${pipelineName} failed (${describe(error)})`;
      gaps.push({ field: 'pipelineExecutionId', reason }, { field: 'sourceRevision', reason });
      return { pipelineName };
    }
    const pipelineExecutionId = deploy?.pipelineExecutionId;
    if (pipelineExecutionId === undefined) {
      const reason = `no succeeded deploy action of ${record.environmentSuffix} in the last ${MAX_ACTION_EXECUTION_PAGES * 100} action executions of ${pipelineName}`;
      gaps.push({ field: 'pipelineExecutionId', reason }, { field: 'sourceRevision', reason });
      return { pipelineName };
    }
    try {
      const { pipelineExecution } = await client.send(
        new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }),
      );
      const revision = pipelineExecution?.artifactRevisions?.find(
        (artifact) => artifact.revisionId,
      )?.revisionId;
      if (revision === undefined)
        gaps.push({
          field: 'sourceRevision',
          reason: `execution ${pipelineExecutionId} of ${pipelineName} names no source revision`,
        });
      return {
        pipelineName,
        pipelineExecutionId,
        ...(revision === undefined ? {} : { sourceRevision: revision }),
      };
    } catch (error) {
      gaps.push({
        field: 'sourceRevision',
        reason: `GetPipelineExecution ${pipelineExecutionId} of ${pipelineName} failed (${describe(error)})`,
      });
      return { pipelineName, pipelineExecutionId };
    }
  }

  /** The account-security stack's `AuditTrailArn` output, in the environment's account and region. */
  private async trailArn(record: EnvironmentRecord, gaps: IdentityGap[]): Promise<string | undefined> {
    const where = this.aws.whereOf(record);
    try {
      const stack = (
        await this.aws
          .cloudFormation(record)
          .send(new DescribeStacksCommand({ StackName: ACCOUNT_SECURITY_STACK_NAME }))
      ).Stacks?.[0];
      const arn = stack?.Outputs?.find((output) => output.OutputKey === AUDIT_TRAIL_ARN_OUTPUT)?.OutputValue;
      if (arn === undefined)
        gaps.push({
          field: 'cloudTrailTrailArn',
          reason: `stack ${ACCOUNT_SECURITY_STACK_NAME} in ${where} has no ${AUDIT_TRAIL_ARN_OUTPUT} output (deployed before it was added?)`,
        });
      return arn;
    } catch (error) {
      gaps.push({
        field: 'cloudTrailTrailArn',
        reason: isStackMissing(error)
          ? `stack ${ACCOUNT_SECURITY_STACK_NAME} does not exist in ${where}`
          : `DescribeStacks of ${ACCOUNT_SECURITY_STACK_NAME} in ${where} failed (${describe(error)})`,
      });
      return undefined;
    }
  }
}
