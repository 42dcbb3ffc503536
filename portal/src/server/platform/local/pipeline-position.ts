import type { ActionRun, ExecutionRun } from './pipeline-player';

/** Where an environment stands in the pipeline since it was last provisioned. */
export type PipelinePosition =
  | { readonly kind: 'none' }
  | { readonly kind: 'waiting'; readonly phase: 'queued' | 'synthesizing' }
  | { readonly kind: 'failed-before-deploy'; readonly where: string; readonly reason: string }
  | { readonly kind: 'deploy'; readonly smoke?: ActionRun; readonly deployFailure?: string };

export interface PipelinePositionOptions {
  readonly environmentSuffix: string;
  /** Executions started before this instant (the last provision, or the entry's creation) say nothing. */
  readonly since: string;
  /** The environment was asked for (provisioned), not merely carried along by the pipeline's synth. */
  readonly provisioned: boolean;
}

/**
 * The environment's place in the played pipeline: the newest execution started since it was last
 * provisioned that synthesized it (or failed to) decides.
 *
 * One exception keeps what the user sees moving forward: a newer execution that has not reached the
 * environment yet (queued behind a stage, or synthesizing) does not hide an older one that is further
 * along with it. In SUPERSEDED mode every registry write starts an execution; while several engineers
 * request environments, a newer execution is almost always waiting behind the one deploying yours, and
 * the older one still finishes its stage (CodePipeline supersedes only at stage boundaries).
 */
export function pipelinePosition(
  /** The pipeline's executions, oldest first (as the player keeps them). */
  history: readonly ExecutionRun[],
  options: PipelinePositionOptions,
): PipelinePosition {
  const executions = [...history].reverse().filter((execution) => execution.startedAt >= options.since);
  let waiting: Extract<PipelinePosition, { kind: 'waiting' }> | undefined;
  for (const [index, execution] of executions.entries()) {
    const position = positionIn(execution, executions, index, options);
    if (position === undefined) continue;
    if (waiting === undefined) {
      if (position.kind !== 'waiting') return position;
      waiting = position;
      continue;
    }
    // An older execution only counts where it is further along than the newest one.
    if (position.kind === 'deploy') return position;
    if (position.kind === 'waiting' && position.phase === 'synthesizing') waiting = position;
  }
  return waiting ?? { kind: 'none' };
}

/** What one execution says about the environment; undefined when it says nothing. */
function positionIn(
  execution: ExecutionRun,
  executions: readonly ExecutionRun[],
  index: number,
  { environmentSuffix: suffix, provisioned }: PipelinePositionOptions,
): PipelinePosition | undefined {
  const build = execution.stages.flatMap((stage) => stage.actions).find((action) => action.kind === 'synth');
  if (execution.build === undefined) {
    if (execution.status === 'InProgress') {
      // Synthesized already by an earlier execution (the pipeline restarted after updating itself):
      // the environment waits for its stage; the Build running now is the pipeline's, not its own.
      const synthesized = executions.some((other) =>
        other.build?.exported.some((entry) => entry.environmentSuffix === suffix),
      );
      return {
        kind: 'waiting',
        // Only what was requested is "synthesizing": an environment nobody provisioned (prod, waiting
        // for its promotion) is merely carried along by the pipeline's synth.
        phase: build?.status === 'InProgress' && !synthesized && provisioned ? 'synthesizing' : 'queued',
      };
    }
    if (build?.status === 'Failed') {
      return {
        kind: 'failed-before-deploy',
        where: `Build/${build.name}`,
        reason: build.errorMessage ?? 'the synth step failed',
      };
    }
    return undefined;
  }
  const skipped = execution.build.skipped.find((entry) => entry.environmentSuffix === suffix);
  if (skipped !== undefined)
    return {
      kind: 'failed-before-deploy',
      where: `Build/${build?.name ?? 'Synth'}`,
      reason: `the pipeline's synth skipped this environment: ${skipped.reason}`,
    };
  if (!execution.build.exported.some((entry) => entry.environmentSuffix === suffix)) return undefined;
  const actions = execution.stages
    .flatMap((stage) => stage.actions)
    .filter((action) => action.environmentSuffix === suffix);
  const deploy = actions.find((action) => action.kind === 'deploy');
  // Not a stage of the pipeline this execution runs (the self-mutation adds it, then restarts), or a
  // stage it has not reached yet.
  if (deploy === undefined || deploy.status === 'NotStarted')
    return execution.status === 'InProgress' ? { kind: 'waiting', phase: 'queued' } : undefined;
  const smoke = actions.find((action) => action.kind === 'smoke');
  // A later run that changed nothing of this environment says nothing new about it, unless its
  // smoke test failed: a deployed environment stays ready while other environments deploy.
  if (deploy.stack?.noChange === true && smoke?.status !== 'Failed' && index !== executions.length - 1)
    return undefined;
  return {
    kind: 'deploy',
    ...(smoke === undefined ? {} : { smoke }),
    ...(deploy.status === 'Failed' && deploy.errorMessage !== undefined
      ? { deployFailure: deploy.errorMessage }
      : {}),
  };
}
