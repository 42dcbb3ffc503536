import type { EnvironmentRecord } from '@sep/registry';
import type {
  ComplianceReport,
  DeploymentEvent,
  DeploymentFailure,
  DeploymentProgress,
  DriftReport,
  PipelineView,
  PortalMode,
  ResourceTimelineEntry,
  StackOutput,
} from '../domain/types';

/** One upstream read of an environment's deployment. */
export interface DeploymentSnapshot {
  readonly stackName: string;
  /** The stack's ID (its ARN) once it exists: the registry remembers it, and the teardown looks it up by it. */
  readonly stackId?: string;
  readonly progress: DeploymentProgress;
  /** Oldest first. */
  readonly events: readonly DeploymentEvent[];
  readonly timeline: readonly ResourceTimelineEntry[];
  readonly outputs: readonly StackOutput[];
  /** Why the outputs are to be read with care (e.g. a rolled-back update: the previous version's). */
  readonly outputsWarning?: string;
  readonly failure?: DeploymentFailure;
  /**
   * The stack cannot be updated, only deleted and created again (ROLLBACK_COMPLETE after a failed
   * first create): the reconciler may `recreate` it.
   */
  readonly replaceable?: boolean;
}

export interface EnvironmentTarget {
  readonly record: EnvironmentRecord;
}

/** What one bounded step of a platform-owned teardown achieved (see `PlatformPort.teardown`). */
export type TeardownStep =
  /** CloudFormation is still deleting (or has not started): the environment stays `destroying`. */
  | { readonly outcome: 'in-progress'; readonly detail?: string }
  /** The stacks are gone and the platform removed the registry entry (and started the pipeline). */
  | { readonly outcome: 'destroyed'; readonly pipelineExecutionId?: string }
  /** A stack could not be deleted: the platform recorded status `failed` with this reason. */
  | { readonly outcome: 'failed'; readonly reason: string }
  /** A stack is not provably an ephemeral environment's (tags, termination protection): nothing was deleted. */
  | { readonly outcome: 'refused'; readonly reason: string };

export interface PromotionDecision {
  /** The pipeline execution the approver reviewed: a decision is never applied to another one. */
  readonly executionId: string;
  readonly decision: 'approve' | 'reject';
  readonly comment: string;
  /** User id of the approver. */
  readonly actor: string;
}

/**
 * Everything the portal asks of the delivery platform. Two adapters: `aws`
 * (CodePipeline, CloudFormation, Config) and `local` (real synth, simulated
 * rollout). Route handlers never see an adapter, only the service.
 */
export interface PlatformPort {
  readonly mode: PortalMode;
  /** True when outputs, events and pipeline state are simulated on this machine. */
  readonly simulated: boolean;
  /** Starts bringing a just-registered (or failed) environment up. */
  provision(target: EnvironmentTarget): Promise<void>;
  /** Starts deleting the environment's stack; `describe` then reports it until it is `destroyed`. */
  destroy(target: EnvironmentTarget): Promise<void>;
  /**
   * Present when the platform's own destroy path owns the registry entry (aws: `@sep/registry/teardown`,
   * which the TTL sweeper shares): the service calls it instead of `destroy`, then again on every poll of
   * a `destroying` environment, and never moves such an environment out of `destroying` itself. Each call
   * is short (a request handler makes the first): it starts or resumes the teardown and returns.
   */
  teardown?(target: EnvironmentTarget & { readonly reason: string }): Promise<TeardownStep>;
  /** Where the deployment is now: ONE upstream read (the live hub calls this once per environment per poll). */
  describe(target: EnvironmentTarget): Promise<DeploymentSnapshot>;
  compliance(target: EnvironmentTarget): Promise<ComplianceReport>;
  detectDrift(target: EnvironmentTarget): Promise<DriftReport>;
  pipeline(): Promise<Omit<PipelineView, 'canDecide'>>;
  /**
   * Present when the platform can delete a stack that cannot be updated (ROLLBACK_COMPLETE, the
   * snapshot says `replaceable`) and set the entry back to `requested`, so the next run creates it afresh.
   */
  recreate?(target: EnvironmentTarget): Promise<void>;
  /** @throws NoPendingPromotionError, StalePromotionError (another execution waits than the one decided on) */
  decidePromotion(decision: PromotionDecision): Promise<void>;
  close(): Promise<void>;
}

/** Nothing waits at the approval action: there is nothing to approve or reject. */
export class NoPendingPromotionError extends Error {
  override readonly name = 'NoPendingPromotionError';
  constructor(message = 'no promotion to prod is waiting for a decision') {
    super(message);
  }
}

/** The decision names an execution other than the one waiting at the approval now: nothing was decided. */
export class StalePromotionError extends Error {
  override readonly name = 'StalePromotionError';
  constructor(
    readonly decidedExecutionId: string,
    readonly waitingExecutionId: string,
  ) {
    super(
      `execution ${decidedExecutionId} no longer waits for promotion: execution ${waitingExecutionId} does; review it and decide again`,
    );
  }
}

/** The environment has no deployed stack (drift, outputs). */
export class NotDeployedError extends Error {
  override readonly name = 'NotDeployedError';
}

/** The upstream (AWS or the local platform) failed after retries. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
}
