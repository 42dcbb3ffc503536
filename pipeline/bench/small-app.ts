// The pipeline app with the small test stages (src/test-support/small-stages.ts):
// measures the pipeline machinery alone (`npm run bench -- --stages=small`).
import { App } from 'aws-cdk-lib';
import { buildPipelineApp } from '../src/app';
import {
  createSmallAccountSecurityStage,
  createSmallEnvironmentStage,
} from '../src/test-support/small-stages';

const app = new App();
buildPipelineApp({
  app,
  ...(process.env.ENVIRONMENTS_FILE === undefined ? {} : { environmentsFile: process.env.ENVIRONMENTS_FILE }),
  createEnvironmentStage: createSmallEnvironmentStage,
  accountSecurityStage: () => createSmallAccountSecurityStage,
});
app.synth();
