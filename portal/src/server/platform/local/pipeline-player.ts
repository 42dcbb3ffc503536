import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type ActionDefinition,
  type ActionKind,
  type PipelineDefinition,
  readPipelineAssembly,
} from '@sep/pipeline/definition';
import { PipelineStateFile, type StateRecovery } from './pipeline-state-file';
import type { StackAddress } from './stacks';

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
const MAX_EXECUTIONS = 30;
/** Run folders (source snapshot and cloud assembly) kept besides those an execution in flight uses. */
const KEPT_RUNS = 3;

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

export interface LocalPipelinePlayerOptions {
  /** The pipeline this player plays, by name (a pipeline stack may hold several). @default the only one */
  readonly pipelineName?: string;
  /** `<data>/platform/pipeline`: state.json and one folder per Build run. */
  readonly dataDir: string;
  readonly speedFactor: number;
  readonly work: ActionWork;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Told whenever something moved (the live hub re-reads). */
  readonly onChange?: () => void;
  /** Told when a background advance failed (it is tried again on the next tick). */
  readonly onError?: (error: unknown) => void;
  /**
   * Told when this pipeline's self-mutation deployed the pipeline stack of `assemblyDir`: the other
   * pipelines of that stack get their new definitions (`deployDefinition`).
   */
  readonly onSelfMutation?: (assemblyDir: string, by: string, origin: ExecutionOrigin) => void;
  /** Told when an execution ends (after the change is applied), whatever its status. */
  readonly onExecutionEnded?: (execution: ExecutionRun) => void;
  /**
   * The cloud assembly the pipeline stack was first deployed from: what the player starts afresh from
   * when neither its state file nor the last-good copy can be read. @default the one `bootstrap` was given
   */
  readonly deployedAssemblyDir?: string;
  /** Told once when the state file could not be used, with what the player runs from instead. */
  readonly onStateRecovered?: (recovery: StateRecovery) => void;
}

/**
 * Plays the synthesized CodePipeline: each execution runs the deployed pipeline's stages in order and,
 * within a stage, its actions by run order; a stage is entered by one execution at a time. What
 * CodePipeline would time itself (CodeBuild provisioning, CloudFormation operations) is planned when
 * the action starts and completes against the clock; the synth step and the smoke tests really run.
 * Executions follow the pipeline's execution mode (SUPERSEDED: the newest of several executions
 * waiting at a stage goes on, the others are superseded; QUEUED: one after another), and a self-
 * mutation that changes the pipeline cancels the executions in flight and restarts the pipeline, as
 * CodePipeline does with RestartExecutionOnUpdate. Everything is persisted (temp file + rename) after
 * each change, so a restart resumes every execution where it stood; real work in flight is started again.
 */
export class LocalPipelinePlayer {
  private state: PipelineState | undefined;
  private loading: Promise<void> | undefined;
  private readonly stateFile: PipelineStateFile;
  private deployedAssemblyDir: string | undefined;
  private readonly jobs = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private advancing: Promise<void> | undefined;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly clock: () => Date;
  /** Aborted on close: real work in flight stops (its processes are killed) and is started again on resume. */
  private readonly stopping = new AbortController();
  /** Per execution: aborted when it ends (stopped, cancelled…), so its real work stops with it. */
  private readonly halts = new Map<string, AbortController>();
  private closed = false;

  constructor(private readonly options: LocalPipelinePlayerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.stateFile = new PipelineStateFile(options.dataDir, this.clock);
    this.deployedAssemblyDir = options.deployedAssemblyDir;
  }

  /** The deployed pipeline and its executions, advanced to now (undefined before the first bootstrap). */
  async current(): Promise<PipelineState | undefined> {
    await this.advance();
    return this.state;
  }

  /**
   * The state as it stands, without advancing: what an action's work reads (the player is advancing
   * while it waits for that work, so asking it to advance again would wait on itself).
   */
  async peek(): Promise<PipelineState | undefined> {
    await this.load();
    return this.state;
  }

