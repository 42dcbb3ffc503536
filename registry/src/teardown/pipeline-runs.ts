import {
  CodePipelineClient,
  ListPipelineExecutionsCommand,
  type PipelineExecutionSummary,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import type { EnvironmentRecord } from '../registry';

/**
 * The environments pipeline as a teardown sees it: the executions that could recreate a stack behind a
 * delete, and the run that drops a destroyed environment's stage (CDK Pipelines never deletes the stack
 * of a stage that disappears; self-mutation only drops the stage).
 */
export class TeardownPipelineRuns {
  private readonly pipelineName: string;
  private readonly client: CodePipelineClient;

  constructor(options: { readonly pipelineName: string; readonly client?: CodePipelineClient }) {
    this.pipelineName = options.pipelineName;
    this.client = options.client ?? new CodePipelineClient({ retryMode: 'adaptive', maxAttempts: 8 });
  }

  /**
   * An execution of the environments pipeline still running that started before `since` (the
   * destroy): it may have read the registry before the entry went `destroying`, and its deploy
   * action would recreate the stack after the delete, an orphan no registry entry knows. Executions
   * started later synthesize without the environment (`destroying` entries are skipped). The
   * environments pipeline has no stage after its environment waves, so any such execution counts.
   */
  async startedBefore(since: Date): Promise<string | undefined> {
    const running = (await this.running()).find(
      (execution) => execution.startTime !== undefined && execution.startTime.getTime() < since.getTime(),
    );
    return running?.pipelineExecutionId;
  }

  /**
   * The run that drops a destroyed environment's stage from the pipeline. An execution in progress that
   * started after the claim (`since`) synthesized, or will, without the environment (the synth skips
   * `destroying` entries), so its self-mutation drops the stage already; starting another run would only
   * make that self-mutation cancel it, mid-deploy of every other environment it carries (CodePipeline
   * stops in-flight executions on a definition update). Otherwise a run starts, idempotent per teardown:
   * two callers finishing the same one (portal and sweeper) start one.
   */
  async dropStage(claimed: EnvironmentRecord, since: Date): Promise<string | undefined> {
    const carrying = (await this.running()).find(
      (execution) =>
        execution.status === 'InProgress' &&
        execution.startTime !== undefined &&
        execution.startTime.getTime() >= since.getTime(),
    );
    return carrying?.pipelineExecutionId ?? this.start(`${tokenOf(claimed)}-teardown`);
  }

  /**
   * Executions of the environments pipeline that are running (newest first, as CodePipeline lists them).
   * One page: in SUPERSEDED mode at most one execution runs per stage, so every running one is among the
   * newest 100.
   */
  private async running(): Promise<PipelineExecutionSummary[]> {
    const listed = await this.client.send(
      new ListPipelineExecutionsCommand({ pipelineName: this.pipelineName, maxResults: 100 }),
    );
    return (listed.pipelineExecutionSummaries ?? []).filter(
      (execution) => execution.status === 'InProgress' || execution.status === 'Stopping',
    );
  }

  /** Starts a run; the token makes a retried call (or a second caller with the same token) start one. */
  async start(clientRequestToken: string): Promise<string | undefined> {
    const result = await this.client.send(
      new StartPipelineExecutionCommand({ name: this.pipelineName, clientRequestToken }),
    );
    return result.pipelineExecutionId;
  }
}

/**
 * Unique per registry write of one life of a suffix (a removed suffix can be registered again and
 * starts at version 1): `[a-zA-Z0-9-]`, as CodePipeline's idempotency token requires.
 */
export function tokenOf(record: EnvironmentRecord): string {
  return `${record.environmentSuffix}-${Date.parse(record.createdAt)}-v${record.version}`;
}
