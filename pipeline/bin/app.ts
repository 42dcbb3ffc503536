#!/usr/bin/env node
// `cdk synth` entry point (cdk.json: "npx tsx bin/app.ts"). Reads the registry
// export from ENVIRONMENTS_FILE; never calls AWS.
import { App } from 'aws-cdk-lib';
import { buildPipelineApp } from '../src/app';
import { accountSecurityStageFactory, createSecureEnvironmentStage } from '../src/infra-stages';
import { assertTemplateSizes } from '../src/template-size';

const app = new App();
const stack = buildPipelineApp({
  app,
  ...(process.env.ENVIRONMENTS_FILE === undefined ? {} : { environmentsFile: process.env.ENVIRONMENTS_FILE }),
  defaultEnv: {
    ...(process.env.CDK_DEFAULT_ACCOUNT === undefined ? {} : { account: process.env.CDK_DEFAULT_ACCOUNT }),
    ...(process.env.CDK_DEFAULT_REGION === undefined ? {} : { region: process.env.CDK_DEFAULT_REGION }),
  },
  createEnvironmentStage: createSecureEnvironmentStage,
  accountSecurityStage: (loaded) => accountSecurityStageFactory(loaded.environments.map((e) => e.spec)),
});
const assembly = app.synth();
// CodePipeline's quotas are checked while the stages are planned; the pipeline
// stack's own template size can only be checked once it is written.
try {
  assertTemplateSizes({ assembly, environments: stack.environmentCount });
} catch (error) {
  console.error(`pipeline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