  /**
   * Deploys the pipeline itself from a cloud assembly (what the operator's first `cdk deploy` does),
   * unless one is deployed already.
   */
  async bootstrap(assemblyDir: string): Promise<void> {
    this.deployedAssemblyDir ??= assemblyDir;
    await this.load();
    if (this.state !== undefined) return;
    this.state = this.freshState(assemblyDir);
    await this.save();
  }

  async isBootstrapped(): Promise<boolean> {
    await this.load();
    return this.state !== undefined;
  }

  /** StartPipelineExecution: a new execution of the deployed pipeline. */
  async startExecution(trigger: string, origin: ExecutionOrigin = {}): Promise<ExecutionRun> {
    await this.load();
    const execution = this.newExecution(trigger, origin);
    this.requireState().executions.push(execution);
    this.trim();
    await this.save();
    this.schedule();
    return execution;
  }

  /**
   * StopPipelineExecution with abandon: in-flight actions are abandoned (CloudFormation operations already
   * started carry on, as in AWS; a synth or smoke test running here is stopped), nothing later runs.
   */
  async stopExecution(executionId: string, reason: string): Promise<void> {
    await this.load();
    const execution = this.state?.executions.find((e) => e.executionId === executionId);
    if (execution === undefined || execution.status !== 'InProgress') return;
    this.end(execution, 'Stopped', reason);
    await this.save();
  }

  /** PutApprovalResult: only for the approval action waiting in `executionId`, with its token. */
  async decideApproval(options: {
    readonly executionId: string;
    readonly token: string;
    readonly decision: 'Approved' | 'Rejected';
    readonly decidedBy: string;
    readonly comment: string;
  }): Promise<boolean> {
    await this.advance();
    const execution = this.state?.executions.find((e) => e.executionId === options.executionId);
    const action = execution?.stages
      .flatMap((stage) => stage.actions)
      .find((a) => a.kind === 'approval' && a.status === 'InProgress' && a.approval?.token === options.token);
    if (execution === undefined || action?.approval === undefined) return false;
    const now = this.clock().toISOString();
    action.approval.decision = options.decision;
    action.approval.decidedBy = options.decidedBy;
    action.approval.decidedAt = now;
    action.approval.comment = options.comment;
    action.status = options.decision === 'Approved' ? 'Succeeded' : 'Failed';
    action.finishedAt = now;
    action.summary = `${options.decision} by ${options.decidedBy}${options.comment ? `: ${options.comment}` : ''}`;
    await this.save();
    await this.advance();
    return true;
  }

  /** Moves every execution as far as the clock and finished work allow (one pass at a time). */
  advance(): Promise<void> {
    if (this.advancing !== undefined) return this.advancing;
    this.advancing = this.advanceOnce().finally(() => {
      this.advancing = undefined;
    });
    return this.advancing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.stopping.abort();
    // Work that ignores the abort is left behind: its action stays InProgress and is run again on resume.
    await Promise.race([
      Promise.allSettled([...this.jobs.values()]),
      new Promise((resolve) => setTimeout(resolve, 5000).unref()),
    ]);
    await this.writes;
  }

  // -- internals ------------------------------------------------------------------------------------------

  private async advanceOnce(): Promise<void> {
    await this.load();
    const state = this.state;
    if (state === undefined) return;
    let changed = false;
    for (let pass = 0; pass < 50; pass += 1) {
      let moved = false;
      for (const execution of state.executions) {
        if (execution.status === 'InProgress' && (await this.advanceExecution(execution))) moved = true;
      }
      if (this.supersedeWaiting()) moved = true;
      if (!moved) break;
      changed = true;
    }
    if (changed) {
      await this.save();
      this.options.onChange?.();
    }
    this.schedule();
  }

