import type { EnvironmentRecord } from '@sep/registry';
import { environmentStackName } from '@sep/registry/names';
import { LRUCache } from 'lru-cache';
import type { DeploymentPhase } from '../../domain/types';
import { logger } from '../../logger';
import type {
  DeploymentService,
  DeploymentSnapshot,
  EnvironmentTarget,
  ProvisionTarget,
  TeardownStep,
} from '../port';
import { deployingExecution, type LocalDelivery } from './local-delivery';
import { type PipelinePosition, pipelinePosition } from './pipeline-position';
import type { PipelineState } from './pipeline-run';
import type { Rollout } from './rollout';
import type { Playback } from './rollout-playback';
import { CorruptStackStateError, type StackAddress, type StackView } from './stack-model';

/** Bound of the per-environment snapshot memo: above any registry a portal serves. */
const MAX_SNAPSHOTS = 5000;

/**
 * Deployment on this machine: a provision starts the played environments pipeline, an environment's
 * progress is its place in that run and its stack's state, a teardown deletes the stack.
 */
export class LocalDeployment implements DeploymentService {
  private readonly snapshots = new LRUCache<
    string,
    { stack: StackView | undefined; key: string; snapshot: DeploymentSnapshot }
  >({ max: MAX_SNAPSHOTS });

  constructor(private readonly delivery: LocalDelivery) {}

  /** A registry write is not a pipeline source: start the execution that deploys it (as in aws mode). */
  async provision({ record, retest = false }: ProvisionTarget): Promise<void> {
    // A retest keeps the provision time: the environment's place is still the deploy it is waiting to test.
    if (!retest) await this.delivery.rememberProvision(record.environmentSuffix);
    // Before the pipeline exists (a fresh data folder) its first deployment takes a synth: the request
    // does not wait for it; the execution starts once the pipeline is deployed (`catchUp`).
    if (!(await this.delivery.pipelines.isDeployed())) {
      this.delivery.deployPipeline();
      return;
    }
    await this.delivery.requestRun(
      retest
        ? `smoke test of ${record.environmentSuffix}, deployed by a run that stopped before it`
        : `registry write: ${record.environmentSuffix} (${record.spec.kind})`,
      record.requestedBy,
    );
  }

  async deployingExecution(): Promise<string | undefined> {
    if (!(await this.delivery.pipelines.isDeployed())) return undefined;
    return deployingExecution(await (await this.delivery.pipelines.environments()).peek());
  }

  /**
   * Stops the queued executions that would deploy the environment, deletes its stack (CDK Pipelines never
   * deletes a removed stage's stack) and starts a pipeline run, whose synth skips the `destroying` entry so self-mutation drops its stage; later steps
   * follow the delete until the stack is gone. A step after a restart finds the delete under way.
   */
  async teardown({ record }: EnvironmentTarget & { readonly reason: string }): Promise<TeardownStep> {
    const address = await this.delivery.addressOf(record);
    let stack: StackView | undefined;
    try {
      stack = await this.delivery.stacks.describe(address, this.delivery.clock());
    } catch (error) {
      if (!(error instanceof CorruptStackStateError)) throw error;
      // Nothing runs from an unreadable state on this machine: set it aside, the environment is gone.
      logger.warn(
        { file: await this.delivery.stacks.discard(address) },
        'local stacks: unreadable state set aside',
      );
      stack = undefined;
    }
    if (stack?.operation.rollout.operation === 'delete') {
      const { phase } = this.progressOf(stack.playback, stack.operation.rollout);
      return phase === 'destroyed' ? { outcome: 'destroyed' } : { outcome: 'in-progress' };
    }
    // First step: nothing queued may deploy it again once its stack is gone.
    const stopped = await this.delivery.stopRunsDeploying(record);
    if (stopped.length > 0)
      logger.info(
        { environmentSuffix: record.environmentSuffix, executionIds: stopped },
        'local pipeline: stopped executions that would have deployed an environment being destroyed',
      );
    if (stack !== undefined) await this.delivery.stacks.delete(address, this.delivery.clock());
    if (await this.delivery.pipelines.isDeployed())
      await this.delivery.requestRun(`destroy of ${record.environmentSuffix}`);
    return stack === undefined ? { outcome: 'destroyed' } : { outcome: 'in-progress' };
  }

  /**
   * The environment now: its stack's state and its place in the pipeline. The same snapshot object comes
   * back while neither changed (the service reuses a snapshot's encoded detail body by identity).
   */
  async describe(target: EnvironmentTarget): Promise<DeploymentSnapshot> {
    try {
      return await this.describeStack(target);
    } catch (error) {
      if (!(error instanceof CorruptStackStateError)) throw error;
      // This environment alone fails, with the reason; every other one reads its own state.
      const stackName = environmentStackName(target.record.environmentSuffix);
      return {
        stackName,
        progress: { phase: 'failed', resourcesDone: 0, resourcesTotal: 0, percent: 0 },
        events: [],
        timeline: [],
        outputs: [],
        failure: {
          logicalResourceId: stackName,
          resourceType: 'AWS::CloudFormation::Stack',
          reason: error.message,
        },
      };
    }
  }

