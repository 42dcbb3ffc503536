import { acrossPacks, type Finding, type NagSuppression, suppress } from '@sep/infra';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { CodePipeline } from 'aws-cdk-lib/pipelines';
import type { IConstruct } from 'constructs';
import type { HardenedRegionSupport } from '../constructs/cross-region-support';

/**
 * The cdk-nag findings (AwsSolutions, PCI DSS 3.2.1, NIST 800-53 R5, Sep) that stay
 * on PipelineStack after the fixes (encrypted log groups, our own artifact
 * bucket, scoped roles), each acknowledged on the one resource that draws it,
 * with the specific finding and why it is acceptable. Everything here is
 * constant per pipeline: nothing is added per environment.
 */
export interface PipelineSuppressionTargets {
  /** The environments pipeline and the release pipeline. */
  readonly pipelines: readonly CodePipeline[];
  /** The pipeline's artifact bucket (CDK Pipelines grants every role its generated S3/KMS actions on it). */
  readonly artifactBucket: s3.IBucket;
  /** The replication buckets of the other target regions (aws-codepipeline's support stacks). */
  readonly regionSupport: readonly HardenedRegionSupport[];
  /** The compliance-reports bucket (synth publishes, portal reads `nag-reports/*`). */
  readonly complianceReportsBucket: s3.IBucket;
  /** Our own CodeBuild projects run by the pipeline (the smoke test). */
  readonly projects: readonly codebuild.Project[];
  readonly portalRole: iam.Role;
  readonly sweeper: lambda.Function;
  readonly tables: readonly dynamodb.Table[];
}

const INLINE_POLICY_REASON =
  'This AWS::IAM::Policy is the DefaultPolicy aws-cdk-lib generates for exactly one role and attaches to that role only: it is how CDK writes grants scoped to the resources this stack creates (least privilege per role). A customer-managed policy would hold the same statements and could be attached to other principals.';

const ARTIFACT_ACTIONS_REASON =
  "CDK Pipelines' generated grant on the pipeline's own artifact bucket (bucket.grantRead/grantReadWrite): the role reads (and, for the pipeline, source and synth roles, writes) the run's artifacts. The action wildcards (object and object-version reads, bucket reads, listing, deletes, multipart abort) are written by aws-cdk-lib, apply to this one bucket, and the bucket holds nothing but pipeline artifacts.";

const ARTIFACT_OBJECTS_REASON =
  "CDK Pipelines' generated grant on the objects of the pipeline's own artifact bucket: artifact keys are generated per execution (<pipeline>/<artifact>/<random>), so they cannot be named in advance; the bucket holds only this pipeline's artifacts, is SSE-KMS with its own key and TLS-only.";

const ARTIFACT_KEY_REASON =
  "CDK Pipelines' generated grant on the artifact bucket's own customer-managed key (key.grantEncryptDecrypt): GenerateDataKey* and ReEncrypt* are the variants S3 SSE-KMS uses for the artifacts; the resource is that one key ARN, not every key.";

const CODEBUILD_LOGS_REASON =
  "aws-cdk-lib's generated grant for a CodeBuild project's own CloudWatch log group (/aws/codebuild/<project>:*, its log streams) and report groups (report-group/<project>-*): the names are CodeBuild's convention for this one project and the streams are created per build, so they cannot be listed.";

const SOURCE_AUTH_REASON =
  'The project has source type CODEPIPELINE: it receives the source as a pipeline artifact and never connects to a repository itself, so it has no repository URL or credentials to protect with OAuth. The repository is read only by the pipeline source action through the CodeConnections connection.';

/** The logical ID of a construct's CloudFormation resource as cdk-nag renders references: `<Id>` / `<Id.Arn>`. */
function ref(construct: IConstruct, attribute?: string): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const id = Stack.of(construct).resolve(element.logicalId) as string;
  return attribute === undefined ? `<${id}>` : `<${id}.${attribute}>`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Regular-expression finding, with the pattern anchored on both ends. */
function pattern(body: string): Finding {
  return { regex: `/^${body}$/` };
}

const ARTIFACT_S3_ACTIONS = [
  'Action::s3:GetObject*',
  'Action::s3:GetBucket*',
  'Action::s3:List*',
  'Action::s3:DeleteObject*',
  'Action::s3:Abort*',
];
const ARTIFACT_KMS_ACTIONS = ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'];

const DEPLOY_ROLE_READ_REASON =
  "aws-codepipeline's generated read grant (bucket.grantRead) in the policy of a pipeline artifact bucket, for the CDK bootstrap deploy role of each target account and region: its CloudFormation deploy action reads the cloud assembly from this one bucket. The principal is that one role ARN; the action wildcards (object and object-version reads, bucket reads, listing) are fixed by aws-cdk-lib.";

/** Sep-PolicyNoWildcardActions on one bucket's policy: the deploy roles' generated read grant only. */
export function deployRoleReadGrant(): NagSuppression {
  return {
    ruleId: 'Sep-PolicyNoWildcardActions',
    appliesTo: ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*'],
    reason: DEPLOY_ROLE_READ_REASON,
  };
}

