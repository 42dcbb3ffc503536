import { pipelineExecutionConsoleUrl, pipelineExecutionsConsoleUrl, stackConsoleUrl } from './console-links';

describe('AWS console links', () => {
  it('opens the stack in the CloudFormation console of its own region, the ID escaped', () => {
    expect(
      stackConsoleUrl({
        region: 'eu-west-1',
        stack: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/sep-pr-1-environment/0a1b2c3d',
      }),
    ).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/stackinfo?stackId=arn%3Aaws%3Acloudformation%3Aeu-west-1%3A111111111111%3Astack%2Fsep-pr-1-environment%2F0a1b2c3d',
    );
    expect(stackConsoleUrl({ region: 'us-east-1', stack: 'sep-pr-1-environment' })).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/stackinfo?stackId=sep-pr-1-environment',
    );
  });

  it('opens the pipeline history and one execution in the CodePipeline console of the pipeline region', () => {
    const pipeline = { region: 'us-east-1', pipelineName: 'sep-delivery' };
    expect(pipelineExecutionsConsoleUrl(pipeline)).toBe(
      'https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/sep-delivery/executions?region=us-east-1',
    );
    expect(
      pipelineExecutionConsoleUrl({ ...pipeline, executionId: '0f5b1d7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }),
    ).toBe(
      'https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/sep-delivery/executions/0f5b1d7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/timeline?region=us-east-1',
    );
  });
});
