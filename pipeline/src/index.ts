// The CDK side of the pipeline workspace (imports aws-cdk-lib). The registry,
// teardown and names have their own CDK-free entry points.
export { type BuildPipelineAppOptions, buildPipelineApp } from './app';
export type {
  AccountSecurityStageFactory,
  EnvironmentStage,
  EnvironmentStageFactory,
  EnvironmentStageProps,
} from './environment-stages';
export * from './environments-file';
export {
  ACCOUNT_SECURITY_WAVE,
  DEFAULT_PIPELINE_NAME,
  PipelineStack,
  type PipelineStackProps,
} from './pipeline-stack';
export * from './quotas';
export { assertTemplateSizes, type TemplateSize, templateSizes } from './template-size';
