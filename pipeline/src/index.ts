// The pipeline workspace's CDK app (imports aws-cdk-lib). The registry, teardown, names, targets and
// quotas it plans with live in @sep/registry (no aws-cdk-lib).
export { type BuildPipelineAppOptions, buildPipelineApp } from './app';
export type {
  AccountSecurityStageFactory,
  EnvironmentStage,
  EnvironmentStageFactory,
  EnvironmentStageProps,
} from './environment-stages';
export * from './environments-file';
export { ACCOUNT_SECURITY_WAVE, DEFAULT_PIPELINE_NAME } from './pipeline-names';
export { PipelineStack, type PipelineStackProps } from './pipeline-stack';
export { assertTemplateSizes, type TemplateSize, templateSizes } from './template-size';