  /** True when anything about the execution changed. */
  private async advanceExecution(execution: ExecutionRun): Promise<boolean> {
    const now = this.clock();
    let changed = false;
    for (const stage of execution.stages) {
      if (stage.status === 'Succeeded') continue;
      if (stage.status === 'NotStarted') {
        if (!this.mayEnter(execution, stage.name)) return changed;
        stage.status = 'InProgress';
        stage.startedAt = this.stageEntry(execution, stage);
        changed = true;
      }
      if (await this.advanceStage(execution, stage, now)) changed = true;
      if (stage.status === 'Failed') {
        this.end(execution, 'Failed', `stage ${stage.name} failed`, stage.finishedAt);
        return true;
      }
      if (execution.status !== 'InProgress') return true;
      if ((stage.status as StageStatus) !== 'Succeeded') return changed;
    }
    this.end(execution, 'Succeeded', undefined, execution.stages.at(-1)?.finishedAt);
    return true;
  }

  /**
   * When an execution entered a stage: when its previous stage finished (or it started), or later, when
   * another execution left the stage — never later than now.
   */
  private stageEntry(execution: ExecutionRun, stage: StageRun): string {
    const index = execution.stages.indexOf(stage);
    const candidates = [
      (index > 0 ? execution.stages[index - 1]?.finishedAt : undefined) ?? execution.startedAt,
    ];
    for (const other of this.requireState().executions) {
      const held = other === execution ? undefined : other.stages.find((s) => s.name === stage.name);
      if (held?.finishedAt !== undefined) candidates.push(held.finishedAt);
    }
    const now = this.clock().toISOString();
    const latest = candidates.sort().at(-1) ?? now;
    return latest > now ? now : latest;
  }

  private mayEnter(execution: ExecutionRun, stageName: string): boolean {
    const state = this.requireState();
    // QUEUED: one execution at a time, in the order they started.
    if (state.definition.executionMode === 'QUEUED' && execution.stages[0]?.name === stageName) {
      const earlier = state.executions
        .slice(0, state.executions.indexOf(execution))
        .some((other) => other.status === 'InProgress');
      if (earlier) return false;
    }
    return !state.executions.some(
      (other) =>
        other !== execution &&
        other.status === 'InProgress' &&
        other.stages.some((stage) => stage.name === stageName && stage.status === 'InProgress'),
    );
  }

  /** SUPERSEDED: of several executions waiting to enter the same stage, only the newest goes on. */
  private supersedeWaiting(): boolean {
    const state = this.requireState();
    if (state.definition.executionMode !== 'SUPERSEDED') return false;
    const waiting = new Map<string, ExecutionRun[]>();
    for (const execution of state.executions) {
      if (execution.status !== 'InProgress') continue;
      const next = execution.stages.find((stage) => stage.status !== 'Succeeded');
      if (next?.status !== 'NotStarted' || next === execution.stages[0]) continue;
      waiting.set(next.name, [...(waiting.get(next.name) ?? []), execution]);
    }
    let changed = false;
    for (const [stageName, executions] of waiting) {
      const sorted = executions.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      for (const older of sorted.slice(0, -1)) {
        const newer = sorted.at(-1) as ExecutionRun;
        this.end(
          older,
          'Superseded',
          `execution ${newer.executionId} reached stage ${stageName} while this one waited to enter it`,
        );
        changed = true;
      }
    }
    return changed;
  }

