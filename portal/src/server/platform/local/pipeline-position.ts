import type { ActionRun, ExecutionRun } from './pipeline-run';

/** Where an environment stands in the pipeline since it was last provisioned. */
export type PipelinePosition =
  | { readonly kind: 'none' }
  | { readonly kind: 'waiting'; readonly phase: 'queued' | 'synthesizing' }
  | { readonly kind: 'failed-before-deploy'; readonly where: string; readonly reason: string }
  | {
      readonly kind: 'deploy';
      readonly smoke?: ActionRun;
      readonly deployFailure?: string;
      /**
       * The execution failed (another environment of the same stage failed) after deploying this one but
       * before its smoke test, and no run since has reached it: nothing will test it until a retry.
       */
      readonly untested?: string;
    };

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
  let rerun: DeployPosition | undefined;
  for (const [index, execution] of executions.entries()) {
    const position = positionIn(execution, executions, index, options);
    if (position === undefined) continue;
    if (position.kind === 'deploy' && position.unchanged) {
      // A later run that changed nothing of this environment says nothing new about it, unless its
      // smoke test failed, or the run that did change it ended before its smoke test gave a verdict.
      // A rerun that itself ended before its smoke test (a wave-mate failed the stage) says nothing.
      if (position.smoke?.status === 'Failed') return withoutMarks(position);
      if (!interrupted(execution, position)) rerun ??= position;
      continue;
    }
    if (position.kind === 'deploy') {
      if (!interrupted(execution, position)) return withoutMarks(position);
      if (rerun !== undefined) return withoutMarks(rerun);
      // Cancelled or superseded runs are followed by another (the pipeline restarts); a failed one is not.
      if (waiting === undefined && execution.status === 'Failed')
        return { ...withoutMarks(position), untested: untestedBecause(execution) };
      return withoutMarks(position);
    }
    if (position.kind === 'failed-before-deploy') {
      if (rerun !== undefined) return withoutMarks(rerun);
      if (waiting === undefined) return position;
      continue;
    }
    // An older execution only counts where it is further along than the newest one.
    if (waiting === undefined || position.phase === 'synthesizing') waiting = position;
  }
  if (rerun !== undefined) return withoutMarks(rerun);
  return waiting ?? { kind: 'none' };
}

type DeployPosition = Extract<PipelinePosition, { kind: 'deploy' }> & {
  /** The stack was already as this execution would deploy it (CloudFormation: no changes). */
  readonly unchanged?: boolean;
};

/** What one execution can say about the environment. */
type Said = Exclude<PipelinePosition, { kind: 'none' | 'deploy' }> | DeployPosition;

function withoutMarks({
  unchanged: _unchanged,
  ...position
}: DeployPosition): Extract<PipelinePosition, { kind: 'deploy' }> {
  return position;
}

/**
 * The execution deployed the environment but ended (cancelled by a self-mutation, or failed because
 * another environment of the same stage failed) before its smoke test gave a verdict: it will never give
 * one; the run that deploys it again will.
 */
function interrupted(execution: ExecutionRun, position: DeployPosition): boolean {
  if (execution.status === 'InProgress' || position.deployFailure !== undefined) return false;
  return (
    position.smoke !== undefined &&
    position.smoke.status !== 'Succeeded' &&
    position.smoke.status !== 'Failed'
  );
}

function untestedBecause(execution: ExecutionRun): string {
  const failed = execution.stages
    .flatMap((stage) => stage.actions.map((action) => ({ stage, action })))
    .find(({ action }) => action.status === 'Failed');
  const where =
    failed === undefined
      ? (execution.statusSummary ?? 'the execution failed')
      : `${failed.stage.name}/${failed.action.name} failed${failed.action.environmentSuffix === undefined ? '' : ` (environment ${failed.action.environmentSuffix})`}`;
  return `deployed, but the pipeline stopped before this environment's smoke test: ${where}`;
}

/** What one execution says about the environment; undefined when it says nothing. */
function positionIn(
  execution: ExecutionRun,
  executions: readonly ExecutionRun[],
  index: number,
  { environmentSuffix: suffix, provisioned }: PipelinePositionOptions,
): Said | undefined {
  const build = execution.stages.flatMap((stage) => stage.actions).find((action) => action.kind === 'synth');
  if (execution.build === undefined) {
    if (execution.status === 'InProgress') {
      // Synthesized already by an earlier execution (the pipeline restarted after updating itself):
      // the environment waits for its stage; the Build running now is the pipeline's, not its own.
      const synthesized = executions.some((other) =>
        other.build?.exported.some((entry) => entry.environmentSuffix === suffix),
      );
      // Synthesis began once a Build started since the provision; a run cut short by a self-mutation
      // (restarted at Source) or overtaken does not send the environment back to `queued`.
      const begun = executions.some((other) =>
        other.stages.some((stage) =>
          stage.actions.some((action) => action.kind === 'synth' && action.status !== 'NotStarted'),
        ),
      );
      return {
        kind: 'waiting',
        // Only what was requested is "synthesizing": an environment nobody provisioned (prod, waiting
        // for its promotion) is merely carried along by the pipeline's synth.
        phase: begun && !synthesized && provisioned ? 'synthesizing' : 'queued',
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
  return {
    kind: 'deploy',
    // The oldest run since the provision is the one that deployed it, changed or not.
    ...(deploy.stack?.noChange === true && index !== executions.length - 1 ? { unchanged: true } : {}),
    ...(smoke === undefined ? {} : { smoke }),
    ...(deploy.status === 'Failed' && deploy.errorMessage !== undefined
      ? { deployFailure: deploy.errorMessage }
      : {}),
  };
}
