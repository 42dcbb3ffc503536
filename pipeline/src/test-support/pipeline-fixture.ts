// Test support: builds a PipelineStack from environment specs and reads the
// synthesized AWS::CodePipeline::Pipeline back as stages and actions.

import { type DeploymentTarget, environmentTarget, targetKey } from '@sep/registry/targets';
import { type EnvironmentSpecInput, parseEnvironmentSpec } from '@sep/spec';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { AccountSecurityStageFactory, EnvironmentStageFactory } from '../environment-stages';
import type { DeployableEnvironment } from '../environments-file';
import { PipelineStack, type PipelineStackProps } from '../pipeline-stack';
import { createSmallAccountSecurityStage, createSmallEnvironmentStage } from './small-stages';

export const PIPELINE_ACCOUNT = '111111111111';

export function environment(
  input: Partial<EnvironmentSpecInput> & { environmentSuffix: string },
  createdAt = '2026-11-01T00:00:00.000Z',
): DeployableEnvironment {
  const parsed = parseEnvironmentSpec({
    kind: 'ephemeral',
    owner: 'alice@example.com',
    project: 'payments',
    costCenter: 'cc-1',
    ...input,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return { spec: parsed.spec, createdAt };
}

export function ephemeralEnvironments(count: number): DeployableEnvironment[] {
  return Array.from({ length: count }, (_, index) =>
    environment(
      { environmentSuffix: `pr-${String(index + 1).padStart(4, '0')}` },
      new Date(Date.UTC(2026, 10, 1) + index * 60_000).toISOString(),
    ),
  );
}

export interface SynthesizedPipeline {
  readonly app: App;
  readonly stack: PipelineStack;
  readonly template: Template;
  /** The environments pipeline's stages. */
  readonly stages: readonly PipelineStageJson[];
  /** The release pipeline's stages (staging, PromoteToProd, prod). */
  readonly releaseStages: readonly PipelineStageJson[];
}

export interface PipelineActionJson {
  readonly Name: string;
  readonly RunOrder?: number;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
  readonly Configuration?: Record<string, unknown>;
}
export interface PipelineStageJson {
  readonly Name: string;
  readonly Actions: readonly PipelineActionJson[];
}

/** The pipeline's own account and region, then every environment's, once each, in first-seen order. */
export function targetsOf(environments: readonly DeployableEnvironment[]): DeploymentTarget[] {
  const targets = new Map<string, DeploymentTarget>();
  for (const target of [
    { account: PIPELINE_ACCOUNT, region: 'us-east-1' },
    ...environments.map((e) => environmentTarget(e.spec, PIPELINE_ACCOUNT)),
  ]) {
    if (!targets.has(targetKey(target))) targets.set(targetKey(target), target);
  }
  return [...targets.values()];
}

/**
 * The PipelineStack the tests synthesize: small real stages, the test account, a CodeStar source, and
 * (unless given) the environments' accounts and regions as the bootstrapped targets.
 */
export function buildPipelineStack(
  options: {
    environments: readonly DeployableEnvironment[];
    createEnvironmentStage?: EnvironmentStageFactory;
    createAccountSecurityStage?: AccountSecurityStageFactory;
  } & Partial<PipelineStackProps>,
): { app: App; stack: PipelineStack } {
  const app = new App();
  const stack = new PipelineStack(app, 'PipelineStack', {
    env: { account: PIPELINE_ACCOUNT, region: 'us-east-1' },
    source: {
      connectionArn: `arn:aws:codeconnections:us-east-1:${PIPELINE_ACCOUNT}:connection/abc`,
      repo: 'bank/secure-environment-portal',
      branch: 'main',
    },
    createEnvironmentStage: options.createEnvironmentStage ?? createSmallEnvironmentStage,
    createAccountSecurityStage: options.createAccountSecurityStage ?? createSmallAccountSecurityStage,
    nag: false,
    targets: targetsOf(options.environments),
    ...options,
  });
  return { app, stack };
}

export function synthesizePipeline(options: Parameters<typeof buildPipelineStack>[0]): SynthesizedPipeline {
  const { app, stack } = buildPipelineStack(options);
  const template = Template.fromStack(stack);
  const stagesOf = (pipeline: PipelineStack['pipeline']) => {
    const id = stack.getLogicalId(pipeline.pipeline.node.defaultChild as never);
    const resource = template.toJSON().Resources[id] as { Properties: { Stages: PipelineStageJson[] } };
    return resource.Properties.Stages;
  };
  return {
    app,
    stack,
    template,
    stages: stagesOf(stack.pipeline),
    releaseStages: stagesOf(stack.releasePipeline),
  };
}
