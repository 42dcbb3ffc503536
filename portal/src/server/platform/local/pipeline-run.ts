import { createHash, randomUUID } from 'node:crypto';
import type { ActionDefinition, ActionKind, PipelineDefinition } from '@sep/pipeline/definition';
import type { StackAddress } from './stack-model';

/*
 * The local pipeline's executions, as CodePipeline models them (GetPipelineState, GetPipelineExecution):
 * the records the player advances and persists, and the rules that change one record on its own.
 */

/** CodePipeline's statuses, as GetPipelineState and GetPipelineExecution report them. */
export type ExecutionStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Superseded' | 'Cancelled' | 'Stopped';
export type StageStatus = 'NotStarted' | 'InProgress' | 'Succeeded' | 'Failed' | 'Cancelled' | 'Stopped';
export type ActionStatus = 'NotStarted' | 'InProgress' | 'Succeeded' | 'Failed' | 'Abandoned';

export interface ActionRun {
  readonly name: string;
  readonly kind: ActionKind;
  readonly runOrder: number;
  readonly environmentSuffix?: string;
  status: ActionStatus;
  startedAt?: string;
  finishedAt?: string;
  /** Simulated work (CodeBuild provisioning, CloudFormation): when it completes, decided when it starts. */
  endsAt?: string;
  /** Simulated work: the status it completes with. */
  outcome?: 'Succeeded' | 'Failed';
  summary?: string;
  errorMessage?: string;
  /** Deploy actions: the stack and whether CloudFormation had anything to do. */
  stack?: StackAddress & { readonly templatePath: string; noChange?: boolean };
  /** The approval's token and decision. */
  approval?: {
    readonly token: string;
    decision?: 'Approved' | 'Rejected';
    decidedBy?: string;
    decidedAt?: string;
    comment?: string;
  };
}

export interface StageRun {
  readonly name: string;
  status: StageStatus;
  startedAt?: string;
  finishedAt?: string;
  readonly actions: ActionRun[];
}

/** What a Build action synthesized: the registry entries it exported, the ones the synth skipped. */
export interface BuildRecord {
  readonly runDir: string;
  readonly assemblyDir: string;
  readonly cacheKey: string;
  readonly exported: readonly {
    readonly environmentSuffix: string;
    readonly version: number;
    readonly updatedAt: string;
  }[];
  readonly skipped: readonly { readonly environmentSuffix: string; readonly reason: string }[];
  /** The execution whose assembly was reused (same source and registry export). */
  readonly reusedFrom?: string;
  readonly durationMs: number;
  readonly commands?: readonly { readonly command: string; readonly durationMs: number }[];
}

/** Where an execution comes from: the revision it deploys and who asked for it, when known. */
export interface ExecutionOrigin {
  /** The source revision (a commit) the execution deploys. */
  readonly sourceRevision?: string;
  /** Who made the registry writes that started it (or the execution whose update restarted this one), for people. */
  readonly requestedBy?: string;
  /** The same people, one each: separation of duties refuses the prod approval to every one of them. */
  readonly requesters?: readonly string[];
}

export interface ExecutionRun extends ExecutionOrigin {
  readonly executionId: string;
  status: ExecutionStatus;
  statusSummary?: string;
  readonly trigger: string;
  readonly startedAt: string;
  finishedAt?: string;
  readonly pipelineVersion: number;
  readonly stages: StageRun[];
  build?: BuildRecord;
}

export interface PipelineState {
  readonly pipelineVersion: number;
  /** The deployed pipeline (what `cdk deploy` of the pipeline stack last left, then self-mutation). */
  readonly definition: PipelineDefinition;
  /** Oldest first, bounded. */
  readonly executions: ExecutionRun[];
}

/** How long simulated CodeBuild/CodePipeline work takes at speed factor 1 (seconds). */
export const SIMULATED_SECONDS: Readonly<Record<ActionKind, number>> = {
  source: 5,
  // CodeBuild provisioning, `npm install -g aws-cdk`, `cdk deploy` of the pipeline stack.
  'self-mutate': 90,
  assets: 60,
  other: 30,
  // Real work in local mode, timed as it runs.
  synth: 0,
  smoke: 0,
  deploy: 0,
  approval: 0,
};
/** A CloudFormation update that finds nothing to change still takes a few API round trips. */
export const NO_CHANGE_SECONDS = 5;

