// The compliance evaluator's test bench, shared by its suites: the mocked Config and audit clients (reset
// before each test), the handler built from test configuration, and the configuration items and events.
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { COMMON_ENV, mockAuditAndAlerts } from '../../shared/handler.test-support';
import { loadConfig } from './config';
import { createComplianceEvaluatorHandler } from './handler';

export const config = mockClient(ConfigServiceClient);
export const { documents } = mockAuditAndAlerts();

export const DATA_KEY = 'arn:aws:kms:us-east-1:111111111111:key/11111111-aaaa-bbbb-cccc-000000000001';
export const LOGS_KEY = 'arn:aws:kms:us-east-1:111111111111:key/11111111-aaaa-bbbb-cccc-000000000002';
export const env = {
  ...COMMON_ENV,
  DATA_CLASSIFICATION: 'confidential',
  DATA_KEY_ARN: DATA_KEY,
  LOGS_KEY_ARN: LOGS_KEY,
  REQUIRED_LOG_RETENTION_DAYS: '90',
  LOG_LEVEL: 'error',
};
export const context = { functionName: 'compliance-evaluator-dev', awsRequestId: 'req-1' };
export const CAPTURED = '2026-11-23T01:00:00.000Z';
export const BUCKET_ARN = 'arn:aws:s3:::data-dev';

export function handler() {
  return createComplianceEvaluatorHandler(loadConfig(env), {
    config: new ConfigServiceClient({ region: 'us-east-1' }),
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
  });
}

export const tlsOnlyPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

export function bucketItem(
  overrides: { supplementary?: Record<string, unknown>; tags?: Record<string, string>; status?: string } = {},
) {
  return {
    resourceType: 'AWS::S3::Bucket',
    resourceId: 'data-dev',
    resourceName: 'data-dev',
    ARN: BUCKET_ARN,
    configurationItemStatus: overrides.status ?? 'OK',
    configurationItemCaptureTime: CAPTURED,
    configuration: { name: 'data-dev' },
    supplementaryConfiguration: {
      ServerSideEncryptionConfiguration: {
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: DATA_KEY },
            bucketKeyEnabled: true,
          },
        ],
      },
      BucketPolicy: { policyText: JSON.stringify(tlsOnlyPolicy) },
      PublicAccessBlockConfiguration: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
      ...overrides.supplementary,
    },
    tags: overrides.tags ?? { Environment: 'dev', Owner: 'team-a' },
  };
}

export function logGroupItem(
  configuration: Record<string, unknown>,
  tags: Record<string, string> = { Environment: 'dev' },
) {
  return {
    resourceType: 'AWS::Logs::LogGroup',
    resourceId: '/aws/lambda/pii-scanner-dev',
    ARN: 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/pii-scanner-dev',
    configurationItemStatus: 'OK',
    configurationItemCaptureTime: CAPTURED,
    configuration,
    supplementaryConfiguration: {},
    tags,
  };
}

export function ruleEvent(invoking: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    invokingEvent: JSON.stringify(invoking),
    resultToken: 'result-token-1',
    configRuleName: 'sep-dev-encryption-tls-public-access',
    eventLeftScope: false,
    accountId: '111111111111',
    ...extra,
  };
}

export const changeEvent = (item: unknown, extra: Record<string, unknown> = {}) =>
  ruleEvent(
    {
      messageType: 'ConfigurationItemChangeNotification',
      configurationItem: item,
      notificationCreationTime: CAPTURED,
    },
    extra,
  );

export function evaluation() {
  return config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input;
}

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});
