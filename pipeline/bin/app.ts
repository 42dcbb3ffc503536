#!/usr/bin/env node
// `cdk synth` entry point (cdk.json: "npx tsx bin/app.ts"). Reads the registry
// export from ENVIRONMENTS_FILE; never calls AWS.
import { App } from 'aws-cdk-lib';
import { buildPipelineApp, PipelineCapacityError, PipelineContextError } from '../src/app';
import { EnvironmentsFileError } from '../src/environments-file';
import { accountSecurityStageFactory, createSecureEnvironmentStage } from '../src/infra-stages';
import { assertTemplateSizes } from '../src/template-size';

/** A problem of the input (context, registry export, capacity): one line, no stack trace, exit 1. */
function stop(error: unknown): never {
  console.error(`pipeline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const app = new App();
let stack: ReturnType<typeof buildPipelineApp>;
try {
  stack = buildPipelineApp({
    app,
    ...(process.env.ENVIRONMENTS_FILE === undefined
      ? {}
      : { environmentsFile: process.env.ENVIRONMENTS_FILE }),
    defaultEnv: {
      ...(process.env.CDK_DEFAULT_ACCOUNT === undefined ? {} : { account: process.env.CDK_DEFAULT_ACCOUNT }),
      ...(process.env.CDK_DEFAULT_REGION === undefined ? {} : { region: process.env.CDK_DEFAULT_REGION }),
    },
    createEnvironmentStage: createSecureEnvironmentStage,
    accountSecurityStage: (loaded) => accountSecurityStageFactory(loaded.environments.map((e) => e.spec)),
  });
} catch (error) {
  const input = [PipelineContextError, PipelineCapacityError, EnvironmentsFileError];
  if (input.some((kind) => error instanceof kind)) stop(error);
  throw error;
}
const assembly = app.synth();
// CodePipeline's quotas are checked while the stages are planned; the pipeline
// stack's own template size can only be checked once it is written.
try {
  assertTemplateSizes({ assembly, environments: stack.environmentCount });
} catch (error) {
  stop(error);
}
