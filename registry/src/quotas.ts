/**
 * CodePipeline quotas that bound how many environments one pipeline deploys
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html):
 * "Number of actions in a stage: minimum 1, maximum 50" and "Number of stages
 * in a pipeline: minimum 2, maximum 50". CloudFormation bounds the pipeline
 * stack itself: 500 resources and a 1 MB template (uploaded through S3).
 */
export const CODEPIPELINE_QUOTAS = {
  maxActionsPerStage: 50,
  maxStagesPerPipeline: 50,
} as const;

export const CLOUDFORMATION_QUOTAS = {
  maxResourcesPerStack: 500,
  maxTemplateBytes: 1_000_000,
} as const;

export interface CodePipelineQuotas {
  readonly maxActionsPerStage: number;
  readonly maxStagesPerPipeline: number;
}

/**
 * CodePipeline actions CDK Pipelines gives one stack: Deploy (CloudFormation
 * CREATE_UPDATE), or with change sets two, Prepare (create the change set)
 * and Deploy (execute it).
 */
export function actionsPerStack(useChangeSets: boolean): number {
  return useChangeSets ? 2 : 1;
}

/** Actions one environment stage puts in its wave: its stacks' deploy actions plus its post steps (the smoke test). */
export function actionsPerEnvironment(options: {
  readonly stacks: number;
  readonly postSteps: number;
  readonly useChangeSets: boolean;
}): number {
  return options.stacks * actionsPerStack(options.useChangeSets) + options.postSteps;
}

export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
}

export interface WaveItem {
  readonly id: string;
  /** CodePipeline actions this item adds to its stage. */
  readonly actions: number;
}

export interface WavePlanOptions<T extends WaveItem> {
  /** In deployment order; the plan keeps it (oldest first keeps existing waves stable as environments are added). */
  readonly items: readonly T[];
  /** Stages the pipeline has besides the waves (Source, Build, UpdatePipeline, Assets, account-security…). */
  readonly fixedStages: number;
  /** @default CODEPIPELINE_QUOTAS */
  readonly quotas?: CodePipelineQuotas;
}

/**
 * Packs items into waves (one CodePipeline stage each) so that no stage holds
 * more than `maxActionsPerStage` actions and the whole pipeline stays within
 * `maxStagesPerPipeline` stages; throws naming the quota when that is impossible.
 */
export function planWaves<T extends WaveItem>(options: WavePlanOptions<T>): T[][] {
  const quotas = options.quotas ?? CODEPIPELINE_QUOTAS;
  const waves: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of options.items) {
    if (item.actions > quotas.maxActionsPerStage) {
      throw new QuotaExceededError(
        `environment "${item.id}" needs ${item.actions} actions, more than CodePipeline's limit of ${quotas.maxActionsPerStage} actions per stage`,
      );
    }
    if (used + item.actions > quotas.maxActionsPerStage) {
      waves.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += item.actions;
  }
  if (current.length > 0) waves.push(current);

  const availableStages = quotas.maxStagesPerPipeline - options.fixedStages;
  if (waves.length > availableStages) {
    const perWave = Math.max(...options.items.map((item) => item.actions));
    const capacity = Math.max(0, availableStages) * Math.floor(quotas.maxActionsPerStage / perWave);
    throw new QuotaExceededError(
      `${options.items.length} ephemeral environments need ${waves.length} waves of at most ${quotas.maxActionsPerStage} actions ` +
        `(CodePipeline's limit of ${quotas.maxActionsPerStage} actions per stage; ${perWave} actions per environment), ` +
        `but with ${options.fixedStages} other stages only ${Math.max(0, availableStages)} fit under CodePipeline's limit of ` +
        `${quotas.maxStagesPerPipeline} stages per pipeline. This pipeline holds at most ${capacity} such environments: ` +
        'destroy some, or split the environments across pipelines.',
    );
  }
  return waves;
}
