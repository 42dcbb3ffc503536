/**
 * Links into the AWS console for aws mode, built from what the portal knows
 * (region, stack name, pipeline name, execution ID) — no API call needed.
 * The console opens them in whichever account the reader is signed in to.
 */

/** Where the delivery pipeline lives. */
export interface PipelineConsole {
  /** The pipeline's region (the portal's AWS_REGION). */
  readonly region: string;
  readonly pipelineName: string;
}

const host = (region: string) => `https://${encodeURIComponent(region)}.console.aws.amazon.com`;

/** The stack's page in the CloudFormation console; `stack` is its name or its ID (ARN). */
export function stackConsoleUrl(options: { readonly region: string; readonly stack: string }): string {
  const region = encodeURIComponent(options.region);
  return `${host(options.region)}/cloudformation/home?region=${region}#/stacks/stackinfo?stackId=${encodeURIComponent(options.stack)}`;
}

/** The pipeline's execution history in the CodePipeline console. */
export function pipelineExecutionsConsoleUrl(options: PipelineConsole): string {
  return `${host(options.region)}/codesuite/codepipeline/pipelines/${encodeURIComponent(options.pipelineName)}/executions?region=${encodeURIComponent(options.region)}`;
}

/** One execution of the pipeline (its timeline) in the CodePipeline console. */
export function pipelineExecutionConsoleUrl(
  options: PipelineConsole & { readonly executionId: string },
): string {
  return `${host(options.region)}/codesuite/codepipeline/pipelines/${encodeURIComponent(options.pipelineName)}/executions/${encodeURIComponent(options.executionId)}/timeline?region=${encodeURIComponent(options.region)}`;
}