  /** Runs the stage's action groups in run order; true when anything changed. */
  private async advanceStage(execution: ExecutionRun, stage: StageRun, now: Date): Promise<boolean> {
    let changed = false;
    const orders = [...new Set(stage.actions.map((action) => action.runOrder))].sort((a, b) => a - b);
    let groupStart = stage.startedAt ?? now.toISOString();
    for (const order of orders) {
      const group = stage.actions.filter((action) => action.runOrder === order);
      for (const action of group) {
        if (action.status === 'NotStarted') {
          await this.startAction(execution, stage, action, new Date(groupStart));
          changed = true;
        } else if (
          action.status === 'InProgress' &&
          (action.kind === 'synth' || action.kind === 'smoke') &&
          !this.jobs.has(jobKey(execution, stage, action))
        ) {
          // Real work that was running when the process stopped: it starts again.
          await this.startAction(execution, stage, action, now);
          changed = true;
        }
        if (
          action.status === 'InProgress' &&
          action.endsAt !== undefined &&
          action.endsAt <= now.toISOString()
        ) {
          action.status = action.outcome ?? 'Succeeded';
          action.finishedAt = action.endsAt;
          changed = true;
        } else if (
          action.status === 'InProgress' &&
          action.kind === 'deploy' &&
          action.endsAt === undefined
        ) {
          // A CloudFormation action polls its stack until the operation ends.
          const ended = await this.options.work.deployProgress(execution, action, now);
          if (ended !== undefined) {
            action.status = ended.outcome;
            action.finishedAt = ended.finishedAt;
            action.summary = ended.summary;
            if (ended.errorMessage !== undefined) action.errorMessage = ended.errorMessage;
            changed = true;
          }
        }
      }
      if (execution.status !== 'InProgress') return true;
      if (group.some((action) => action.status === 'InProgress')) return changed;
      const finished = group.map((action) => action.finishedAt ?? groupStart).sort();
      groupStart = finished.at(-1) ?? groupStart;
      if (group.some((action) => action.status === 'Failed')) {
        stage.status = 'Failed';
        stage.finishedAt = groupStart;
        return true;
      }
    }
    if (stage.status !== 'Succeeded') {
      stage.status = 'Succeeded';
      stage.finishedAt = groupStart;
      changed = true;
      if (stage.actions.some((action) => action.kind === 'self-mutate')) this.afterSelfMutation(execution);
    }
    return changed;
  }

  private async startAction(
    execution: ExecutionRun,
    stage: StageRun,
    action: ActionRun,
    at: Date,
  ): Promise<void> {
    action.status = 'InProgress';
    action.startedAt = at.toISOString();
    const simulate = (seconds: number, summary: string) => {
      action.endsAt = new Date(at.getTime() + (seconds * 1000) / this.options.speedFactor).toISOString();
      action.outcome = 'Succeeded';
      action.summary = summary;
    };
    switch (action.kind) {
      case 'source':
        simulate(SIMULATED_SECONDS.source, 'the repository working tree (local source)');
        return;
      case 'self-mutate':
        simulate(
          SIMULATED_SECONDS['self-mutate'],
          'cdk deploy of the pipeline stack (simulated CodeBuild run)',
        );
        return;
      case 'assets':
        simulate(SIMULATED_SECONDS.assets, 'cdk-assets publish (simulated CodeBuild run)');
        return;
      case 'approval':
        action.approval = { token: randomUUID() };
        action.summary = 'waiting for an approver';
        return;
      case 'synth':
        action.startedAt = this.clock().toISOString();
        this.run(execution, stage, action, async () => {
          const build = await this.options.work.synth(
            execution,
            this.requireState().definition,
            this.signalOf(execution),
          );
          execution.build = build;
          return build.reusedFrom === undefined
            ? `synthesized ${build.exported.length} registry entries in ${(build.durationMs / 1000).toFixed(1)} s${build.skipped.length > 0 ? `; skipped ${build.skipped.map((s) => s.environmentSuffix).join(', ')}` : ''}`
            : `reused the cloud assembly of execution ${build.reusedFrom} (same source and registry export)`;
        });
        return;
      case 'smoke':
        action.startedAt = this.clock().toISOString();
        this.run(
          execution,
          stage,
          action,
          async () =>
            (
              await this.options.work.smoke(
                execution,
                action,
                this.signalOf(execution),
                this.requireState().definition,
              )
            ).summary,
        );
        return;
      case 'deploy': {
        const result = await this.options.work.deploy(execution, action, at, this.requireState().definition);
        action.summary = result.summary;
        // Refused or nothing to do: CloudFormation answered at once. Otherwise the stack is polled.
        if (result.endsAt !== undefined) {
          action.endsAt = result.endsAt.toISOString();
          action.outcome = result.outcome;
          if (result.errorMessage !== undefined) action.errorMessage = result.errorMessage;
        }
        return;
      }
      default:
        simulate(SIMULATED_SECONDS.other, `${action.name} (simulated)`);
    }
  }

