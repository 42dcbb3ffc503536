// The registry's environments as pipeline stages: which CodePipeline stage each becomes (its id, its
// tags, the actions it costs) and how a wave of them is added with its smoke test. The stack decides
// which waves exist and in which pipeline; this module decides what goes in one.
import {
  ENVIRONMENT_KIND_TAG,
  ENVIRONMENT_TAG,
  PROD_STAGE_NAME,
  STAGING_STAGE_NAME,
} from '@sep/registry/names';
import { actionsPerEnvironment } from '@sep/registry/quotas';
import { environmentTarget } from '@sep/registry/targets';
import type { EnvironmentSpec } from '@sep/spec';
import { Annotations, Stack, Stage, Tags } from 'aws-cdk-lib';
import type { CodePipeline, ManualApprovalStep, StageDeployment } from 'aws-cdk-lib/pipelines';
import type { EnvironmentStage, EnvironmentStageFactory } from './environment-stages';
import type { DeployableEnvironment } from './environments-file';
import { type SmokeTestProject, SmokeTestStep, smokeEnvironment } from './smoke/smoke-step';

/**
 * Deploy each stack with one CloudFormation CREATE_UPDATE action instead of a
 * Prepare/Execute change-set pair. Nothing reviews a change set between the two
 * actions (prod is gated by the PromoteToProd approval before its wave), and
 * the pair costs an action and ~0.8 KB of pipeline template per environment:
 * without it 500 environments fit CloudFormation's 1 MB template limit.
 */
export const USE_CHANGE_SETS = false;

/** One environment's stage, built and costed, waiting for its wave. */
export interface PlannedStage {
  readonly id: string;
  readonly spec: EnvironmentSpec;
  readonly stage: EnvironmentStage;
  /** CodePipeline actions the stage takes (its stacks and its smoke action). */
  readonly actions: number;
}

export interface PlannedEnvironments {
  readonly ephemeral: readonly PlannedStage[];
  readonly staging: readonly PlannedStage[];
  readonly prod: readonly PlannedStage[];
}

/**
 * Builds every environment's stage, oldest first (then by suffix) so that waves keep their members
 * as environments come and go. Stacks are tagged with the environment and its kind; prod stacks get
 * termination protection.
 */
export function planEnvironmentStages(
  stack: Stack,
  options: {
    readonly environments: readonly DeployableEnvironment[];
    readonly createEnvironmentStage: EnvironmentStageFactory;
    readonly nag: boolean;
  },
): PlannedEnvironments {
  const byAge = [...options.environments].sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) ||
      a.spec.environmentSuffix.localeCompare(b.spec.environmentSuffix),
  );
  const ofKind = (kind: EnvironmentSpec['kind']) =>
    byAge.filter((e) => e.spec.kind === kind).map((e) => e.spec);
  const stagingSpecs = ofKind('staging');
  const prodSpecs = ofKind('prod');
  // CDK Pipelines names a wave's CodePipeline stage after its only stage when it has one: the lone
  // staging/prod stage takes the wave's name, so `prod/PromoteToProd` never depends on a suffix.
  const stageId = (spec: EnvironmentSpec) => {
    if (spec.kind === 'staging' && stagingSpecs.length === 1) return STAGING_STAGE_NAME;
    if (spec.kind === 'prod' && prodSpecs.length === 1) return PROD_STAGE_NAME;
    return spec.environmentSuffix;
  };
  const build = (spec: EnvironmentSpec): PlannedStage => {
    const env = { account: spec.account ?? stack.account, region: spec.region };
    const stage = options.createEnvironmentStage(stack, stageId(spec), { spec, env, nag: options.nag });
    const stacks = stacksOf(stage);
    for (const environmentStack of stacks) {
      Tags.of(environmentStack).add(ENVIRONMENT_TAG, spec.environmentSuffix);
      Tags.of(environmentStack).add(ENVIRONMENT_KIND_TAG, spec.kind);
      if (spec.kind === 'prod') environmentStack.terminationProtection = true;
    }
    return {
      id: spec.environmentSuffix,
      spec,
      stage,
      actions: actionsPerEnvironment({ stacks: stacks.length, postSteps: 1, useChangeSets: USE_CHANGE_SETS }),
    };
  };
  return {
    ephemeral: ofKind('ephemeral').map(build),
    staging: stagingSpecs.map(build),
    prod: prodSpecs.map(build),
  };
}

/**
 * Adds one wave of environment stages to `pipeline`, each followed by its smoke action (`pre`, e.g. the
 * PromoteToProd approval, runs before the wave). A PRIVATE API is unreachable from CodeBuild: its smoke
 * action reports the test as skipped, and the synth says so.
 */
export function addEnvironmentWave(options: {
  readonly stack: Stack;
  readonly pipeline: CodePipeline;
  readonly waveId: string;
  readonly stages: readonly PlannedStage[];
  readonly smoke: SmokeTestProject;
  readonly pre?: ManualApprovalStep;
}): void {
  const { stack, pre } = options;
  const wave = options.pipeline.addWave(options.waveId, pre === undefined ? {} : { pre: [pre] });
  for (const planned of options.stages) {
    const deployment: StageDeployment = wave.addStage(planned.stage);
    deployment.addPost(
      new SmokeTestStep('Smoke', {
        apiUrl: planned.stage.outputs.apiUrl,
        apiKeyId: planned.stage.outputs.apiKeyId,
        environment: smokeEnvironment(planned.spec, environmentTarget(planned.spec, stack.account).account),
        project: options.smoke,
      }),
    );
    if (planned.spec.features.apiEndpointType === 'PRIVATE') {
      Annotations.of(stack).addWarningV2(
        `sep:smoke-skipped:${planned.spec.environmentSuffix}`,
        `environment "${planned.spec.environmentSuffix}" has a PRIVATE API, reachable only through its execute-api VPC endpoint: its smoke action reports the test as skipped`,
      );
    }
  }
}

/** The stacks CDK Pipelines deploys for a stage (top-level stacks of that stage, not nested ones). */
function stacksOf(stage: Stage): Stack[] {
  return stage.node
    .findAll()
    .filter(
      (construct): construct is Stack =>
        Stack.isStack(construct) && !construct.nested && Stage.of(construct) === stage,
    );
}
