import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
  type Stack,
  type StackEvent,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { EnvironmentNotFoundError, type EnvironmentRecord, VersionConflictError } from '@sep/registry';
import {
  actionEnvironment,
  environmentStackName,
  PROD_STAGE_NAME,
  STAGING_STAGE_NAME,
} from '@sep/registry/names';
import { EnvironmentTeardown, NotEphemeralError, TeardownRefusedError } from '@sep/registry/teardown';
import type { DeploymentFailure, DeploymentPhase } from '../../domain/types';
import type {
  DeploymentService,
  DeploymentSnapshot,
  EnvironmentTarget,
  ProvisionTarget,
  TeardownStep,
} from '../port';
import { type AwsContext, upstreamError } from './aws-context';
import {
  actionFailure,
  type EnvironmentActions,
  firstFailure,
  isOperationStart,
  isStackMissing,
  type LocatedAction,
  MAX_EVENT_PAGES,
  MAX_EVENTS,
  OUTPUT_STATUSES,
  OUTPUTS_OF_PREVIOUS_VERSION,
  PHASE_BY_STACK_STATUS,
  PREPARING_STAGES,
  timelineOf,
  toEvent,
} from './stack-events';

/**
 * Deployment on AWS: CodePipeline executions deploy, CloudFormation stacks (read in each environment's
 * own account and region, as the platform-access role there) say how far, and `@sep/registry/teardown`
 * (the TTL sweeper's destroy path) deletes. (A little over ~400 lines on purpose: the one
 * DeploymentService of aws mode, whose snapshot, retry and teardown read the same pipeline and stack
 * state; the event mapping lives in stack-events.ts.)
 */
export class AwsDeployment implements DeploymentService {
  private readonly templateSizes = new Map<string, number>();
  /** Per stack ID: the current operation's events read so far, newest first (later polls read only what is new). */
  private readonly operationEvents = new Map<string, StackEvent[]>();
  private readonly environmentTeardown: EnvironmentTeardown;
  /** One teardown step per environment at a time: the destroy request and a poll may ask together. */
  private readonly teardownSteps = new Map<string, Promise<TeardownStep>>();

  constructor(private readonly aws: AwsContext) {
    const { options } = aws;
    // The sweeper's destroy path, on the portal's clients (its role allows exactly these calls).
    this.environmentTeardown = new EnvironmentTeardown({
      registry: options.registry,
      cloudFormationFor: (target) => aws.targets.client(CloudFormationClient, target),
      defaultAccount: options.defaultAccount,
      pipeline: { pipelineName: options.pipelineName, client: aws.codePipeline },
      // One DescribeStacks by name per poll, not a listing of every stack in the account.
      stackNamesOf: (record) => [environmentStackName(record.environmentSuffix)],
      clock: aws.clock,
      ...(options.teardownBackoff === undefined ? {} : { backoff: options.teardownBackoff }),
    });
  }

  /** A registry write is not a pipeline source: start the execution that deploys the new stage. */
  async provision({ record, retest = false }: ProvisionTarget): Promise<void> {
    await this.aws.call(() =>
      this.aws.codePipeline.send(
        new StartPipelineExecutionCommand({
          name: this.aws.options.pipelineName,
          // Idempotent per registry write of this life of the suffix: a retried request starts one execution.
          clientRequestToken: `${record.environmentSuffix}-${Date.parse(record.createdAt)}-v${record.version}${retest ? '-retest' : ''}`,
        }),
      ),
    );
  }

  /** A stage after the preparing ones (Source, Build, UpdatePipeline, Assets) is running: stacks are deploying. */
  async deployingExecution(): Promise<string | undefined> {
    const state = await this.aws.pipelineState(this.aws.options.pipelineName);
    const deploying = (state.stageStates ?? []).find(
      (stage) =>
        !((stage.stageName ?? '') in PREPARING_STAGES) && stage.latestExecution?.status === 'InProgress',
    );
    return deploying?.latestExecution?.pipelineExecutionId;
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
    const stackName = environmentStackName(record.environmentSuffix);
    const cloudFormation = this.aws.cloudFormation(record);
    const [stack, actions] = await Promise.all([
      this.aws.call(async () => {
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
    const [operation, resources, total] = await this.aws.call(() =>
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
        deadline: this.aws.clock() + (this.aws.options.teardownStepMs ?? 0),
      });
    } catch (error) {
      throw upstreamError(error);
    }
  }

  /** The environment's actions in its pipeline (ephemeral: the environments pipeline; staging/prod: the release pipeline). */
  private async environmentActions(record: EnvironmentRecord): Promise<EnvironmentActions> {
    const { kind } = record.spec;
    const name = kind === 'ephemeral' ? this.aws.options.pipelineName : this.aws.options.releasePipelineName;
    const state = await this.aws.pipelineState(name);
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

  private async teardownStep(environmentSuffix: string, reason: string): Promise<TeardownStep> {
    try {
      const result = await this.environmentTeardown.destroy({
        environmentSuffix,
        reason,
        deadline: this.aws.clock() + (this.aws.options.teardownStepMs ?? 0),
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
        reason: `the stack no longer exists in ${this.aws.whereOf(record)} (deleted outside the portal); destroy and request it again`,
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
}