function artifactSuppressions(bucket: s3.IBucket): NagSuppression[] {
  return [
    ...['AwsSolutions-IAM5', 'Sep-PolicyNoWildcardActions'].map((ruleId) => ({
      ruleId,
      appliesTo: ARTIFACT_S3_ACTIONS,
      reason: ARTIFACT_ACTIONS_REASON,
    })),
    {
      ruleId: 'AwsSolutions-IAM5',
      appliesTo: [`Resource::${ref(bucket, 'Arn')}/*`],
      reason: ARTIFACT_OBJECTS_REASON,
    },
    ...['AwsSolutions-IAM5', 'Sep-PolicyNoWildcardActions'].map((ruleId) => ({
      ruleId,
      appliesTo: ARTIFACT_KMS_ACTIONS,
      reason: ARTIFACT_KEY_REASON,
    })),
  ];
}

function inlinePolicy(): NagSuppression[] {
  return acrossPacks(
    ['PCI.DSS.321-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy'],
    INLINE_POLICY_REASON,
  );
}

function codeBuildLogs(project: codebuild.Project): NagSuppression {
  const stack = Stack.of(project);
  const name = ref(project);
  return {
    ruleId: 'AwsSolutions-IAM5',
    appliesTo: [
      `Resource::arn:<AWS::Partition>:logs:${stack.region}:${stack.account}:log-group:/aws/codebuild/${name}:*`,
      `Resource::arn:<AWS::Partition>:codebuild:${stack.region}:${stack.account}:report-group/${name}-*`,
    ],
    reason: CODEBUILD_LOGS_REASON,
  };
}

function defaultPolicyOf(role: iam.IRole | undefined): iam.Policy | undefined {
  const policy = role?.node.tryFindChild('DefaultPolicy');
  return policy instanceof iam.Policy ? policy : undefined;
}

