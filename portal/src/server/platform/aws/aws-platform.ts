import {
  CloudFormationClient,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  paginateListStackResources,
  type Stack,
  type StackEvent,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  type ActionState,
  CodePipelineClient,
  GetPipelineStateCommand,
  type GetPipelineStateCommandOutput,
  PutApprovalResultCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import {
  ConfigServiceClient,
  paginateDescribeComplianceByConfigRule,
  paginateDescribeConfigRules,
} from '@aws-sdk/client-config-service';
import { S3Client } from '@aws-sdk/client-s3';
import {
  EnvironmentNotFoundError,
  type EnvironmentRecord,
  type EnvironmentRegistry,
  VersionConflictError,
} from '@sep/registry';
import { actionEnvironment, PROD_STAGE_NAME, STAGING_STAGE_NAME } from '@sep/registry/names';
import { TargetAccess } from '@sep/registry/target-access';
import {
  type BackoffOptions,
  EnvironmentTeardown,
  NotEphemeralError,
  TeardownRefusedError,
} from '@sep/registry/teardown';
import { physicalName } from '@sep/spec';
import type {
  ComplianceReport,
  ConfigCompliance,
  DeploymentEvent,
  DeploymentFailure,
  DeploymentPhase,
  DriftReport,
  PipelineStatus,
  PipelineView,
  ResourceTimelineEntry,
} from '../../domain/types';
import {
  type DeploymentSnapshot,
  type EnvironmentTarget,
  NoPendingPromotionError,
  NotDeployedError,
  type PlatformPort,
  type PromotionDecision,
  StalePromotionError,
  type TeardownStep,
  UpstreamError,
} from '../port';
import { readPublishedNagReport } from '../published-nag-report';

export interface AwsPlatformOptions {
  /** The pipeline account's region (its CodePipeline, S3 and STS calls). */
  readonly region?: string;
  /** The environments pipeline (requests and teardowns start it; ephemeral progress). */
  readonly pipelineName: string;
  /** The release pipeline (staging, PromoteToProd, prod). */
  readonly releasePipelineName: string;
  /** The ManualApprovalStep's action name. */
  readonly approvalActionName: string;
  /** The pipeline account: where an environment whose spec names no account lives. */
  readonly defaultAccount: string;
  /**
   * Pipeline-account clients. Injected in tests; built with adaptive retry otherwise (endpoints honour
   * `AWS_ENDPOINT_URL_*`).
   */
  readonly clients?: {
    readonly codePipeline: CodePipelineClient;
    readonly s3?: S3Client;
  };
  /**
   * Clients in each environment's account and region, as its platform-access role (CloudFormation and
   * AWS Config have no resource policies: nothing in another account is readable from here).
   * @default a TargetAccess assuming `sep-account-<region>-platform`, session `sep-portal`
   */
  readonly targets?: TargetAccess;
  /**
   * The pipeline stack's compliance-reports bucket (`ComplianceReportsBucketName` output), where the
   * synth publishes each stage's cdk-nag report as `nag-reports/<suffix>.json`.
   * @default none: the static half of compliance says the bucket is not configured
   */
  readonly complianceReportsBucket?: string;
  /** Drift detection poll period. @default 2000 (what the CDK CLI uses for stack events) */
  readonly driftPollMs?: number;
  /** @default 90_000 */
  readonly driftTimeoutMs?: number;
  /** The registry the teardown claims, fails and removes entries in: the portal's own (cached) one. */
  readonly registry: EnvironmentRegistry;
  /**
   * How long one teardown step (the destroy request, then each poll of a `destroying` environment)
   * waits on CloudFormation before leaving the rest to the next poll.
   * @default 0: issue the deletes, read the stack once, return
   */
  readonly teardownStepMs?: number;
  /** Injected in tests (with `teardownStepMs`). */
  readonly teardownBackoff?: BackoffOptions;
  /**
   * How long one GetPipelineState answer serves every environment's poll: one pipeline read per
   * interval however many environments are watched. @default 2000
   */
  readonly pipelineStateMaxAgeMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** Events the detail shows (newest of the current operation). */
const MAX_EVENTS = 200;
/** Pages of stack events read for one operation (100 each): far above the 3-4 events per resource of the largest stage. */
const MAX_EVENT_PAGES = 30;
const PHASE_BY_STACK_STATUS: Readonly<Record<string, DeploymentPhase>> = {
  CREATE_IN_PROGRESS: 'deploying',
  UPDATE_IN_PROGRESS: 'deploying',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'deploying',
  REVIEW_IN_PROGRESS: 'deploying',
  IMPORT_IN_PROGRESS: 'deploying',
  CREATE_COMPLETE: 'complete',
  UPDATE_COMPLETE: 'complete',
  IMPORT_COMPLETE: 'complete',
  ROLLBACK_IN_PROGRESS: 'rolling-back',
  UPDATE_ROLLBACK_IN_PROGRESS: 'rolling-back',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'rolling-back',
  IMPORT_ROLLBACK_IN_PROGRESS: 'rolling-back',
  ROLLBACK_COMPLETE: 'failed',
  ROLLBACK_FAILED: 'failed',
  CREATE_FAILED: 'failed',
  UPDATE_FAILED: 'failed',
  UPDATE_ROLLBACK_FAILED: 'failed',
  // The update failed and was rolled back: the previous version still runs (its outputs are shown,
  // with OUTPUTS_OF_PREVIOUS_VERSION).
  UPDATE_ROLLBACK_COMPLETE: 'failed',
  IMPORT_ROLLBACK_COMPLETE: 'failed',
  IMPORT_ROLLBACK_FAILED: 'failed',
  DELETE_IN_PROGRESS: 'destroying',
  DELETE_FAILED: 'failed',
  DELETE_COMPLETE: 'destroyed',
};

/** Stages of a CDK Pipelines execution before any environment stack is touched, and what failing there means. */
const PREPARING_STAGES: Readonly<Record<string, string>> = {
  Source: 'the source could not be fetched',
  Build: 'synth failed',
  UpdatePipeline: 'self-mutation failed',
  Assets: 'asset publishing failed',
};

/** Stack statuses whose outputs still describe a working stack (after a rolled-back update: the previous version). */
const OUTPUT_STATUSES = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'IMPORT_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
]);

