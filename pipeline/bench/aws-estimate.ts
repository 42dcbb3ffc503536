// Paper estimate of request → ready in AWS for an ephemeral environment requested into a registry of N,
// from the pipeline's own stage layout (`planWaves`, the planning the pipeline stack uses) and the
// per-action costs below. Printed by `npm run bench -w @sep/pipeline`; nothing here is measured in AWS.
import { actionsPerEnvironment, CODEPIPELINE_QUOTAS, planWaves } from '@sep/registry/quotas';

/** Seconds, with where each figure comes from. */
export const AWS_COSTS = {
  /** Source action (CodeStar connection): clone and zip. */
  source: 10,
  /** CodeBuild provisioning of each build action (the figure). */
  codeBuildProvisioning: 20,
  /** `npm ci` from an empty cache (STACK-NOTES: ~65 s here; CodeBuild's network is slower). */
  npmCi: 90,
  /** `npm run build -w @sep/lambda` (esbuild, six handlers). */
  lambdaBuild: 10,
  /** `cdk synth` base (CLI start, tsx, the pipeline stack). */
  synthBase: 13,
  /** `cdk synth` per environment stage with cdk-nag (the synth bench: 0.42 s wall). */
  synthPerEnvironment: 0.42,
  /** Report publishing per environment (one S3 PUT). */
  publishPerEnvironment: 0.05,
  /** `npm install -g aws-cdk@2` in the self-mutation project. */
  cdkInstall: 30,
  /** `cdk deploy` of the pipeline stack when the pipeline changed (a CloudFormation update of the pipeline). */
  selfMutationUpdate: 90,
  /** `cdk deploy` when nothing changed. */
  selfMutationNoChange: 20,
  /** cdk-assets publish: base and per environment stage (each stage's template is a file asset). */
  assetsBase: 20,
  assetsPerEnvironment: 0.3,
  /** A CloudFormation CREATE_UPDATE action on a stack whose template did not change ("No updates"). */
  cloudFormationNoChange: 40,
  /** A new environment stack: VPC, interface endpoints, functions in the VPC, WAF (typical creates). */
  environmentCreate: 600,
  /** The smoke test once its CodeBuild is provisioned. */
  smoke: 15,
} as const;

export interface AwsEstimate {
  readonly environments: number;
  readonly waves: number;
  readonly buildSeconds: number;
  readonly wavesBeforeSeconds: number;
  readonly totalSeconds: number;
}

/**
 * The new environment is the newest, so its stage is in the last ephemeral wave; waves run one after the
 * other, each as long as its slowest action (a no-change update, then the smoke tests). Every request
 * changes the pipeline, so the first execution ends at self-mutation and the restart (RestartExecutionOn
 * Update) runs Source and Build again — CodeBuild keeps no cache between runs.
 */
export function estimateRequestToReady(environments: number, costs = AWS_COSTS): AwsEstimate {
  const perEnvironment = actionsPerEnvironment({ stacks: 1, postSteps: 1, useChangeSets: false });
  const items = Array.from({ length: environments }, (_, i) => ({ id: `env-${i}`, actions: perEnvironment }));
  const waves = planWaves({ items, fixedStages: 5, quotas: CODEPIPELINE_QUOTAS }).length;
  const build =
    costs.codeBuildProvisioning +
    costs.npmCi +
    costs.lambdaBuild +
    costs.synthBase +
    costs.synthPerEnvironment * environments +
    costs.publishPerEnvironment * environments;
  const selfMutation = (update: number) => costs.codeBuildProvisioning + costs.cdkInstall + update;
  const assets = costs.codeBuildProvisioning + costs.assetsBase + costs.assetsPerEnvironment * environments;
  const smokeAction = costs.codeBuildProvisioning + costs.smoke;
  const wavesBefore = (waves - 1) * (costs.cloudFormationNoChange + smokeAction);
  const total =
    costs.source +
    build +
    selfMutation(costs.selfMutationUpdate) +
    costs.source +
    build +
    selfMutation(costs.selfMutationNoChange) +
    assets +
    costs.cloudFormationNoChange +
    wavesBefore +
    costs.environmentCreate +
    smokeAction;
  return { environments, waves, buildSeconds: build, wavesBeforeSeconds: wavesBefore, totalSeconds: total };
}
