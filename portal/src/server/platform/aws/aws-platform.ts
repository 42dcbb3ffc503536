import {
  CloudFormationClient,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import {
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
import { physicalName } from '@sep/infra/spec';
import {
  EnvironmentNotFoundError,
  type EnvironmentRecord,
  type EnvironmentRegistry,
  VersionConflictError,
} from '@sep/pipeline/registry';
import {
  type BackoffOptions,
  EnvironmentTeardown,
  NotEphemeralError,
  TeardownRefusedError,
} from '@sep/pipeline/teardown';
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
  type TeardownStep,
  UpstreamError,
} from '../port';
import { readPublishedNagReport } from '../published-nag-report';

export interface AwsPlatformOptions {
  readonly region?: string;
  readonly pipelineName: string;
  /** The ManualApprovalStep's action name. */
  readonly approvalActionName: string;
  /** Injected in tests; built with adaptive retry otherwise (endpoints honour `AWS_ENDPOINT_URL_*`). */
  readonly clients?: {
    readonly cloudFormation: CloudFormationClient;
    readonly codePipeline: CodePipelineClient;
    readonly config: ConfigServiceClient;
    readonly s3?: S3Client;
  };
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
  /** @default Date.now */
  readonly clock?: () => number;
}

const MAX_EVENTS = 200;
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
  UPDATE_ROLLBACK_COMPLETE: 'failed',
  IMPORT_ROLLBACK_COMPLETE: 'failed',
  IMPORT_ROLLBACK_FAILED: 'failed',
  DELETE_IN_PROGRESS: 'destroying',
  DELETE_FAILED: 'failed',
  DELETE_COMPLETE: 'destroyed',
};

/** Stages of a CDK Pipelines execution before any environment stack is touched. */
const SYNTH_STAGES = new Set(['Source', 'Build', 'UpdatePipeline', 'Assets']);

function isStackMissing(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message);
}

