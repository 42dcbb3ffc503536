// The synthesized pipeline, read back from a cloud assembly. Never imports aws-cdk-lib: the portal's
// local mode plays it and the buildspec rehearsal runs its synth step.
export {
  type ActionDefinition,
  type ActionKind,
  type BuildProject,
  type BuildSpec,
  EXECUTION_MODES,
  type ExecutionMode,
  type PipelineDefinition,
  PipelineDefinitionError,
  readPipelineAssemblies,
  readPipelineAssembly,
  readPipelineDefinition,
  readPipelineDefinitions,
  type StageDefinition,
  synthCommands,
} from './definition';