export const OUTPUTS_OF_PREVIOUS_VERSION =
  'the last update failed and was rolled back: these are the outputs of the previous version, which still runs';

/** What the pipeline says about one environment: its deploy and smoke actions, and the preparing stages. */
interface EnvironmentActions {
  readonly deploy?: LocatedAction;
  readonly smoke?: LocatedAction;
  /** The actions of the preparing stages (Source, Build, UpdatePipeline, Assets) of the environment's pipeline. */
  readonly preparing: readonly LocatedAction[];
  /** A preparing stage is running: the pipeline is on its way to the environment's stage. */
  readonly preparingInProgress: boolean;
}

interface LocatedAction {
  readonly stageName: string;
  /** The stage's latest execution status (a failed sibling stops the actions after it). */
  readonly stageStatus?: string;
  readonly state: ActionState;
}

function isStackMissing(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message);
}

/** The real platform: CodePipeline runs, CloudFormation deploys, AWS Config judges. */
export class AwsPlatform implements PlatformPort {
  readonly mode = 'aws' as const;
  readonly simulated = false;
  private readonly codePipeline: CodePipelineClient;
  private readonly s3: S3Client;
  private readonly targets: TargetAccess;
  private readonly templateSizes = new Map<string, number>();
  /** Per stack ID: the current operation's events read so far, newest first (later polls read only what is new). */
  private readonly operationEvents = new Map<string, StackEvent[]>();
  private readonly pipelineStates = new Map<
    string,
    { readonly at: number; readonly state: Promise<GetPipelineStateCommandOutput> }
  >();
  private readonly environmentTeardown: EnvironmentTeardown;
  /** One teardown step per environment at a time: the destroy request and a poll may ask together. */
  private readonly teardownSteps = new Map<string, Promise<TeardownStep>>();
  private readonly clock: () => number;

  constructor(private readonly options: AwsPlatformOptions) {
    const common = {
      ...(options.region ? { region: options.region } : {}),
      retryMode: 'adaptive',
      maxAttempts: 6,
    };
    this.codePipeline = options.clients?.codePipeline ?? new CodePipelineClient(common);
    this.s3 = options.clients?.s3 ?? new S3Client(common);
    this.targets =
      options.targets ??
      new TargetAccess({
        defaultAccount: options.defaultAccount,
        sessionName: 'sep-portal',
        ...(options.region ? { stsRegion: options.region } : {}),
      });
    this.clock = options.clock ?? Date.now;
    // The sweeper's destroy path, on the portal's clients (its role allows exactly these calls).
    this.environmentTeardown = new EnvironmentTeardown({
      registry: options.registry,
      cloudFormationFor: (target) => this.targets.client(CloudFormationClient, target),
      defaultAccount: options.defaultAccount,
      pipeline: { pipelineName: options.pipelineName, client: this.codePipeline },
      // One DescribeStacks by name per poll, not a listing of every stack in the account.
      stackNamesOf: (record) => [stackNameOf(record)],
      clock: this.clock,
      ...(options.teardownBackoff === undefined ? {} : { backoff: options.teardownBackoff }),
    });
  }

