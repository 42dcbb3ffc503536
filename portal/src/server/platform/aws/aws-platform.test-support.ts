// Test support: the aws adapter as runtime.ts builds it, for the suites that mock AWS with
// aws-sdk-client-mock (`mockAws()`: every client it calls, and STS answering the target roles' sessions).
import {
  CloudFormationClient,
  CloudFormationServiceException,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { S3Client } from '@aws-sdk/client-s3';
import type { EnvironmentRecord } from '@sep/registry';
import { TargetAccess } from '@sep/registry/target-access';
import { mockTargetSts } from '@sep/registry/target-access/testing';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';
import { environmentRecord, fakeRegistry } from '../../domain/registry-fakes.test-support';
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

/**
 * Every AWS client the aws adapter calls, mocked for the test file (call once, at its top), each reset
 * before every test; STS answers any target role's AssumeRole again, `sts.assumed` emptied.
 */
export function mockAws() {
  const mocks = {
    cfn: mockClient(CloudFormationClient),
    pipeline: mockClient(CodePipelineClient),
    config: mockClient(ConfigServiceClient),
    s3: mockClient(S3Client),
    sts: mockTargetSts(),
  };
  beforeEach(() => {
    mocks.cfn.reset();
    mocks.pipeline.reset();
    mocks.config.reset();
    mocks.s3.reset();
    mocks.sts.reset();
  });
  return mocks;
}

/**
 * A registry record as the aws suites read it: `environmentRecord(fields)` (ephemeral, alice, `ready`,
 * requested 2026-03-01T10:00:00.000Z) at version 3, with the record fields a test cares about overridden.
 */
export function awsRecord(
  fields: { environmentSuffix: string } & Record<string, unknown>,
  overrides: Partial<EnvironmentRecord> = {},
): EnvironmentRecord {
  return environmentRecord(fields, { version: 3, ...overrides });
}

/** `suffix`, an ephemeral environment in `target` (in the pipeline account when it names none). */
export function recordIn(
  suffix: string,
  target: { account?: string; region: string },
  overrides: Partial<EnvironmentRecord> = {},
): EnvironmentRecord {
  return awsRecord({ environmentSuffix: suffix, ...target }, overrides);
}

/** A 4xx the CloudFormation SDK raises, as the service names it. */
export function cloudFormationError(name: string, message: string, httpStatusCode = 400) {
  return new CloudFormationServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode },
    message,
  });
}

/** What CloudFormation answers for a stack name (or ID) it does not know. */
export function stackMissing(name: string) {
  return cloudFormationError('ValidationError', `Stack with id ${name} does not exist`);
}

/** 2026-03-01 at 10:00:`seconds` UTC: the suites' records were requested at 10:00:00. */
export const at = (seconds: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, seconds));

/** The adapter over an in-memory registry of `records`, for suites that only read (only the teardown writes). */
export function readingAwsPlatform(records: EnvironmentRecord[] = []): AwsPlatform {
  return testAwsPlatform({ registry: fakeRegistry(records).store, driftPollMs: 1 });
}

/** Where an environment's stack lives: its account and region. */
export interface StackHome {
  readonly account: string;
  readonly region: string;
}

/** The ID CloudFormation gives `sep-<suffix>-environment` in `home`. */
export const stackIdOf = (suffix: string, home: StackHome) =>
  `arn:aws:cloudformation:${home.region}:${home.account}:stack/sep-${suffix}-environment/1a2b`;

/** The environment stack of `suffix` in `home`, complete since 10:00:00 with its ApiUrl output, as DescribeStacks answers. */
export function stackOf(suffix: string, home: StackHome, overrides: Partial<Stack> = {}): Stack {
  return {
    StackName: `sep-${suffix}-environment`,
    StackId: stackIdOf(suffix, home),
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: at(0),
    EnableTerminationProtection: false,
    Outputs: [
      {
        OutputKey: 'ApiUrl',
        OutputValue: `https://${suffix}.execute-api.${home.region}.amazonaws.com/v1/`,
      },
    ],
    Tags: [
      { Key: 'Environment', Value: suffix },
      { Key: 'EnvironmentKind', Value: 'ephemeral' },
    ],
    ...overrides,
  };
}

/** The environments pipeline with no stage run and no execution in flight; a run started is `exec-1`. */
export function pipelineAtRest(pipeline: AwsClientStub<CodePipelineClient>): void {
  pipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] });
  pipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [] });
  pipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });
}
