import { applyCompliancePacks, encryptedLogGroup, type NagReportCollector } from '@sep/infra';
import {
  EPHEMERAL_WAVE_PREFIX,
  PROD_STAGE_NAME,
  PROMOTION_ACTION_NAME,
  releasePipelineName,
  STAGING_STAGE_NAME,
} from '@sep/registry/names';
import { CODEPIPELINE_QUOTAS, type CodePipelineQuotas, planWaves } from '@sep/registry/quotas';
import {
  type DeploymentTarget,
  environmentTarget,
  isDeploymentTarget,
  targetKey,
} from '@sep/registry/targets';
import { Annotations, Aws, type Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { type CodeBuildStep, CodePipeline, ManualApprovalStep } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { ComplianceReports } from './constructs/compliance-reports';
import { type HardenedRegionSupport, hardenCrossRegionSupport } from './constructs/cross-region-support';
import { EvidenceSigningKey } from './constructs/evidence-signing-key';
import { PipelineArtifacts } from './constructs/pipeline-artifacts';
import { PlatformKey } from './constructs/platform-key';
import { PortalAccessRole } from './constructs/portal-access-role';
import { PortalAuditTable } from './constructs/portal-audit-table';
import { PortalSessionTable } from './constructs/portal-session-table';
import { RegistryTable } from './constructs/registry-table';
import { TtlSweeper } from './constructs/ttl-sweeper';
import type { AccountSecurityStageFactory, EnvironmentStageFactory } from './environment-stages';
import { addEnvironmentWave, planEnvironmentStages, USE_CHANGE_SETS } from './environment-waves';
import type { DeployableEnvironment, SkippedEnvironment } from './environments-file';
import { suppressPipelineFindings } from './nag/pipeline-suppressions';
import {
  ACCOUNT_SECURITY_WAVE,
  DEFAULT_PIPELINE_NAME,
  MAX_PIPELINE_NAME_LENGTH,
  pipelineLogGroupPrefix,
  pipelineRoleNames,
} from './pipeline-names';
import { addPipelineOutputs } from './pipeline-outputs';
import type { PortalHostingConfig } from './portal/portal-context';
import { grantPortalHosting, portalPrincipal } from './portal/portal-hosting-grants';
import { PORTAL_STAGE_NAME, PortalStage } from './portal/portal-stage';
import { SmokeTestProject } from './smoke/smoke-step';
import { type PipelineSourceConfig, synthStep } from './synth-step';

/** Stages every pipeline has: Source, Build (synth), UpdatePipeline (self-mutation). */
const CORE_STAGES = 3;

export interface PipelineStackProps extends StackProps {
  readonly source: PipelineSourceConfig;
  /** The registry's deployable environments (from the environments file). */
  readonly environments: readonly DeployableEnvironment[];
  /**
   * The account/region pairs bootstrapped with trust for this account (`cdk bootstrap --trust`): each
   * gets the account-security stack (with the platform's roles), and only environments in one of them
   * are deployed (an environment elsewhere fails the synth).
   * @default the pipeline's own account and region
   */
  readonly targets?: readonly DeploymentTarget[];
  /**
   * Targets whose AWS Config recorder exists already (every AWS Control Tower governed region): their
   * account-security stack creates none. @default none: every target gets one
   */
  readonly existingConfigRecorders?: readonly DeploymentTarget[];
  /** Registry entries the synth skipped, reported as warnings by suffix. @default none */
  readonly skipped?: readonly SkippedEnvironment[];
  readonly createEnvironmentStage: EnvironmentStageFactory;
  readonly createAccountSecurityStage: AccountSecurityStageFactory;
  /** Run cdk-nag on every environment stage (the app applies the packs to this stack too). @default true */
  readonly nag?: boolean;
  /** @default DEFAULT_PIPELINE_NAME */
  readonly pipelineName?: string;
  /**
   * Who else may assume the portal's role. @default with `portalHosting`, none but the portal's ECS
   * tasks; without it, this account (its IAM policies decide who)
   */
  readonly portalPrincipal?: iam.IPrincipal;
  /**
   * Host the portal: a Portal stage (PortalStack: ECS Fargate behind an ALB) deployed by the environments
   * pipeline before the account-security wave, its task role the portal role. @default no portal stage
   */
  readonly portalHosting?: PortalHostingConfig;
  /** @default CODEPIPELINE_QUOTAS */
  readonly quotas?: CodePipelineQuotas;
  /** @default Duration.minutes(15) */
  readonly sweeperSchedule?: Duration;
  /** Context passed to the synth's `cdk synth` so it rebuilds this same pipeline. @default none */
  readonly synthContext?: Readonly<Record<string, string>>;
}

/**
 * The delivery pipeline (SPEC section 6): registry-driven ephemeral waves
 * sharded under CodePipeline's quotas, staging, the PromoteToProd approval,
 * prod; plus the platform's own resources (registry, portal role, sweeper).
 */
export class PipelineStack extends Stack {
  /** The environments pipeline: self-mutating, account security and the ephemeral waves. */
  readonly pipeline: CodePipeline;
  /** The release pipeline: staging, PromoteToProd, prod (not self-mutating; see `releasePipelineName`). */
  readonly releasePipeline: CodePipeline;
  /** The bootstrapped deployment targets. */
  readonly targets: readonly DeploymentTarget[];
  readonly registry: RegistryTable;
  /** The portal's audit log in aws mode. */
  readonly auditLog: PortalAuditTable;
  readonly sessions: PortalSessionTable;
  /** Signs the portal's PCI DSS evidence bundles in aws mode (its `PORTAL_EVIDENCE_KMS_KEY_ID`). */
  readonly evidenceSigning: EvidenceSigningKey;
  readonly portalRole: PortalAccessRole;
  readonly sweeper: TtlSweeper;
  readonly notifyTopic: sns.Topic;
  /** The bucket the synth publishes each stage's cdk-nag report to (`nag-reports/<suffix>.json`). */
  readonly complianceReports: ComplianceReports;
  /** The pipeline's artifact bucket and its key (instead of CDK Pipelines' own bucket). */
  readonly artifacts: PipelineArtifacts;
  /** The one CodeBuild project every smoke action runs. */
  readonly smokeTest: SmokeTestProject;
  /** The ephemeral waves as planned: suffixes per wave. */
  readonly ephemeralWaves: readonly (readonly string[])[];
  /** Environment stages in the pipeline (every kind). */
  readonly environmentCount: number;
  /** The replication bucket (and its support stack) of each target region other than the pipeline's. */
  readonly regionSupport: readonly HardenedRegionSupport[];
  /** The portal's stage, with `portalHosting`. */
  readonly portalStage?: PortalStage;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    // Compact JSON: the pipeline definition grows with every environment and CloudFormation's 1 MB
    // template limit counts indentation (about a third of the bytes pretty-printed).
    super(scope, id, { ...props, suppressTemplateIndentation: true });
    const pipelineName = props.pipelineName ?? DEFAULT_PIPELINE_NAME;
    const quotas = props.quotas ?? CODEPIPELINE_QUOTAS;
    const nag = props.nag ?? true;

    for (const skipped of props.skipped ?? []) {
      Annotations.of(this).addWarningV2(
        `sep:skipped:${skipped.environmentSuffix}`,
        `registry entry "${skipped.environmentSuffix}" skipped: ${skipped.reason}`,
      );
    }

    const logGroupPrefix = pipelineLogGroupPrefix(pipelineName);
    const platformKey = new PlatformKey(this, 'PlatformKey', { logGroupPatterns: [`${logGroupPrefix}*`] })
      .key;
    this.registry = new RegistryTable(this, 'Registry', { encryptionKey: platformKey });
    this.auditLog = new PortalAuditTable(this, 'PortalAuditLog', { encryptionKey: platformKey });
    this.sessions = new PortalSessionTable(this, 'PortalSessions', { encryptionKey: platformKey });
    this.evidenceSigning = new EvidenceSigningKey(this, 'EvidenceSigning');
    this.notifyTopic = new sns.Topic(this, 'OwnerNotifications', {
      displayName: 'Secure Environment Portal: environment lifecycle notices',
      masterKey: platformKey,
      enforceSSL: true,
    });
    this.complianceReports = new ComplianceReports(this, 'ComplianceReports', { encryptionKey: platformKey });
    this.artifacts = new PipelineArtifacts(this, 'PipelineArtifacts', {
      accessLogBucket: this.complianceReports.accessLogBucket,
    });

    if (pipelineName.length > MAX_PIPELINE_NAME_LENGTH) {
      throw new Error(
        `pipelineName "${pipelineName}" is longer than ${MAX_PIPELINE_NAME_LENGTH} characters: the role names built from it would pass IAM's 64`,
      );
    }
    const roleNames = pipelineRoleNames(pipelineName);
    const targets = props.targets ?? [{ account: this.account, region: this.region }];
    this.targets = targets;
    for (const environment of props.environments) {
      const target = environmentTarget(environment.spec, this.account);
      if (!isDeploymentTarget(targets, target)) {
        throw new Error(
          `environment "${environment.spec.environmentSuffix}" deploys to ${targetKey(target)}, which is not a deployment target (${targets.map(targetKey).join(', ')}): the environments file reader skips such entries`,
        );
      }
    }
    // Artifacts that leave the pipeline's account or region are encrypted with customer-managed keys
    // (rotated yearly): the deploy roles of other accounts must be able to decrypt them, and the
    // replication buckets of other regions get one key each.
    const crossEnvironment = targets.some(
      (target) => target.account !== this.account || target.region !== this.region,
    );
    const pipelineProps = {
      pipelineType: codepipeline.PipelineType.V2,
      useChangeSets: USE_CHANGE_SETS,
      // Our bucket (versioned, access-logged, its own rotated KMS key, TLS only) instead of the one CDK
      // Pipelines makes; its key is what cross-account deploy roles are granted, as CDK's would be.
      artifactBucket: this.artifacts.bucket,
      crossAccountKeys: crossEnvironment,
      enableKeyRotation: crossEnvironment,
      // One publishing action per asset type: avoids CodeBuild's buildspec size
      // limit and a self-mutation per asset change.
      publishAssetsInParallel: false,
      dockerEnabledForSynth: false,
    };

    const synth = (): CodeBuildStep =>
      synthStep({
        scope: this,
        source: props.source,
        synthContext: props.synthContext ?? {},
        registryTable: this.registry.table,
        platformKey,
        complianceReports: this.complianceReports,
      });
    this.pipeline = new CodePipeline(this, 'Pipeline', {
      ...pipelineProps,
      pipelineName,
      selfMutation: true,
      synth: synth(),
    });
    // Staging, the approval and prod live in a pipeline of their own: every request and teardown
    // self-mutates the environments pipeline, and a definition update fails that pipeline's in-flight
    // executions, which would lose a pending PromoteToProd (README "Two pipelines"). This one changes
    // only when staging/prod entries or the code do, through the environments pipeline's self-mutation.
    this.releasePipeline = new CodePipeline(this, 'ReleasePipeline', {
      ...pipelineProps,
      pipelineName: releasePipelineName(pipelineName),
      selfMutation: false,
      synth: synth(),
    });

    const smoke = new SmokeTestProject(this, 'SmokeTest', {
      targets,
      roleName: roleNames.smokeTest,
      logGroup: encryptedLogGroup(this, 'SmokeTestLogs', {
        logGroupName: `${logGroupPrefix}smoke-test`,
        retention: logs.RetentionDays.THREE_MONTHS,
        encryptionKey: platformKey,
      }),
      encryptionKey: this.artifacts.key,
    });
    this.smokeTest = smoke;

    const { ephemeral, staging, prod } = planEnvironmentStages(this, {
      environments: props.environments,
      createEnvironmentStage: props.createEnvironmentStage,
      nag,
    });

    // Environments pipeline: Source, Build, UpdatePipeline, the portal (when hosted), the account-security
    // wave, and an Assets stage (counted even when no stage has assets). Staging and prod are in the
    // release pipeline.
    const fixedStages = CORE_STAGES + 2 + (props.portalHosting === undefined ? 0 : 1);
    const waves = planWaves({ items: ephemeral, fixedStages, quotas });
    this.ephemeralWaves = waves.map((wave) => wave.map((item) => item.id));
    this.environmentCount = ephemeral.length + staging.length + prod.length;

    if (props.portalHosting !== undefined) {
      // Its own stage, first: the portal comes up (and takes the new code) before any environment deploys.
      this.portalStage = new PortalStage(this, PORTAL_STAGE_NAME, {
        env: { account: this.account, region: this.region },
        nag,
        hosting: props.portalHosting,
        pipelineName,
        portalRoleName: roleNames.portal,
        deploymentTargets: targets,
      });
      this.pipeline.addStage(this.portalStage);
    }

    const existingRecorders = props.existingConfigRecorders ?? [];
    const trustedBy = (name: string) => `arn:${Aws.PARTITION}:iam::${this.account}:role/${name}`;
    const security = this.pipeline.addWave(ACCOUNT_SECURITY_WAVE);
    for (const target of targets) {
      const id =
        targets.length === 1
          ? ACCOUNT_SECURITY_WAVE
          : `${ACCOUNT_SECURITY_WAVE}-${target.account}-${target.region}`;
      security.addStage(
        props.createAccountSecurityStage(this, id, {
          env: target,
          createConfigRecorder: !isDeploymentTarget(existingRecorders, target),
          nag,
          platformAccess: {
            pipelineAccount: this.account,
            readerRoleArns: [trustedBy(roleNames.portal), trustedBy(roleNames.sweeper)],
            smokeTestRoleArn: trustedBy(roleNames.smokeTest),
          },
        }),
      );
    }
    for (const [index, wave] of waves.entries()) {
      addEnvironmentWave({
        stack: this,
        pipeline: this.pipeline,
        waveId: `${EPHEMERAL_WAVE_PREFIX}${String(index + 1).padStart(2, '0')}`,
        stages: wave,
        smoke,
      });
    }
    if (staging.length > 0) {
      addEnvironmentWave({
        stack: this,
        pipeline: this.releasePipeline,
        waveId: STAGING_STAGE_NAME,
        stages: staging,
        smoke,
      });
    }
    if (prod.length > 0) {
      addEnvironmentWave({
        stack: this,
        pipeline: this.releasePipeline,
        waveId: PROD_STAGE_NAME,
        stages: prod,
        smoke,
        pre: new ManualApprovalStep(PROMOTION_ACTION_NAME, {
          comment: 'Promote the release that passed staging to prod',
        }),
      });
    }

    this.pipeline.buildPipeline();
    this.releasePipeline.buildPipeline();
    setExecutionMode(this.pipeline, {
      // Each execution synthesizes the whole registry, so a newer one carries everything an older one
      // would deploy: letting it overtake loses nothing and deploys requests sooner.
      executionMode: 'SUPERSEDED',
    });
    setExecutionMode(this.releasePipeline, {
      // One revision at a time, in order: nothing overtakes the execution an approver is reviewing, and
      // every revision reaches prod through its own PromoteToProd (README "Execution modes").
      executionMode: 'QUEUED',
      // Its definition changes through the environments pipeline's self-mutation (a staging or prod
      // entry added or removed, a pipeline change): run it again then, as a self-mutating one would.
      restartExecutionOnUpdate: true,
    });
    this.regionSupport = hardenCrossRegionSupport([this.pipeline.pipeline, this.releasePipeline.pipeline]);
    const pipelineArn = this.pipeline.pipeline.pipelineArn;
    const releasePipelineArn = this.releasePipeline.pipeline.pipelineArn;

    this.portalRole = new PortalAccessRole(this, 'PortalAccess', {
      roleName: roleNames.portal,
      assumedBy: portalPrincipal(this, props),
      pipelineArn,
      releasePipelineArn,
      registryTable: this.registry.table,
      registryKey: platformKey,
      auditTable: this.auditLog.table,
      sessionTable: this.sessions.table,
      evidenceSigningKey: this.evidenceSigning.key,
      complianceReports: this.complianceReports,
      targets,
    });
    if (props.portalHosting !== undefined) {
      grantPortalHosting(this, {
        hosting: props.portalHosting,
        pipelineName,
        portalRole: this.portalRole.role,
        values: {
          registryTable: this.registry.table.tableName,
          auditTable: this.auditLog.table.tableName,
          sessionTable: this.sessions.table.tableName,
          complianceReportsBucket: this.complianceReports.bucket.bucketName,
          evidenceSigningKey: this.evidenceSigning.key.keyArn,
        },
      });
    }
    this.sweeper = new TtlSweeper(this, 'TtlSweeper', {
      registryTable: this.registry.table,
      platformKey,
      logGroupName: `${logGroupPrefix}ttl-sweeper`,
      notifyTopic: this.notifyTopic,
      pipelineName,
      pipelineArn,
      roleName: roleNames.sweeper,
      targets,
      ...(props.sweeperSchedule === undefined ? {} : { schedule: props.sweeperSchedule }),
    });

    suppressPipelineFindings({
      pipelines: [this.pipeline, this.releasePipeline],
      artifactBucket: this.artifacts.bucket,
      regionSupport: this.regionSupport,
      complianceReportsBucket: this.complianceReports.bucket,
      projects: [smoke.project],
      portalRole: this.portalRole.role,
      sweeper: this.sweeper.function,
      tables: [this.registry.table, this.auditLog.table, this.sessions.table],
    });

    addPipelineOutputs(this, pipelineName);
  }
}

/**
 * The packs every environment stage runs (each stage applies its own: aspects stop at stage boundaries), on
 * the pipeline stack and the replication support stacks of other regions, with cdk-nag's error
 * annotations: an unsuppressed finding fails `cdk synth`.
 */
export function applyPipelineCompliancePacks(stack: PipelineStack): NagReportCollector {
  const collector = applyCompliancePacks(stack);
  for (const support of stack.regionSupport) applyCompliancePacks(support.stack, { collector });
  return collector;
}

/** Sets CodePipeline V2 properties CDK Pipelines does not expose on its generated pipeline. */
function setExecutionMode(
  pipeline: CodePipeline,
  settings: { readonly executionMode: 'SUPERSEDED' | 'QUEUED'; readonly restartExecutionOnUpdate?: boolean },
): void {
  const cfn = pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline;
  cfn.executionMode = settings.executionMode;
  if (settings.restartExecutionOnUpdate !== undefined)
    cfn.restartExecutionOnUpdate = settings.restartExecutionOnUpdate;
}
