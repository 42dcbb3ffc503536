import { randomUUID } from 'node:crypto';
import type { PipelineDefinition } from '@sep/pipeline/definition';
import {
  type ActionRun,
  type ActionWork,
  type ExecutionRun,
  jobKey,
  SIMULATED_SECONDS,
  type StageRun,
} from './pipeline-run';

export interface ActionRunnerOptions {
  readonly work: ActionWork;
  readonly speedFactor: number;
  readonly clock: () => Date;
  /** Records a finished job's outcome (the action is already updated): the player saves and tells. */
  readonly onJobRecorded: () => Promise<void>;
  /** After a job is over, recorded or not: the player advances. Not called once closed. */
  readonly onJobOver: () => void;
}

/**
 * Starts a pipeline's actions as CodePipeline's providers would: what AWS times itself (CodeBuild
 * provisioning, the pipeline's own deploy, asset publishing) is planned to end after its simulated
 * duration; the synth step and the smoke tests run for real in the background, one job per action,
 * stopped when their execution ends or the runner closes; a deploy asks the stack operation to start.
 */
export class ActionRunner {
  private readonly jobs = new Map<string, Promise<void>>();
  /** Aborted on close: real work in flight stops (its processes are killed) and is started again on resume. */
  private readonly stopping = new AbortController();
  /** Per execution: aborted when it ends (stopped, cancelled…), so its real work stops with it. */
  private readonly halts = new Map<string, AbortController>();
  private closed = false;

  constructor(private readonly options: ActionRunnerOptions) {}

  /** Marks the action InProgress at `at` and starts its work. */
  async start(
    execution: ExecutionRun,
    stage: StageRun,
    action: ActionRun,
    at: Date,
    definition: PipelineDefinition,
  ): Promise<void> {
    action.status = 'InProgress';
    action.startedAt = at.toISOString();
    const simulate = (seconds: number, summary: string) => {
      action.endsAt = new Date(at.getTime() + (seconds * 1000) / this.options.speedFactor).toISOString();
      action.outcome = 'Succeeded';
      action.summary = summary;
    };
    const { work } = this.options;
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
        action.startedAt = this.options.clock().toISOString();
        this.run(execution, stage, action, async () => {
          const build = await work.synth(execution, definition, this.signalOf(execution));
          execution.build = build;
          return build.reusedFrom === undefined
            ? `synthesized ${build.exported.length} registry entries in ${(build.durationMs / 1000).toFixed(1)} s${build.skipped.length > 0 ? `; skipped ${build.skipped.map((s) => s.environmentSuffix).join(', ')}` : ''}`
            : `reused the cloud assembly of execution ${build.reusedFrom} (same source and registry export)`;
        });
        return;
      case 'smoke':
        action.startedAt = this.options.clock().toISOString();
        this.run(
          execution,
          stage,
          action,
          async () => (await work.smoke(execution, action, this.signalOf(execution), definition)).summary,
        );
        return;
      case 'deploy': {
        const result = await work.deploy(execution, action, at, definition);
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

  /** Whether real work runs for the action (false after a restart: nothing survives the process). */
  isWorking(execution: ExecutionRun, stage: StageRun, action: ActionRun): boolean {
    return this.jobs.has(jobKey(execution, stage, action));
  }

  /** Whether any work of the execution `runId` is running (its run folder must be kept). */
  isRunning(runId: string): boolean {
    return [...this.jobs.keys()].some((key) => key.startsWith(`${runId}/`));
  }

  /** The execution ended: its work in flight is worth nothing now (its outcome would be ignored). */
  halt(executionId: string): void {
    this.halts.get(executionId)?.abort();
    this.halts.delete(executionId);
  }

  /** Stops all work; waits up to `graceMs` for it to end. */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    // Work that ignores the abort is left behind: its action stays InProgress and is run again on resume.
    await Promise.race([
      Promise.allSettled([...this.jobs.values()]),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
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
      action.finishedAt = this.options.clock().toISOString();
      await this.options.onJobRecorded();
    })().finally(() => {
      this.jobs.delete(key);
      if (!this.closed) this.options.onJobOver();
    });
    this.jobs.set(key, job);
  }

  /** Aborted when the runner closes or the execution ends. */
  private signalOf(execution: ExecutionRun): AbortSignal {
    let halt = this.halts.get(execution.executionId);
    if (halt === undefined) {
      halt = new AbortController();
      this.halts.set(execution.executionId, halt);
    }
    return AbortSignal.any([this.stopping.signal, halt.signal]);
  }
}