  /** Real work in the background; its end is recorded and the player advances. */
  private run(
    execution: ExecutionRun,
    stage: StageRun,
    action: ActionRun,
    work: () => Promise<string>,
  ): void {
    const key = jobKey(execution, stage, action);
    if (this.jobs.has(key)) return;
    const job = (async () => {
      try {
        const summary = await work();
        if (action.status !== 'InProgress' || this.closed) return;
        action.status = 'Succeeded';
        action.summary = summary;
      } catch (error) {
        if (action.status !== 'InProgress' || this.closed) return;
        action.status = 'Failed';
        action.errorMessage = error instanceof Error ? error.message : String(error);
      }
      action.finishedAt = this.clock().toISOString();
      await this.save();
      this.options.onChange?.();
    })().finally(() => {
      this.jobs.delete(key);
      if (!this.closed) void this.advance().catch((error: unknown) => this.options.onError?.(error));
    });
    this.jobs.set(key, job);
  }

  /** Self-mutation deployed the pipeline stack this execution synthesized: every pipeline of it changes. */
  private afterSelfMutation(execution: ExecutionRun): void {
    const assemblyDir = execution.build?.assemblyDir;
    if (assemblyDir === undefined || !existsSync(assemblyDir)) return;
    const by = `the self-mutation of execution ${execution.executionId}`;
    const origin = originOf(execution);
    this.deployDefinition(
      readPipelineAssembly(assemblyDir, { pipelineName: this.options.pipelineName }),
      by,
      origin,
    );
    this.options.onSelfMutation?.(assemblyDir, by, origin);
  }

  /**
   * The pipeline stack was deployed with `definition` for this pipeline (by a self-mutation, this
   * pipeline's or another's): when it changed, CodePipeline cancels the executions in flight and, with
   * RestartExecutionOnUpdate, starts the pipeline again. True when the definition changed.
   */
  deployDefinition(definition: PipelineDefinition, by: string, origin: ExecutionOrigin = {}): boolean {
    const state = this.requireState();
    if (JSON.stringify(definition) === JSON.stringify(state.definition)) return false;
    this.state = { ...state, pipelineVersion: state.pipelineVersion + 1, definition };
    for (const other of state.executions) {
      if (other.status === 'InProgress') {
        this.end(other, 'Cancelled', `the pipeline's definition was updated by ${by}`);
      }
    }
    if (definition.restartExecutionOnUpdate) {
      this.state.executions.push(
        this.newExecution(`restarted after ${by} (RestartExecutionOnUpdate)`, origin),
      );
      this.trim();
    }
    void this.save();
    this.schedule();
    return true;
  }

