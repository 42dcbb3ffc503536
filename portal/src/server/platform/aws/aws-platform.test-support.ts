// Test support: the aws adapter as runtime.ts builds it, for suites that mock AWS with
// aws-sdk-client-mock. The suite calls `mockTargetSts()` (@sep/registry/target-access/testing) so the
// target roles' sessions resolve without a network.
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { TargetAccess } from '@sep/registry/target-access';
import { AwsPlatform, type AwsPlatformOptions } from './aws-platform';

/** The pipeline account of the tests (environments without an account live there). */
export const PIPELINE_ACCOUNT = '111111111111';

/** Target clients signing as the portal's sessions, one attempt per call (tests fail fast, not after retries). */
export function testTargets(): TargetAccess {
  return new TargetAccess({
    defaultAccount: PIPELINE_ACCOUNT,
    sessionName: 'sep-portal',
    masterCredentials: async () => ({ accessKeyId: 'PORTAL', secretAccessKey: 'secret' }),
    retry: { retryMode: 'standard', maxAttempts: 1 },
  });
}

export function testAwsPlatform(
  options: Pick<AwsPlatformOptions, 'registry'> & Partial<AwsPlatformOptions>,
): AwsPlatform {
  return new AwsPlatform({
    pipelineName: 'sep-environments',
    releasePipelineName: 'sep-environments-release',
    approvalActionName: 'PromoteToProd',
    defaultAccount: PIPELINE_ACCOUNT,
    clients: { codePipeline: new CodePipelineClient({ region: 'us-east-1', maxAttempts: 1 }) },
    targets: testTargets(),
    ...options,
  });
}
