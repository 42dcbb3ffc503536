import { existsSync } from 'node:fs';
import { type PipelineDefinition, readPipelineAssembly } from '@sep/pipeline/definition';
import { ActionRunner } from './action-runner';
import { mayEnterStage, stageEntryTime, supersededWaiting } from './execution-order';
import {
  type ActionWork,
  type ExecutionOrigin,
  type ExecutionRun,
  type ExecutionStatus,
  endExecutionRun,
  newExecutionRun,
  originOf,
  type PipelineState,
  type StageRun,
  type StageStatus,
} from './pipeline-run';
import { PipelineStateFile, type StateRecovery } from './pipeline-state-file';

const MAX_EXECUTIONS = 30;

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
 * (A little over ~400 lines on purpose: CodePipeline's API and its advance loop on one state; the records
 * are in pipeline-run.ts, the stage-entry rules in execution-order.ts, the actions' work in action-runner.ts.)
 */
export class LocalPipelinePlayer {
  private state: PipelineState | undefined;
  private loading: Promise<void> | undefined;
  private readonly stateFile: PipelineStateFile;
  private deployedAssemblyDir: string | undefined;
  private readonly actions: ActionRunner;
  private timer: NodeJS.Timeout | undefined;
  private advancing: Promise<void> | undefined;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly clock: () => Date;
  private closed = false;

  constructor(private readonly options: LocalPipelinePlayerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.stateFile = new PipelineStateFile(options.dataDir, this.clock);
    this.deployedAssemblyDir = options.deployedAssemblyDir;
    this.actions = new ActionRunner({
      work: options.work,
      speedFactor: options.speedFactor,
      clock: this.clock,
      onJobRecorded: async () => {
        await this.save();
        this.options.onChange?.();
      },
      onJobOver: () => void this.advance().catch((error: unknown) => this.options.onError?.(error)),
    });
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
    await this.actions.close();
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
        if (!mayEnterStage(this.requireState(), execution, stage.name)) return changed;
        stage.status = 'InProgress';
        stage.startedAt = stageEntryTime(this.requireState(), execution, stage, this.clock());
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

  /** SUPERSEDED: of several executions waiting to enter the same stage, only the newest goes on. */
  private supersedeWaiting(): boolean {
    const superseded = supersededWaiting(this.requireState());
    for (const { older, newer, stageName } of superseded) {
      this.end(
        older,
        'Superseded',
        `execution ${newer.executionId} reached stage ${stageName} while this one waited to enter it`,
      );
    }
    return superseded.length > 0;
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
          await this.actions.start(
            execution,
            stage,
            action,
            new Date(groupStart),
            this.requireState().definition,
          );
          changed = true;
        } else if (
          action.status === 'InProgress' &&
          (action.kind === 'synth' || action.kind === 'smoke') &&
          !this.actions.isWorking(execution, stage, action)
        ) {
          // Real work that was running when the process stopped: it starts again.
          await this.actions.start(execution, stage, action, now, this.requireState().definition);
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
    return newExecutionRun(this.requireState(), trigger, origin, this.clock());
  }

  private end(execution: ExecutionRun, status: ExecutionStatus, summary?: string, at?: string): void {
    queueMicrotask(() => this.options.onExecutionEnded?.(execution));
    this.actions.halt(execution.executionId);
    endExecutionRun(execution, {
      status,
      now: this.clock(),
      ...(summary === undefined ? {} : { summary }),
      ...(at === undefined ? {} : { at }),
    });
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
      await this.stateFile.pruneRunFolders(state, (runId) => this.actions.isRunning(runId));
    });
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** A folder for an execution's Build (its id names it, so a running job's folder is never pruned). */
  runDir(execution: ExecutionRun): string {
    return this.stateFile.runDir(execution.executionId);
  }
}