  private async describeStack({ record }: EnvironmentTarget): Promise<DeploymentSnapshot> {
    this.delivery.deployPipeline();
    const address = await this.delivery.addressOf(record);
    const state = (await this.delivery.pipelines.isDeployed())
      ? await (await this.delivery.pipelines.forKind(record.spec.kind)).current()
      : undefined;
    const hold = this.delivery.options.holdBeforeResourceType;
    if (hold !== undefined && record.spec.kind === 'ephemeral')
      await this.delivery.stacks.hold(address, hold, this.delivery.clock());
    const described = await this.delivery.stacks.describe(address, this.delivery.clock());
    // A stack deleted by an earlier life of this suffix is gone: a suffix requested again starts afresh.
    const stack =
      described?.operation.rollout.operation === 'delete' && !destroyingOrGone(record.status)
        ? undefined
        : described;
    const position: PipelinePosition =
      this.delivery.bootstrapError === undefined
        ? await this.positionOf(record, state)
        : { kind: 'failed-before-deploy', where: 'pipeline', reason: this.delivery.bootstrapError };
    const key = JSON.stringify([record.status, position]);
    const memo = this.snapshots.get(record.environmentSuffix);
    if (memo !== undefined && memo.stack === stack && memo.key === key) return memo.snapshot;
    const snapshot = this.snapshotOf(record, address, stack, position);
    this.snapshots.set(record.environmentSuffix, { stack, key, snapshot });
    return snapshot;
  }

  private snapshotOf(
    record: EnvironmentRecord,
    address: StackAddress,
    stack: StackView | undefined,
    position: PipelinePosition,
  ): DeploymentSnapshot {
    const empty = { stackName: address.stackName, events: [], timeline: [], outputs: [] };
    const shown = stack?.shown ?? empty;
    const idle = (phase: DeploymentPhase) => ({
      ...shown,
      progress: { phase, resourcesDone: 0, resourcesTotal: 0, percent: 0 },
    });
    if (stack?.operation.rollout.operation === 'delete' || record.status === 'destroying') {
      if (stack === undefined)
        return { ...idle('destroyed'), progress: { ...idle('destroyed').progress, percent: 100 } };
      return { ...shown, progress: this.progressOf(stack.playback, stack.operation.rollout) };
    }
    switch (position.kind) {
      case 'waiting':
        return idle(position.phase);
      case 'failed-before-deploy':
        return {
          ...idle('failed'),
          failure: {
            logicalResourceId: position.where,
            resourceType: 'AWS::CodePipeline::Action',
            reason: position.reason,
          },
        };
      case 'deploy': {
        if (stack === undefined) return idle('queued');
        const progress = this.progressOf(stack.playback, stack.operation.rollout);
        const smoke = position.smoke;
        if (progress.phase === 'complete' && smoke !== undefined && smoke.status !== 'Succeeded') {
          if (smoke.status === 'Failed') {
            return {
              ...shown,
              progress: { ...progress, phase: 'failed' },
              failure: {
                logicalResourceId: smoke.name,
                resourceType: 'AWS::CodePipeline::Action',
                reason: `smoke test failed: ${smoke.errorMessage ?? 'no detail'}`,
              },
            };
          }
          // Deployed, not yet proven: the smoke test is running (or about to, or needs another run).
          return {
            ...shown,
            outputs: [],
            progress: { ...progress, phase: 'deploying', percent: 99 },
            ...(position.untested === undefined ? {} : { untested: position.untested }),
          };
        }
        if (position.deployFailure !== undefined && stack.operation.rollout.failure === undefined) {
          return {
            ...shown,
            progress: { ...progress, phase: 'failed' },
            failure: {
              logicalResourceId: address.stackName,
              resourceType: 'AWS::CloudFormation::Stack',
              reason: position.deployFailure,
            },
          };
        }
        return { ...shown, progress };
      }
      case 'none':
        return stack === undefined
          ? idle('queued')
          : { ...shown, progress: this.progressOf(stack.playback, stack.operation.rollout) };
    }
  }

  /**
   * A stack left in ROLLBACK_COMPLETE is deleted (it holds nothing), the entry goes back to `requested`
   * and a run starts, as the teardown's `recreateRolledBack` does in AWS.
   */
  async recreate({ record }: EnvironmentTarget): Promise<void> {
    const address = await this.delivery.addressOf(record);
    const stack = await this.delivery.stacks.describe(address, this.delivery.clock());
    if (stack?.status !== 'ROLLBACK_COMPLETE') return;
    await this.delivery.stacks.delete(address, this.delivery.clock());
    const recreations = (record.recreations ?? 0) + 1;
    const requested = await this.delivery.options.registry.updateStatus({
      environmentSuffix: record.environmentSuffix,
      status: 'requested',
      statusReason: `rolled-back stack deleted; redeploying (automatic recreation ${recreations})`,
      expectedVersion: record.version,
      recreations,
      stackId: null,
    });
    await this.provision({ record: requested });
  }

  private async positionOf(
    record: EnvironmentRecord,
    state: PipelineState | undefined,
  ): Promise<PipelinePosition> {
    const provisionedAt = (await this.delivery.provisionTimes())[record.environmentSuffix];
    return pipelinePosition(state?.executions ?? [], {
      environmentSuffix: record.environmentSuffix,
      since: provisionedAt ?? record.createdAt,
      provisioned: provisionedAt !== undefined,
    });
  }

  private progressOf(playback: Playback, rollout: Rollout) {
    const total = playback.resourcesTotal;
    const percent =
      playback.phase === 'complete' || playback.phase === 'destroyed'
        ? 100
        : total === 0
          ? 0
          : Math.min(99, Math.round((playback.resourcesDone / total) * 100));
    const finishedAt = playback.finished
      ? new Date(Date.parse(rollout.startedAt) + rollout.endMs).toISOString()
      : undefined;
    return {
      phase: playback.phase,
      resourcesDone: playback.resourcesDone,
      resourcesTotal: total,
      percent,
      startedAt: rollout.startedAt,
      ...(finishedAt === undefined ? {} : { finishedAt }),
    };
  }
}

function destroyingOrGone(status: EnvironmentRecord['status']): boolean {
  return status === 'destroying' || status === 'destroyed';
}