export function suppressPipelineFindings(targets: PipelineSuppressionTargets): void {
  const stack = Stack.of(targets.portalRole);
  const pipelineConstructs = targets.pipelines.flatMap((pipeline) => pipeline.node.findAll());

  // Every role CDK Pipelines generates (pipeline, source and CodeBuild action roles, synth,
  // self-mutation, asset publishing) and our smoke project's role: inline DefaultPolicy, artifact grants.
  const projects = [
    ...pipelineConstructs.filter((c): c is codebuild.Project => c instanceof codebuild.Project),
    ...targets.projects,
  ];
  const policies = new Set<iam.Policy>(
    pipelineConstructs.filter(
      (c): c is iam.Policy => c instanceof iam.Policy && c.node.id === 'DefaultPolicy',
    ),
  );
  for (const project of targets.projects) {
    const policy = defaultPolicyOf(project.role);
    if (policy !== undefined) policies.add(policy);
  }
  for (const policy of policies)
    suppress(policy, [...inlinePolicy(), ...artifactSuppressions(targets.artifactBucket)]);

  for (const project of projects) {
    suppress(project, [{ ruleId: 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl', reason: SOURCE_AUTH_REASON }]);
    const policy = defaultPolicyOf(project.role);
    if (policy !== undefined) suppress(policy, [codeBuildLogs(project)]);
  }

  // The artifact buckets' policies: the target deploy roles read the cloud assembly.
  for (const bucket of [
    targets.artifactBucket,
    ...targets.regionSupport.map((support) => support.replicationBucket),
  ]) {
    if (bucket.policy !== undefined) suppress(bucket.policy, [deployRoleReadGrant()]);
  }

  // Each pipeline's synth step publishes the stages' cdk-nag reports.
  const synthPolicies = projects
    .filter((project) => project.node.path.includes('/Build/Synth/'))
    .map((project) => defaultPolicyOf(project.role));
  for (const synthPolicy of synthPolicies) {
    if (synthPolicy === undefined) continue;
    suppress(synthPolicy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [`Resource::${ref(targets.complianceReportsBucket, 'Arn')}/nag-reports/*`],
        reason:
          'The synth step writes one cdk-nag report per environment stage, nag-reports/<environment suffix>.json, and the suffixes come from the registry at run time: PutObject only, under that one prefix of the compliance-reports bucket.',
      },
    ]);
  }

  // Cross-region deploys: the pipeline role copies artifacts into each region's replication bucket.
  for (const pipeline of targets.pipelines) {
    const pipelineRolePolicy = defaultPolicyOf(pipeline.pipeline.role);
    const supports = targets.regionSupport.filter((support) =>
      Object.values(pipeline.pipeline.crossRegionSupport).some((own) => own.stack === support.stack),
    );
    if (pipelineRolePolicy !== undefined && supports.length > 0) {
      const supportStackPrefix = `${stack.stackName.toLowerCase()}-support-`;
      suppress(pipelineRolePolicy, [
        {
          ruleId: 'AwsSolutions-IAM5',
          appliesTo: [
            pattern(`Resource::arn:<AWS::Partition>:s3:::${escapeRegex(supportStackPrefix)}[a-z0-9-]+\\/\\*`),
          ],
          reason:
            "aws-codepipeline's generated grant on the objects of the pipeline's replication bucket in each other target region (named by its support stack, <pipeline stack>-support-<region>): artifact keys are generated per execution, and the bucket holds only this pipeline's artifacts, SSE-KMS with its own key and TLS-only.",
        },
        {
          ruleId: 'AwsSolutions-IAM5',
          appliesTo: supports.map(
            (support) =>
              `Resource::arn:<AWS::Partition>:kms:${support.region}:${support.stack.account}:key/*`,
          ),
          reason:
            'The replication bucket\'s key lives in another region, where its ARN (a random key ID) cannot be referenced; the grant is held by a kms:ResourceAliases condition to that one key\'s alias in that region and account, instead of the Resource "*" aws-kms writes for cross-environment grants.',
        },
      ]);
    }
  }

  const selfMutation = defaultPolicyOf(
    pipelineConstructs.find(
      (c): c is codebuild.Project => c instanceof codebuild.Project && c.node.id === 'SelfMutation',
    )?.role,
  );
  if (selfMutation !== undefined) {
    suppress(selfMutation, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [pattern('Resource::arn:\\*:iam::\\d{12}:role\\/\\*')],
        reason:
          "Self-mutation runs `cdk deploy` of the pipeline stack, which assumes the CDK bootstrap roles of the pipeline account. CDK Pipelines' generated sts:AssumeRole names roles by pattern but is conditioned on the role tag aws-cdk:bootstrap-role in (image-publishing, file-publishing, deploy): only bootstrap roles can be assumed.",
      },
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          "CDK Pipelines' generated self-mutation read calls: cloudformation:DescribeStacks (to find the bootstrap stack's version) and s3:ListBucket (to locate bootstrap asset buckets by name), both read-only; writes go only through the tag-conditioned bootstrap roles.",
      },
    ]);
  }

  const assetRoles = pipelineConstructs.filter(
    (c): c is iam.Role => c instanceof iam.Role && (c.node.id === 'FileRole' || c.node.id === 'DockerRole'),
  );
  for (const assetPolicy of assetRoles.map(defaultPolicyOf)) {
    if (assetPolicy === undefined) continue;
    suppress(assetPolicy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [
          `Resource::arn:<AWS::Partition>:logs:${stack.region}:${stack.account}:log-group:/aws/codebuild/*`,
          `Resource::arn:<AWS::Partition>:codebuild:${stack.region}:${stack.account}:report-group/*`,
        ],
        reason:
          "CDK Pipelines' generated asset-publishing role is shared by every asset project it creates (their number follows the assets), so its log-group and report-group grants name CodeBuild's /aws/codebuild/ convention in this account and region rather than each project.",
      },
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          "CDK Pipelines' generated asset-publishing role (files, or the portal's container image): codebuild:BatchGetBuilds/StartBuild/StopBuild as CDK Pipelines writes them. The role can be assumed only by codebuild.amazonaws.com, and it publishes only by assuming the named CDK bootstrap file- or image-publishing role of each target account and region.",
      },
    ]);
  }

  const portalPolicy = defaultPolicyOf(targets.portalRole);
  if (portalPolicy !== undefined) {
    suppress(portalPolicy, [
      ...inlinePolicy(),
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [`Resource::${ref(targets.complianceReportsBucket, 'Arn')}/nag-reports/*`],
        reason:
          'The portal reads the cdk-nag report of any environment, nag-reports/<environment suffix>.json, whose suffixes come from the registry: GetObject only, under that one prefix of the compliance-reports bucket.',
      },
    ]);
  }

  const sweeperPolicy = defaultPolicyOf(targets.sweeper.role);
  if (sweeperPolicy !== undefined) suppress(sweeperPolicy, inlinePolicy());
  suppress(targets.sweeper, [
    ...acrossPacks(
      ['PCI.DSS.321-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC'],
      'The sweeper handles no cardholder or customer data and reaches nothing in a VPC: it calls only regional AWS APIs (DynamoDB, STS, CloudFormation in the target accounts, SNS, CodePipeline) over TLS with SigV4, authorised by its scoped role. A VPC would add NAT or five interface endpoints to the pipeline account and no control.',
    ),
    {
      ruleId: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'The sweeper is invoked by a schedule with an empty event (retryAttempts 0): a failed run has no payload to redrive, and the next scheduled run (every 15 minutes by default) re-reads the registry and resumes unfinished teardowns. Failures are in its encrypted log group and Lambda error metrics.',
    },
  ]);

  for (const table of targets.tables) {
    suppress(table, [
      {
        ruleId: 'NIST.800.53.R5-DynamoDBInBackupPlan',
        reason:
          'Point-in-time recovery is on (continuous backups, restore to any second of the last 35 days), the table has deletion protection and is retained on stack deletion; an AWS Backup plan would add a second copy of the same data without a tighter recovery point.',
      },
    ]);
  }
}