/** The real platform: CodePipeline runs, CloudFormation deploys, AWS Config judges. */
export class AwsPlatform implements PlatformPort {
  readonly mode = 'aws' as const;
  readonly simulated = false;
  private readonly cloudFormation: CloudFormationClient;
  private readonly codePipeline: CodePipelineClient;
  private readonly config: ConfigServiceClient;
  private readonly s3: S3Client;
  private readonly templateSizes = new Map<string, number>();
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
    this.cloudFormation = options.clients?.cloudFormation ?? new CloudFormationClient(common);
    this.codePipeline = options.clients?.codePipeline ?? new CodePipelineClient(common);
    this.config = options.clients?.config ?? new ConfigServiceClient(common);
    this.s3 = options.clients?.s3 ?? new S3Client(common);
    this.clock = options.clock ?? Date.now;
    // The sweeper's destroy path, on the portal's clients (its role allows exactly these calls).
    this.environmentTeardown = new EnvironmentTeardown({
      registry: options.registry,
      cloudFormationFor: () => this.cloudFormation,
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
   * One step of `@sep/pipeline/teardown` (tag-checked, all or nothing, DeleteStack by stack ID), bounded
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

  async describe({ record }: EnvironmentTarget): Promise<DeploymentSnapshot> {
    const stackName = stackNameOf(record);
    let stack: Stack | undefined;
    try {
      const result = await this.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
      stack = result.Stacks?.[0];
    } catch (error) {
      if (!isStackMissing(error)) throw new UpstreamError(`CloudFormation: ${(error as Error).message}`);
    }
    if (stack === undefined) return this.describeMissing(record, stackName);

    const phase = PHASE_BY_STACK_STATUS[stack.StackStatus ?? ''] ?? 'deploying';
    const [eventsPage, resources, total] = await this.call(() =>
      Promise.all([
        this.cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackName })),
        this.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName })),
        this.templateResourceCount(stack),
      ]),
    );
    const events = (eventsPage.StackEvents ?? []).slice(0, MAX_EVENTS).reverse().map(toEvent);
    const operationStart = lastOperationStart(events, stackName);
    const current = events.filter((event) => event.timestamp >= operationStart);
    const resourceList = resources.StackResources ?? [];
    const deleting = phase === 'destroying';
    const resourcesDone = resourceList.filter((r) =>
      deleting
        ? r.ResourceStatus === 'DELETE_COMPLETE'
        : /^(CREATE|UPDATE|IMPORT)_COMPLETE$/.test(r.ResourceStatus ?? ''),
    ).length;
    const resourcesTotal = deleting ? resourceList.length : Math.max(total, resourceList.length);
    const failure = phase === 'failed' || phase === 'rolling-back' ? firstFailure(current, stack) : undefined;
    const percent =
      phase === 'complete' || phase === 'destroyed'
        ? 100
        : resourcesTotal === 0
          ? 0
          : Math.min(99, Math.round((resourcesDone / resourcesTotal) * 100));
    return {
      stackName,
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
      outputs:
        phase === 'complete'
          ? (stack.Outputs ?? []).map((output) => ({
              key: output.OutputKey ?? '',
              value: output.OutputValue ?? '',
              ...(output.Description ? { description: output.Description } : {}),
              ...(output.ExportName ? { exportName: output.ExportName } : {}),
            }))
          : [],
      ...(failure === undefined ? {} : { failure }),
    };
  }

  /**
   * Static: the cdk-nag report the pipeline's synth published for this environment (read beside the
   * Config calls; a report that cannot be read is `available: false` with the reason, never a failed
   * answer). Runtime: the environment's own Config rules, those scoped to tag Environment=<suffix>.
   */
  async compliance({ record }: EnvironmentTarget): Promise<ComplianceReport> {
    const nagReport = this.nagReport(record.environmentSuffix);
    const rules: ComplianceReport['runtime']['rules'][number][] = [];
    await this.call(async () => {
      const names: string[] = [];
      for await (const page of paginateDescribeConfigRules({ client: this.config }, {})) {
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
        for await (const page of paginateDescribeComplianceByConfigRule({ client: this.config }, input)) {
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
    });
    return {
      environmentSuffix: record.environmentSuffix,
      static: await nagReport,
      runtime: { available: true, rules: rules.sort((a, b) => a.ruleName.localeCompare(b.ruleName)) },
    };
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
    let detectionId: string | undefined;
    try {
      detectionId = (await this.cloudFormation.send(new DetectStackDriftCommand({ StackName: stackName })))
        .StackDriftDetectionId;
    } catch (error) {
      if (isStackMissing(error)) throw new NotDeployedError(`stack ${stackName} does not exist`);
      throw new UpstreamError(`CloudFormation: ${(error as Error).message}`);
    }
    const deadline = Date.now() + (this.options.driftTimeoutMs ?? 90_000);
    for (;;) {
      const status = await this.call(() =>
        this.cloudFormation.send(
          new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: detectionId }),
        ),
      );
      if (status.DetectionStatus === 'DETECTION_FAILED')
        throw new UpstreamError(`drift detection failed: ${status.DetectionStatusReason ?? ''}`);
      if (status.DetectionStatus === 'DETECTION_COMPLETE') break;
      if (Date.now() > deadline) throw new UpstreamError('drift detection did not finish in time; try again');
      await new Promise((resolve) => setTimeout(resolve, this.options.driftPollMs ?? 2000));
    }
    const drifts = await this.call(() =>
      this.cloudFormation.send(
        new DescribeStackResourceDriftsCommand({
          StackName: stackName,
          StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
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
    return {
      environmentSuffix: record.environmentSuffix,
      status: driftedResources.length > 0 ? 'DRIFTED' : 'IN_SYNC',
      detectedAt: new Date().toISOString(),
      driftedResources,
      simulated: false,
    };
  }

  async pipeline(): Promise<Omit<PipelineView, 'canDecide'>> {
    const state = await this.pipelineState();
    const approval = this.pendingApproval(state);
    const first = state.stageStates?.[0]?.latestExecution;
    return {
      pipelineName: this.options.pipelineName,
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

  /** `PutApprovalResult` needs the token that only `GetPipelineState` hands out. */
  async decidePromotion(decision: PromotionDecision): Promise<void> {
    const approval = this.pendingApproval(await this.pipelineState());
    if (approval === undefined) throw new NoPendingPromotionError();
    await this.call(() =>
      this.codePipeline.send(
        new PutApprovalResultCommand({
          pipelineName: this.options.pipelineName,
          stageName: approval.stageName,
          actionName: approval.actionName,
          token: approval.token,
          result: {
            status: decision.decision === 'approve' ? 'Approved' : 'Rejected',
            summary: `${decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${decision.actor} in the portal${decision.comment ? `: ${decision.comment}` : ''}`,
          },
        }),
      ),
    );
  }

  async close(): Promise<void> {
    this.cloudFormation.destroy();
    this.codePipeline.destroy();
    this.config.destroy();
    this.s3.destroy();
  }

  private pipelineState(): Promise<GetPipelineStateCommandOutput> {
    return this.call(() =>
      this.codePipeline.send(new GetPipelineStateCommand({ name: this.options.pipelineName })),
    );
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

  /** No stack: destroyed, vanished, or not created yet (the pipeline is still synthesizing). */
  private async describeMissing(record: EnvironmentRecord, stackName: string): Promise<DeploymentSnapshot> {
    const empty = { stackName, events: [], timeline: [], outputs: [] };
    if (record.status === 'destroying' || record.status === 'destroyed') {
      return {
        ...empty,
        progress: { phase: 'destroyed', resourcesDone: 0, resourcesTotal: 0, percent: 100 },
      };
    }
    if (record.status === 'ready' || record.status === 'deploying') {
      const failure: DeploymentFailure = {
        logicalResourceId: stackName,
        resourceType: 'AWS::CloudFormation::Stack',
        reason: 'the stack no longer exists (deleted outside the portal); destroy and request it again',
      };
      return {
        ...empty,
        progress: { phase: 'failed', resourcesDone: 0, resourcesTotal: 0, percent: 0 },
        failure,
      };
    }
    const state = await this.pipelineState();
    const synthesizing = (state.stageStates ?? []).some(
      (stage) => SYNTH_STAGES.has(stage.stageName ?? '') && stage.latestExecution?.status === 'InProgress',
    );
    return {
      ...empty,
      progress: {
        phase: synthesizing || record.status === 'synthesizing' ? 'synthesizing' : 'queued',
        resourcesDone: 0,
        resourcesTotal: 0,
        percent: 0,
      },
    };
  }

  /** Resources in the deployed template (cached per stack version: templates are large). */
  private async templateResourceCount(stack: Stack): Promise<number> {
    const key = `${stack.StackId}@${(stack.LastUpdatedTime ?? stack.CreationTime)?.toISOString()}`;
    const cached = this.templateSizes.get(key);
    if (cached !== undefined) return cached;
    const template = await this.cloudFormation.send(
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
  if (error instanceof UpstreamError || error instanceof NoPendingPromotionError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  return new UpstreamError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
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

/** Timestamp of the stack's latest "User Initiated" operation, to scope failures and the timeline. */
function lastOperationStart(events: readonly DeploymentEvent[], stackName: string): string {
  const starts = events.filter(
    (e) =>
      e.logicalResourceId === stackName &&
      e.resourceType === 'AWS::CloudFormation::Stack' &&
      e.resourceStatus.endsWith('_IN_PROGRESS') &&
      e.resourceStatusReason === 'User Initiated',
  );
  return starts.at(-1)?.timestamp ?? events[0]?.timestamp ?? '';
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