  /** A registry write is not a pipeline source: start the execution that deploys the new stage. */
  async provision({ record }: EnvironmentTarget): Promise<void> {
    await this.call(() =>
      this.codePipeline.send(
        new StartPipelineExecutionCommand({
          name: this.options.pipelineName,
          // Idempotent per registry write of this life of the suffix: a retried request starts one execution.
          clientRequestToken: `${record.environmentSuffix}-${Date.parse(record.createdAt)}-v${record.version}`,
        }),
      ),
    );
  }

  /** Starts the teardown (one step); the service calls `teardown` itself, which says how far it got. */
  async destroy({ record }: EnvironmentTarget): Promise<void> {
    await this.teardown({ record, reason: record.statusReason ?? 'destroy requested' });
  }

  /**
   * One step of `@sep/registry/teardown` (tag-checked, all or nothing, DeleteStack by stack ID), bounded
   * by `teardownStepMs`: CDK Pipelines never deletes a removed stage's stack, so this does, then removes
   * the registry entry and starts the pipeline so self-mutation drops the stage.
   */
  teardown({ record, reason }: EnvironmentTarget & { readonly reason: string }): Promise<TeardownStep> {
    const suffix = record.environmentSuffix;
    const running = this.teardownSteps.get(suffix);
    if (running !== undefined) return running;
    const step = this.teardownStep(suffix, reason).finally(() => this.teardownSteps.delete(suffix));
    this.teardownSteps.set(suffix, step);
    return step;
  }