/** Real work an action needs done: the player starts it and is told when it ends. */
export interface ActionWork {
  /** Runs the synth step for `execution`; resolves with what it built. Stops its processes on `signal`. */
  synth(execution: ExecutionRun, definition: PipelineDefinition, signal: AbortSignal): Promise<BuildRecord>;
  /**
   * Starts a CloudFormation CREATE_UPDATE at `at`. When CloudFormation answers at once (refused, or
   * nothing to update) the result says when and how the action ends; otherwise `deployProgress` is
   * asked until the stack operation is over.
   */
  deploy(
    execution: ExecutionRun,
    action: ActionRun,
    at: Date,
    definition: PipelineDefinition,
  ): Promise<
    | {
        readonly endsAt: Date;
        readonly outcome: 'Succeeded' | 'Failed';
        readonly summary: string;
        readonly errorMessage?: string;
      }
    | { readonly endsAt?: undefined; readonly summary: string }
  >;
  /** Where the stack operation a deploy action started stands: undefined while it runs. */
  deployProgress(
    execution: ExecutionRun,
    action: ActionRun,
    now: Date,
  ): Promise<
    | {
        readonly finishedAt: string;
        readonly outcome: 'Succeeded' | 'Failed';
        readonly summary: string;
        readonly errorMessage?: string;
      }
    | undefined
  >;
  /** Runs the smoke test of the action's environment against its deployed API. */
  smoke(
    execution: ExecutionRun,
    action: ActionRun,
    signal: AbortSignal,
    definition: PipelineDefinition,
  ): Promise<{ readonly summary: string }>;
}

export class ActionFailure extends Error {
  override readonly name = 'ActionFailure';
}

/** A new execution of the deployed pipeline: every stage and action NotStarted. */
export function newExecutionRun(
  state: PipelineState,
  trigger: string,
  origin: ExecutionOrigin,
  now: Date,
): ExecutionRun {
  return {
    ...origin,
    executionId: randomUUID(),
    status: 'InProgress',
    trigger,
    startedAt: now.toISOString(),
    pipelineVersion: state.pipelineVersion,
    stages: state.definition.stages.map((stage) => ({
      name: stage.name,
      status: 'NotStarted',
      actions: stage.actions.map((action: ActionDefinition) => ({
        name: action.name,
        kind: action.kind,
        runOrder: action.runOrder,
        status: 'NotStarted',
        ...(action.environmentSuffix === undefined ? {} : { environmentSuffix: action.environmentSuffix }),
      })),
    })),
  };
}

/**
 * Ends the execution with `status` (at `at`, or now): the stage it is in ends with it (Cancelled and
 * Stopped as themselves, anything else as Failed) and that stage's actions in flight are abandoned.
 */
export function endExecutionRun(
  execution: ExecutionRun,
  options: {
    readonly status: ExecutionStatus;
    readonly now: Date;
    readonly summary?: string;
    readonly at?: string;
  },
): void {
  const now = options.now.toISOString();
  const { status, at } = options;
  execution.status = status;
  execution.finishedAt = at ?? now;
  if (options.summary !== undefined) execution.statusSummary = options.summary;
  for (const stage of execution.stages) {
    if (stage.status !== 'InProgress') continue;
    // Only Cancelled and Stopped end an execution that is inside a stage.
    stage.status = status === 'Cancelled' || status === 'Stopped' ? status : 'Failed';
    stage.finishedAt = at ?? now;
    for (const action of stage.actions) {
      if (action.status === 'InProgress') {
        action.status = 'Abandoned';
        action.finishedAt = now;
      }
    }
  }
}

export function originOf(execution: ExecutionRun): ExecutionOrigin {
  return {
    ...(execution.sourceRevision === undefined ? {} : { sourceRevision: execution.sourceRevision }),
    ...(execution.requestedBy === undefined ? {} : { requestedBy: execution.requestedBy }),
    ...(execution.requesters === undefined ? {} : { requesters: execution.requesters }),
  };
}

/** Names an action's real work (synth, smoke test) while it runs: `<execution>/<stage>/<action>`. */
export function jobKey(execution: ExecutionRun, stage: StageRun, action: ActionRun): string {
  return `${execution.executionId}/${stage.name}/${action.name}`;
}

/** Identifies a Build's inputs: same source fingerprint, same registry export, same buildspec → same assembly. */
export function buildCacheKey(parts: {
  readonly source: string;
  readonly registry: unknown;
  readonly buildspec: unknown;
}): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
