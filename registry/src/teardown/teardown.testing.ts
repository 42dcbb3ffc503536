// Test support (`@sep/registry/teardown/testing`), for the suites of every workspace that drives the
// teardown against mocked AWS: never imported by production code.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { EnvironmentTeardown } from './teardown';
import type { EnvironmentTeardownOptions } from './teardown-types';

/**
 * The environments pipeline as the teardown finds it when nothing is in flight: no execution running,
 * and the run the teardown starts (to drop the environment's stage) is `executionId`.
 */
export function idlePipeline(codePipeline: AwsClientStub<CodePipelineClient>, executionId = 'exec-1'): void {
  codePipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: executionId });
  codePipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
}

/**
 * CloudFormation and CodePipeline mocked for the test file (call once, at its top), both reset before
 * every test and the pipeline idle again (`idlePipeline`).
 */
export function mockTeardownAws(options: { readonly executionId?: string } = {}) {
  const cfn = mockClient(CloudFormationClient);
  const codePipeline = mockClient(CodePipelineClient);
  beforeEach(() => {
    cfn.reset();
    codePipeline.reset();
    idlePipeline(codePipeline, options.executionId);
  });
  return { cfn, codePipeline };
}

/**
 * The teardown over `registry` with us-east-1 clients (the mocked ones) and the pipeline `sep-pipeline`;
 * it never sleeps, each wait is recorded in `sleeps` instead.
 */
export function testTeardown(
  options: Pick<EnvironmentTeardownOptions, 'registry'> & Partial<EnvironmentTeardownOptions>,
): { readonly teardown: EnvironmentTeardown; readonly sleeps: number[] } {
  const sleeps: number[] = [];
  const teardown = new EnvironmentTeardown({
    cloudFormationFor: () => new CloudFormationClient({ region: 'us-east-1' }),
    pipeline: { client: new CodePipelineClient({ region: 'us-east-1' }), pipelineName: 'sep-pipeline' },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { teardown, sleeps };
}
