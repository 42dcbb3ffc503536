// The pipeline's own names (pipeline, waves, the roles target accounts trust, its log groups): read by
// the app's context checks and the account-security stages before any construct exists.

export const DEFAULT_PIPELINE_NAME = 'sep-delivery';
export const ACCOUNT_SECURITY_WAVE = 'account-security';

/** Longest pipeline name: the role names built from it (`<name>-ttl-sweeper`) must fit IAM's 64. */
export const MAX_PIPELINE_NAME_LENGTH = 48;

/**
 * Names of the pipeline account's roles that target accounts trust (`aws:PrincipalArn`): fixed, so
 * that each account-security stack can name them before, and whatever, CloudFormation creates.
 */
export function pipelineRoleNames(pipelineName: string) {
  return {
    portal: `${pipelineName}-portal`,
    sweeper: `${pipelineName}-ttl-sweeper`,
    smokeTest: `${pipelineName}-smoke-test`,
  } as const;
}

/**
 * Prefix of the pipeline's own log groups (`<prefix>smoke-test`, `<prefix>ttl-sweeper`): the
 * platform key lets CloudWatch Logs encrypt log groups under it and nothing else.
 */
export function pipelineLogGroupPrefix(pipelineName: string): string {
  // Pipeline names allow `@`, log group names do not.
  return `/sep/${pipelineName.replace(/[^\w.#-]/g, '-')}/`;
}