  /**
   * The environment's stack in its own account and region (as the platform-access role there), read
   * beside what the pipeline says of the environment's actions: a synth, asset or smoke failure is a
   * failure of the environment even when its stack looks complete (or does not exist).
   */
  async describe({ record }: EnvironmentTarget): Promise<DeploymentSnapshot> {
    const stackName = stackNameOf(record);
    const cloudFormation = this.cloudFormation(record);
    const [stack, actions] = await Promise.all([
      this.call(async () => {
        try {
          return (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
        } catch (error) {
          if (isStackMissing(error)) return undefined;
          throw error;
        }
      }),
      this.environmentActions(record),
    ]);
    if (stack === undefined) return this.describeMissing(record, stackName, actions);

    const status = stack.StackStatus ?? '';
    const [operation, resources, total] = await this.call(() =>
      Promise.all([
        this.currentOperation(cloudFormation, stack),
        this.stackResources(cloudFormation, stackName),
        this.templateResourceCount(cloudFormation, stack),
      ]),
    );
    const current = [...operation].reverse().map(toEvent);
    const events = current.slice(-MAX_EVENTS);
    let phase = PHASE_BY_STACK_STATUS[status] ?? 'deploying';
    const deleting = phase === 'destroying';
    const resourcesDone = resources.filter((r) =>
      deleting
        ? r.ResourceStatus === 'DELETE_COMPLETE'
        : /^(CREATE|UPDATE|IMPORT)_COMPLETE$/.test(r.ResourceStatus ?? ''),
    ).length;
    const resourcesTotal = deleting ? resources.length : Math.max(total, resources.length);
    let failure = phase === 'failed' || phase === 'rolling-back' ? firstFailure(current, stack) : undefined;

    // The stack is complete: what the pipeline did after it decides whether the environment is ready.
    const stackChangedAt = (stack.LastUpdatedTime ?? stack.CreationTime ?? new Date(0)).getTime();
    if (phase === 'complete') {
      const after = (located: LocatedAction | undefined) =>
        located !== undefined &&
        (located.state.latestExecution?.lastStatusChange?.getTime() ?? 0) >= stackChangedAt;
      const { deploy, smoke } = actions;
      if (after(deploy) && deploy?.state.latestExecution?.status === 'Failed') {
        phase = 'failed';
        failure = actionFailure(deploy, `deploy action ${deploy.state.actionName ?? ''} failed`);
      } else if (after(smoke) && smoke?.state.latestExecution?.status === 'Failed') {
        phase = 'failed';
        failure = actionFailure(smoke, 'smoke test failed');
      } else if (record.status !== 'ready' && smoke !== undefined && smoke.stageStatus === 'InProgress') {
        // First deploy: CREATE_COMPLETE is not ready until the smoke test passed (a failed stage runs no smoke test).
        const smokeRan = after(smoke) && smoke.state.latestExecution?.status === 'Succeeded';
        if (!smokeRan) phase = 'deploying';
      }
    }
    const percent =
      phase === 'complete' || phase === 'destroyed'
        ? 100
        : resourcesTotal === 0
          ? 0
          : Math.min(99, Math.round((resourcesDone / resourcesTotal) * 100));
    const operationStart = current[0]?.timestamp;
    const keepsOutputs = OUTPUT_STATUSES.has(status);
    return {
      stackName,
      ...(stack.StackId === undefined ? {} : { stackId: stack.StackId }),
      progress: {
        phase,
        resourcesDone,
        resourcesTotal,
        percent,
        ...(operationStart ? { startedAt: operationStart } : {}),
        ...(phase === 'complete' || phase === 'failed'
          ? { finishedAt: (stack.LastUpdatedTime ?? stack.CreationTime)?.toISOString() }
          : {}),
      },
      events,
      timeline: timelineOf(current, stackName),
      outputs: keepsOutputs
        ? (stack.Outputs ?? []).map((output) => ({
            key: output.OutputKey ?? '',
            value: output.OutputValue ?? '',
            ...(output.Description ? { description: output.Description } : {}),
            ...(output.ExportName ? { exportName: output.ExportName } : {}),
          }))
        : [],
      ...(status === 'UPDATE_ROLLBACK_COMPLETE' ? { outputsWarning: OUTPUTS_OF_PREVIOUS_VERSION } : {}),
      ...(stack.StackStatus === 'ROLLBACK_COMPLETE' ? { replaceable: true } : {}),
      ...(failure === undefined ? {} : { failure }),
    };
  }

  /**
   * A stack in ROLLBACK_COMPLETE (its first create failed) cannot be updated, only deleted: delete it
   * and set the entry back to `requested`, so the next pipeline run creates it afresh.
   */
  async recreate({ record }: EnvironmentTarget): Promise<void> {
    try {
      await this.environmentTeardown.recreateRolledBack({
        environmentSuffix: record.environmentSuffix,
        deadline: this.clock() + (this.options.teardownStepMs ?? 0),
      });
    } catch (error) {
      throw upstreamError(error);
    }
  }

  /**
   * Static: the cdk-nag report the pipeline's synth published for this environment (read beside the
   * Config calls; a report that cannot be read is `available: false` with the reason, never a failed
   * answer). Runtime: the environment's own Config rules, those scoped to tag Environment=<suffix>.
   */
  async compliance({ record }: EnvironmentTarget): Promise<ComplianceReport> {
    const nagReport = this.nagReport(record.environmentSuffix);
    const config = this.targets.client(ConfigServiceClient, record.spec);
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
        unavailableReason: `AWS Config in ${this.whereOf(record)} could not be read (${name}: ${message}); the portal reads it as ${this.targets.roleArn(record.spec)}`,
        rules: [],
      };
    }
    return { environmentSuffix: record.environmentSuffix, static: await nagReport, runtime };
  }

  /** `nag-reports/<suffix>.json` from the compliance-reports bucket; never rejects. */
  private nagReport(environmentSuffix: string): Promise<ComplianceReport['static']> {
    return readPublishedNagReport({
      s3: this.s3,
      bucket: this.options.complianceReportsBucket,
      environmentSuffix,
      unconfigured:
        "PORTAL_COMPLIANCE_REPORTS_BUCKET is not set (the pipeline stack's ComplianceReportsBucketName output): the published cdk-nag reports cannot be read",
    });
  }

  async detectDrift({ record }: EnvironmentTarget): Promise<DriftReport> {
    const stackName = stackNameOf(record);
    const cloudFormation = this.cloudFormation(record);
    let detectionId: string | undefined;
    try {
      detectionId = (await cloudFormation.send(new DetectStackDriftCommand({ StackName: stackName })))
        .StackDriftDetectionId;
    } catch (error) {
      if (isStackMissing(error)) throw new NotDeployedError(`stack ${stackName} does not exist`);
      throw new UpstreamError(`CloudFormation: ${(error as Error).message}`);
    }
    const deadline = Date.now() + (this.options.driftTimeoutMs ?? 90_000);
    let partial = false;
    for (;;) {
      const status = await this.call(() =>
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
      await new Promise((resolve) => setTimeout(resolve, this.options.driftPollMs ?? 2000));
    }
    const drifts = await this.call(() =>
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

  /** The release pipeline (staging, PromoteToProd, prod), where promotions wait. */
  async pipeline(): Promise<Omit<PipelineView, 'canDecide'>> {
    const state = await this.freshPipelineState(this.options.releasePipelineName);
    const approval = this.pendingApproval(state);
    const first = state.stageStates?.[0]?.latestExecution;
    return {
      pipelineName: this.options.releasePipelineName,
      mode: 'aws',
      simulated: false,
      stages: (state.stageStates ?? []).map((stage) => ({
        name: stage.stageName ?? '',
        status: (stage.latestExecution?.status ?? 'NotStarted') as PipelineStatus,
        actions: (stage.actionStates ?? []).map((action) => ({
          name: action.actionName ?? '',
          status: (action.latestExecution?.status ?? 'NotStarted') as PipelineStatus,
          ...(action.latestExecution?.lastStatusChange
            ? { lastChangedAt: action.latestExecution.lastStatusChange.toISOString() }
            : {}),
          ...(action.latestExecution?.summary ? { summary: action.latestExecution.summary } : {}),
        })),
      })),
      ...(first?.pipelineExecutionId
        ? {
            currentExecution: {
              executionId: first.pipelineExecutionId,
              status: (first.status ?? 'InProgress') as PipelineStatus,
            },
          }
        : {}),
      ...(approval === undefined
        ? {}
        : {
            pendingPromotion: {
              stageName: approval.stageName,
              actionName: approval.actionName,
              requestedAt: approval.requestedAt,
              executionId: approval.executionId,
            },
          }),
    };
  }

  /**
   * `PutApprovalResult` needs the token that only `GetPipelineState` hands out, and that token belongs
   * to whichever execution waits at the approval now (aws/aws-cdk#20452): the decision names the
   * execution the approver reviewed, and a different one waiting now is refused, never approved.
   */
  async decidePromotion(decision: PromotionDecision): Promise<void> {
    const approval = this.pendingApproval(await this.freshPipelineState(this.options.releasePipelineName));
    if (approval === undefined) throw new NoPendingPromotionError();
    if (approval.executionId !== decision.executionId) {
      throw new StalePromotionError(decision.executionId, approval.executionId);
    }
    try {
      await this.codePipeline.send(
        new PutApprovalResultCommand({
          pipelineName: this.options.releasePipelineName,
          stageName: approval.stageName,
          actionName: approval.actionName,
          token: approval.token,
          result: {
            status: decision.decision === 'approve' ? 'Approved' : 'Rejected',
            summary: `${decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${decision.actor} in the portal for execution ${decision.executionId}${decision.comment ? `: ${decision.comment}` : ''}`,
          },
        }),
      );
    } catch (error) {
      // The token validates that the approval is still open: decided meanwhile, or the execution moved on.
      const name = error instanceof Error ? error.name : '';
      if (name === 'InvalidApprovalTokenException' || name === 'ApprovalAlreadyCompletedException') {
        throw new NoPendingPromotionError(
          `execution ${decision.executionId} no longer waits for a decision (${name}); reload and review what waits now`,
        );
      }
      throw upstreamError(error);
    }
    this.pipelineStates.delete(this.options.releasePipelineName);
  }

  async close(): Promise<void> {
    this.codePipeline.destroy();
    this.s3.destroy();
    this.targets.destroy();
  }

  /** The environment's stack client: its account and region, as the platform-access role there. */
  private cloudFormation(record: EnvironmentRecord): CloudFormationClient {
    return this.targets.client(CloudFormationClient, record.spec);
  }

  private whereOf(record: EnvironmentRecord): string {
    const location = this.targets.locate(record.spec);
    return `${location.account}/${location.region}`;
  }

  /** GetPipelineState, shared by every poll for `pipelineStateMaxAgeMs` (concurrent readers share one call). */
  private pipelineState(name: string): Promise<GetPipelineStateCommandOutput> {
    const cached = this.pipelineStates.get(name);
    if (cached !== undefined && this.clock() - cached.at < (this.options.pipelineStateMaxAgeMs ?? 2000)) {
      return cached.state;
    }
    return this.freshPipelineState(name);
  }

  private freshPipelineState(name: string): Promise<GetPipelineStateCommandOutput> {
    const state = this.call(() => this.codePipeline.send(new GetPipelineStateCommand({ name })));
    this.pipelineStates.set(name, { at: this.clock(), state });
    state.catch(() => this.pipelineStates.delete(name));
    return state;
  }

  /** The environment's actions in its pipeline (ephemeral: the environments pipeline; staging/prod: the release pipeline). */
  private async environmentActions(record: EnvironmentRecord): Promise<EnvironmentActions> {
    const { kind } = record.spec;
    const name = kind === 'ephemeral' ? this.options.pipelineName : this.options.releasePipelineName;
    const state = await this.pipelineState(name);
    const ownStage = kind === 'prod' ? PROD_STAGE_NAME : kind === 'staging' ? STAGING_STAGE_NAME : undefined;
    let deploy: LocatedAction | undefined;
    let smoke: LocatedAction | undefined;
    const preparing: LocatedAction[] = [];
    let preparingInProgress = false;
    for (const stage of state.stageStates ?? []) {
      const stageName = stage.stageName ?? '';
      if (stageName in PREPARING_STAGES && stage.latestExecution?.status === 'InProgress')
        preparingInProgress = true;
      for (const action of stage.actionStates ?? []) {
        const located = { stageName, stageStatus: stage.latestExecution?.status, state: action };
        if (stageName in PREPARING_STAGES) {
          preparing.push(located);
          continue;
        }
        const owner = actionEnvironment({ stageName, actionName: action.actionName ?? '' });
        if (owner === undefined) continue;
        const ours =
          owner.environmentSuffix === record.environmentSuffix ||
          (owner.environmentSuffix === undefined && ownStage !== undefined && stageName === ownStage);
        if (!ours) continue;
        if (owner.step === 'smoke') smoke = located;
        else deploy = located;
      }
    }
    return {
      ...(deploy === undefined ? {} : { deploy }),
      ...(smoke === undefined ? {} : { smoke }),
      preparing,
      preparingInProgress,
    };
  }

  private pendingApproval(state: GetPipelineStateCommandOutput) {
    for (const stage of state.stageStates ?? []) {
      for (const action of stage.actionStates ?? []) {
        const latest = action.latestExecution;
        if (
          action.actionName === this.options.approvalActionName &&
          latest?.status === 'InProgress' &&
          latest.token
        ) {
          return {
            stageName: stage.stageName ?? '',
            actionName: action.actionName,
            token: latest.token,
            requestedAt: (latest.lastStatusChange ?? new Date()).toISOString(),
            executionId: stage.latestExecution?.pipelineExecutionId ?? latest.actionExecutionId ?? '',
          };
        }
      }
    }
    return undefined;
  }

  private async teardownStep(environmentSuffix: string, reason: string): Promise<TeardownStep> {
    try {
      const result = await this.environmentTeardown.destroy({
        environmentSuffix,
        reason,
        deadline: this.clock() + (this.options.teardownStepMs ?? 0),
      });
      if (result.outcome === 'destroyed') {
        return result.pipelineExecutionId === undefined
          ? { outcome: 'destroyed' }
          : { outcome: 'destroyed', pipelineExecutionId: result.pipelineExecutionId };
      }
      if (result.outcome === 'failed')
        return { outcome: 'failed', reason: result.reason ?? 'teardown failed' };
      const detail = result.stacks.find((stack) => stack.outcome === 'in-progress')?.detail;
      return detail === undefined ? { outcome: 'in-progress' } : { outcome: 'in-progress', detail };
    } catch (error) {
      if (error instanceof TeardownRefusedError || error instanceof NotEphemeralError)
        return { outcome: 'refused', reason: error.message };
      // Another teardown (the sweeper, another portal process) finished it first.
      if (error instanceof EnvironmentNotFoundError) return { outcome: 'destroyed' };
      // Someone else wrote the entry meanwhile: the next poll reads their write and resumes.
      if (error instanceof VersionConflictError) return { outcome: 'in-progress', detail: error.message };
      throw upstreamError(error);
    }
  }

  /**
   * No stack: destroyed, vanished, or not created yet. Not created yet is read from the pipeline: the
   * environment's deploy action or a preparing stage (synth, self-mutation, assets) that failed since
   * the request is a failure with its reason, never `queued`.
   */
  private describeMissing(
    record: EnvironmentRecord,
    stackName: string,
    actions: EnvironmentActions,
  ): DeploymentSnapshot {
    const empty = { stackName, events: [], timeline: [], outputs: [] };
    const progress = (phase: DeploymentPhase, percent = 0) => ({
      phase,
      resourcesDone: 0,
      resourcesTotal: 0,
      percent,
    });
    if (record.status === 'destroying' || record.status === 'destroyed') {
      return { ...empty, progress: progress('destroyed', 100) };
    }
    if (record.status === 'ready' || record.status === 'deploying') {
      const failure: DeploymentFailure = {
        logicalResourceId: stackName,
        resourceType: 'AWS::CloudFormation::Stack',
        reason: `the stack no longer exists in ${this.whereOf(record)} (deleted outside the portal); destroy and request it again`,
      };
      return { ...empty, progress: progress('failed'), failure };
    }
    const since = Date.parse(record.updatedAt);
    const sinceRequest = (located: LocatedAction) =>
      (located.state.latestExecution?.lastStatusChange?.getTime() ?? 0) >= since;
    const failedPreparing = actions.preparing.find(
      (located) => located.state.latestExecution?.status === 'Failed' && sinceRequest(located),
    );
    if (failedPreparing !== undefined) {
      const what = PREPARING_STAGES[failedPreparing.stageName] ?? `${failedPreparing.stageName} failed`;
      return { ...empty, progress: progress('failed'), failure: actionFailure(failedPreparing, what) };
    }
    const { deploy } = actions;
    if (deploy !== undefined && sinceRequest(deploy) && deploy.state.latestExecution?.status === 'Failed') {
      return {
        ...empty,
        progress: progress('failed'),
        failure: actionFailure(deploy, `deploy action ${deploy.state.actionName ?? ''} failed`),
      };
    }
    if (deploy?.state.latestExecution?.status === 'InProgress')
      return { ...empty, progress: progress('deploying') };
    const preparing = actions.preparingInProgress || record.status === 'synthesizing';
    return { ...empty, progress: progress(preparing ? 'synthesizing' : 'queued') };
  }

  /** Every resource of the stack (ListStackResources pages through all of them; DescribeStackResources stops at 100). */
  private async stackResources(
    client: CloudFormationClient,
    stackName: string,
  ): Promise<StackResourceSummary[]> {
    const resources: StackResourceSummary[] = [];
    for await (const page of paginateListStackResources({ client }, { StackName: stackName })) {
      resources.push(...(page.StackResourceSummaries ?? []));
    }
    return resources;
  }

  /**
   * The events of the stack's current operation, newest first: the pages from the newest event back
   * to the operation's start (its stack-level, user-initiated *_IN_PROGRESS event). A later poll reads
   * only until an event it already has.
   */
  private async currentOperation(client: CloudFormationClient, stack: Stack): Promise<StackEvent[]> {
    const stackId = stack.StackId ?? stack.StackName ?? '';
    const known = this.operationEvents.get(stackId) ?? [];
    const knownIds = new Set(known.map((event) => event.EventId));
    const fresh: StackEvent[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    let reachedStart = false;
    let reachedKnown = false;
    do {
      const page = await client.send(
        new DescribeStackEventsCommand({
          StackName: stackId,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      );
      pages += 1;
      for (const event of page.StackEvents ?? []) {
        if (knownIds.has(event.EventId)) {
          reachedKnown = true;
          break;
        }
        fresh.push(event);
        if (isOperationStart(event, stack)) {
          reachedStart = true;
          break;
        }
      }
      nextToken = page.NextToken;
    } while (!reachedStart && !reachedKnown && nextToken !== undefined && pages < MAX_EVENT_PAGES);
    // A new operation started since the last poll: what was kept belongs to the previous one.
    const events = reachedStart ? fresh : [...fresh, ...known];
    this.operationEvents.set(stackId, events);
    return events;
  }

  /** Resources in the deployed template (cached per stack version: templates are large). */
  private async templateResourceCount(client: CloudFormationClient, stack: Stack): Promise<number> {
    const key = `${stack.StackId}@${(stack.LastUpdatedTime ?? stack.CreationTime)?.toISOString()}`;
    const cached = this.templateSizes.get(key);
    if (cached !== undefined) return cached;
    const template = await client.send(
      new GetTemplateCommand({ StackName: stack.StackId, TemplateStage: 'Processed' }),
    );
    let count = 0;
    try {
      count = Object.keys(
        (JSON.parse(template.TemplateBody ?? '{}') as { Resources?: object }).Resources ?? {},
      ).length;
    } catch {
      count = 0; // YAML templates: fall back to the resources CloudFormation lists
    }
    this.templateSizes.set(key, count);
    return count;
  }

  /** SDK calls already retry (adaptive mode); what still fails is reported as upstream trouble. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw upstreamError(error);
    }
  }
}

function upstreamError(error: unknown): Error {
  if (!(error instanceof Error)) return new UpstreamError(String(error));
  if (
    error instanceof UpstreamError ||
    error instanceof NoPendingPromotionError ||
    error instanceof StalePromotionError
  )
    return error;
  return new UpstreamError(`${error.name}: ${error.message}`);
}

function stackNameOf(record: EnvironmentRecord): string {
  return physicalName('environmentStack', { suffix: record.environmentSuffix });
}

function toEvent(event: StackEvent): DeploymentEvent {
  return {
    eventId: event.EventId ?? `${event.LogicalResourceId}-${event.Timestamp?.toISOString()}`,
    stackName: event.StackName ?? '',
    timestamp: (event.Timestamp ?? new Date(0)).toISOString(),
    logicalResourceId: event.LogicalResourceId ?? '',
    ...(event.PhysicalResourceId ? { physicalResourceId: event.PhysicalResourceId } : {}),
    resourceType: event.ResourceType ?? '',
    resourceStatus: event.ResourceStatus ?? '',
    ...(event.ResourceStatusReason ? { resourceStatusReason: event.ResourceStatusReason } : {}),
  };
}

/** The stack-level event that starts a user-initiated operation (create, update, delete). */
function isOperationStart(event: StackEvent, stack: Stack): boolean {
  return (
    event.ResourceType === 'AWS::CloudFormation::Stack' &&
    event.LogicalResourceId === stack.StackName &&
    (event.ResourceStatus ?? '').endsWith('_IN_PROGRESS') &&
    event.ResourceStatusReason === 'User Initiated'
  );
}

/** A pipeline action's failure, in the shape of a stack failure, with CodePipeline's reason. */
function actionFailure(located: LocatedAction, what: string): DeploymentFailure {
  const latest = located.state.latestExecution;
  const reason = latest?.errorDetails?.message ?? latest?.summary ?? 'no reason given';
  return {
    logicalResourceId: `${located.stageName}/${located.state.actionName ?? ''}`,
    resourceType: 'AWS::CodePipeline::Action',
    reason: `${what}: ${reason}`,
  };
}

/** The root cause: the first FAILED resource event that is not a cancellation. */
function firstFailure(events: readonly DeploymentEvent[], stack: Stack): DeploymentFailure | undefined {
  const failed = events.find(
    (e) =>
      e.resourceStatus.endsWith('_FAILED') &&
      e.resourceType !== 'AWS::CloudFormation::Stack' &&
      !/cancelled/i.test(e.resourceStatusReason ?? ''),
  );
  if (failed !== undefined) {
    return {
      logicalResourceId: failed.logicalResourceId,
      resourceType: failed.resourceType,
      reason: failed.resourceStatusReason ?? failed.resourceStatus,
    };
  }
  return {
    logicalResourceId: stack.StackName ?? '',
    resourceType: 'AWS::CloudFormation::Stack',
    reason: stack.StackStatusReason ?? stack.StackStatus ?? 'the stack failed',
  };
}

function timelineOf(events: readonly DeploymentEvent[], stackName: string): ResourceTimelineEntry[] {
  const entries = new Map<string, ResourceTimelineEntry>();
  for (const event of events) {
    if (event.logicalResourceId === stackName) continue;
    const existing = entries.get(event.logicalResourceId);
    if (event.resourceStatus.endsWith('_IN_PROGRESS')) {
      if (existing === undefined) {
        entries.set(event.logicalResourceId, {
          logicalResourceId: event.logicalResourceId,
          resourceType: event.resourceType,
          startedAt: event.timestamp,
          status: 'in-progress',
        });
      }
    } else if (existing !== undefined) {
      const failed = event.resourceStatus.endsWith('_FAILED');
      entries.set(event.logicalResourceId, {
        ...existing,
        finishedAt: event.timestamp,
        status: failed
          ? /cancelled/i.test(event.resourceStatusReason ?? '')
            ? 'cancelled'
            : 'failed'
          : 'complete',
      });
    }
  }
  return [...entries.values()];
}
