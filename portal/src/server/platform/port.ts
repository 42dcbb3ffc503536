import type { EnvironmentRecord } from '@sep/registry';
import { hasBrand } from '../domain/errors';
import type { PromotionStackSource } from '../domain/promotion-preview';
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
  /**
   * Deployed, but its pipeline execution failed (another environment of the same stage failed) before
   * this environment's smoke test, and no run is on its way to it: why. The reconciler asks for one more
   * run (again after each retry); when that one ends the same way, the environment is `failed` with this reason.
   */
  readonly untested?: string;
}

export interface EnvironmentTarget {
  readonly record: EnvironmentRecord;
}

export interface ProvisionTarget extends EnvironmentTarget {
  /**
   * Another run for an environment that is deployed but was never smoke-tested (see
   * `DeploymentSnapshot.untested`): it keeps its place in the pipeline (it is not requested afresh).
   * @default false
   */
  readonly retest?: boolean;
}

/** What one bounded step of a teardown achieved (see `PlatformPort.teardown`). */
export type TeardownStep =
  /** CloudFormation is still deleting (or has not started): the environment stays `destroying`. */
  | { readonly outcome: 'in-progress'; readonly detail?: string }
  /** The stacks are gone (the platform may have removed the registry entry itself; the reconciler removes what is left). */
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

/** One deployed stack of an environment, as CloudFormation (or the played stack) holds it. */
export interface StackProvenance {
  readonly stackName: string;
  readonly stackId?: string;
  /** SHA-256 (hex) of the deployed template body, as GetTemplate returns it (stage Original). */
  readonly templateSha256?: string;
  /** When the stack was last created or updated (ISO-8601). */
  readonly lastDeployedAt?: string;
  /** Resources of the deployed template per CloudFormation type (the comparison view counts them). */
  readonly resourceTypes: Readonly<Record<string, number>>;
}

/** Something of an environment's identity that could not be known, and why: never a guessed value. */
export interface IdentityGap {
  /** The identity field (e.g. `sourceRevision`, `templateHashes`). */
  readonly field: string;
  readonly reason: string;
}

/** Where an environment's deployed state comes from: its stacks, the execution and revision that deployed them. */
export interface EnvironmentProvenance {
  readonly stacks: readonly StackProvenance[];
  /** The pipeline whose execution deployed the stack. */
  readonly pipelineName?: string;
  readonly pipelineExecutionId?: string;
  /** The source revision (a commit) that execution deployed. */
  readonly sourceRevision?: string;
  /** The account's CloudTrail trail (account-security stack output `AuditTrailArn`); aws mode only. */
  readonly cloudTrailTrailArn?: string;
  readonly gaps: readonly IdentityGap[];
}

/** Reading what is deployed and where it came from (evidence identity, environment comparison). */
export interface ProvenanceService {
  /** Never rejects for a missing part: what cannot be read is a gap with its reason. */
  provenance(target: EnvironmentTarget): Promise<EnvironmentProvenance>;
}

/** Bringing environments up and down, and reading where their deployment stands. */
export interface DeploymentService {
  /** Starts bringing a just-registered (or failed) environment up. */
  provision(target: ProvisionTarget): Promise<void>;
  /**
   * The environments pipeline's execution that is deploying stacks now (past its self-mutation), if any.
   * A run started meanwhile would cancel it: the new run's self-mutation updates the pipeline, CodePipeline
   * fails the executions in flight, and CloudFormation goes on with the stacks they started, on which the
   * restarted run's deploy actions then fail. The reconciler holds provisioning until it ends.
   */
  deployingExecution(): Promise<string | undefined>;
  /**
   * One short step of the environment's teardown (a `destroying` entry): the first call starts deleting
   * its stack, later ones say how far it got. The reconciler calls it from the destroy request and then on
   * every poll until the outcome is no longer `in-progress`; each call returns within a bounded time.
   */
  teardown(target: EnvironmentTarget & { readonly reason: string }): Promise<TeardownStep>;
  /** Where the deployment is now: ONE upstream read (the live hub calls this once per environment per poll). */
  describe(target: EnvironmentTarget): Promise<DeploymentSnapshot>;
  /**
   * Deletes a stack that cannot be updated (ROLLBACK_COMPLETE, the snapshot says `replaceable`) and sets
   * the entry back to `requested`, so the next run creates it afresh.
   */
  recreate(target: EnvironmentTarget): Promise<void>;
}

/** What is known of an environment's compliance: the synth's cdk-nag report, the runtime rules, drift. */
export interface ComplianceService {
  compliance(target: EnvironmentTarget): Promise<ComplianceReport>;
  /** @throws NotDeployedError when the environment has no stack */
  detectDrift(target: EnvironmentTarget): Promise<DriftReport>;
}

/** What the execution waiting at PromoteToProd would change: each prod stack's two templates. */
export interface PromotionSources {
  /** The execution waiting at the approval (the one the preview is of). */
  readonly executionId: string;
  readonly stacks: readonly PromotionStackSource[];
}

/** The release pipeline and its promotion to prod. */
export interface PipelineService {
  pipeline(): Promise<Omit<PipelineView, 'canDecide'>>;
  /** @throws NoPendingPromotionError, StalePromotionError (another execution waits than the one decided on) */
  decidePromotion(decision: PromotionDecision): Promise<void>;
  /**
   * For the execution waiting at PromoteToProd, per prod stack: the template deployed now and the one the
   * execution will deploy (with their cdk-nag reports and specs where known). A stack whose deployed
   * template cannot be read comes back without `deployed`, with the reason.
   * @throws NoPendingPromotionError
   */
  promotionSources(): Promise<PromotionSources>;
}

/**
 * Everything the portal asks of the delivery platform, one service per capability. Two adapters: `aws`
 * (CodePipeline, CloudFormation, Config) and `local` (real synth, simulated rollout). Route handlers
 * never see an adapter, only the use cases.
 */
export interface PlatformPort
  extends DeploymentService,
    ComplianceService,
    PipelineService,
    ProvenanceService {
  readonly mode: PortalMode;
  /** True when outputs, events and pipeline state are simulated on this machine. */
  readonly simulated: boolean;
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
const UPSTREAM_ERROR = Symbol.for('sep.portal.UpstreamError');

export class UpstreamError extends Error {
  // Not the prototype chain: see `hasBrand` in domain/errors.ts.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, UPSTREAM_ERROR);
  }
  readonly [UPSTREAM_ERROR] = true;
  override readonly name = 'UpstreamError';
}