  private newExecution(trigger: string, origin: ExecutionOrigin): ExecutionRun {
    const state = this.requireState();
    return {
      ...origin,
      executionId: randomUUID(),
      status: 'InProgress',
      trigger,
      startedAt: this.clock().toISOString(),
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

  /** Aborted when the player closes or the execution ends. */
  private signalOf(execution: ExecutionRun): AbortSignal {
    let halt = this.halts.get(execution.executionId);
    if (halt === undefined) {
      halt = new AbortController();
      this.halts.set(execution.executionId, halt);
    }
    return AbortSignal.any([this.stopping.signal, halt.signal]);
  }

  private end(execution: ExecutionRun, status: ExecutionStatus, summary?: string, at?: string): void {
    queueMicrotask(() => this.options.onExecutionEnded?.(execution));
    // Its work in flight is worth nothing now (its outcome would be ignored): stop its processes.
    this.halts.get(execution.executionId)?.abort();
    this.halts.delete(execution.executionId);
    const now = this.clock().toISOString();
    execution.status = status;
    execution.finishedAt = at ?? now;
    if (summary !== undefined) execution.statusSummary = summary;
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

  private trim(): void {
    const state = this.requireState();
    while (state.executions.length > MAX_EXECUTIONS) {
      const index = state.executions.findIndex((execution) => execution.status !== 'InProgress');
      if (index < 0) break;
      state.executions.splice(index, 1);
    }
  }

  /** Keeps the interval running while anything is in flight, and only then. */
  private schedule(): void {
    const busy = this.state?.executions.some((execution) => execution.status === 'InProgress') ?? false;
    if (busy && this.timer === undefined && !this.closed) {
      this.timer = setInterval(
        () => void this.advance().catch((error: unknown) => this.options.onError?.(error)),
        250,
      );
      this.timer.unref();
    } else if (!busy && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private requireState(): PipelineState {
    if (this.state === undefined) throw new Error('the local pipeline is not deployed yet (bootstrap first)');
    return this.state;
  }

  private freshState(assemblyDir: string): PipelineState {
    return {
      pipelineVersion: 1,
      definition: readPipelineAssembly(assemblyDir, { pipelineName: this.options.pipelineName }),
      executions: [],
    };
  }

  /** Reads the state once (concurrent callers share the read, so a corrupt file is set aside once). */
  private load(): Promise<void> {
    if (this.state !== undefined) return Promise.resolve();
    this.loading ??= this.readState().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async readState(): Promise<void> {
    const assemblyDir = this.deployedAssemblyDir;
    const { state, recovery } = await this.stateFile.read(() =>
      assemblyDir === undefined || !existsSync(assemblyDir) ? undefined : this.freshState(assemblyDir),
    );
    if (this.state !== undefined) return;
    this.state = state;
    if (recovery !== undefined) {
      this.options.onStateRecovered?.(recovery);
      // What the player now runs from becomes the state file again (and its last-good copy).
      await this.save();
    }
    this.schedule();
  }

  private save(): Promise<void> {
    const state = this.state;
    if (state === undefined) return Promise.resolve();
    const next = this.writes.then(async () => {
      await this.stateFile.write(state);
      await this.pruneRuns(state);
    });
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Removes run folders no execution in flight needs, keeping the newest few. */
  private async pruneRuns(state: PipelineState): Promise<void> {
    const runsDir = path.join(this.options.dataDir, 'runs');
    if (!existsSync(runsDir)) return;
    const needed = new Set(
      state.executions
        .map((execution) => execution.build?.runDir)
        .filter((dir): dir is string => dir !== undefined)
        .slice(-KEPT_RUNS),
    );
    for (const execution of state.executions) {
      if (execution.status === 'InProgress' && execution.build !== undefined)
        needed.add(execution.build.runDir);
    }
    for (const entry of await readdir(runsDir)) {
      const dir = path.join(runsDir, entry);
      if (!needed.has(dir) && !this.isRunning(entry)) await rm(dir, { recursive: true, force: true });
    }
  }

  private isRunning(runId: string): boolean {
    return [...this.jobs.keys()].some((key) => key.startsWith(`${runId}/`));
  }

  /** A folder for an execution's Build (its id names it, so a running job's folder is never pruned). */
  runDir(execution: ExecutionRun): string {
    return path.join(this.options.dataDir, 'runs', execution.executionId);
  }
}

function originOf(execution: ExecutionRun): ExecutionOrigin {
  return {
    ...(execution.sourceRevision === undefined ? {} : { sourceRevision: execution.sourceRevision }),
    ...(execution.requestedBy === undefined ? {} : { requestedBy: execution.requestedBy }),
    ...(execution.requesters === undefined ? {} : { requesters: execution.requesters }),
  };
}

function jobKey(execution: ExecutionRun, stage: StageRun, action: ActionRun): string {
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
