import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
  ResourceNotDiscoveredException,
} from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ValidationError } from '../../shared/errors';
import { COMMON_ENV, mockAuditAndAlerts } from '../../shared/handler.test-support';
import { loadConfig } from './config';
import { createComplianceEvaluatorHandler } from './handler';

const config = mockClient(ConfigServiceClient);
const { documents } = mockAuditAndAlerts();

const DATA_KEY = 'arn:aws:kms:us-east-1:111111111111:key/11111111-aaaa-bbbb-cccc-000000000001';
const LOGS_KEY = 'arn:aws:kms:us-east-1:111111111111:key/11111111-aaaa-bbbb-cccc-000000000002';
const env = {
  ...COMMON_ENV,
  DATA_CLASSIFICATION: 'confidential',
  DATA_KEY_ARN: DATA_KEY,
  LOGS_KEY_ARN: LOGS_KEY,
  REQUIRED_LOG_RETENTION_DAYS: '90',
  LOG_LEVEL: 'error',
};
const context = { functionName: 'compliance-evaluator-dev', awsRequestId: 'req-1' };
const CAPTURED = '2026-11-23T01:00:00.000Z';
const BUCKET_ARN = 'arn:aws:s3:::data-dev';

function handler() {
  return createComplianceEvaluatorHandler(loadConfig(env), {
    config: new ConfigServiceClient({ region: 'us-east-1' }),
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
  });
}

const tlsOnlyPolicy = {
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

function bucketItem(
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

function logGroupItem(
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

function ruleEvent(invoking: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    invokingEvent: JSON.stringify(invoking),
    resultToken: 'result-token-1',
    configRuleName: 'sep-dev-encryption-tls-public-access',
    eventLeftScope: false,
    accountId: '111111111111',
    ...extra,
  };
}

const changeEvent = (item: unknown, extra: Record<string, unknown> = {}) =>
  ruleEvent(
    {
      messageType: 'ConfigurationItemChangeNotification',
      configurationItem: item,
      notificationCreationTime: CAPTURED,
    },
    extra,
  );

function evaluation() {
  return config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input;
}

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

describe('S3 buckets', () => {
  it('COMPLIANT with the data CMK, a TLS-only policy and all public access blocked; reported with the result token and audited', async () => {
    await expect(handler()(changeEvent(bucketItem()), context)).resolves.toMatchObject({
      verdict: { complianceType: 'COMPLIANT' },
    });
    expect(evaluation()).toEqual({
      ResultToken: 'result-token-1',
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: 'data-dev',
          ComplianceType: 'COMPLIANT',
          Annotation: 'all checks passed',
          OrderingTimestamp: new Date(CAPTURED),
        },
      ],
    });
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: BUCKET_ARN,
      sk: `config-evaluation#sep-dev-encryption-tls-public-access@${CAPTURED}`,
      outcome: 'success',
      details: { complianceType: 'COMPLIANT' },
    });
  });

  it('accepts the bare key ID of the data key', async () => {
    const item = bucketItem({
      supplementary: {
        ServerSideEncryptionConfiguration: {
          rules: [
            {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyID: '11111111-aaaa-bbbb-cccc-000000000001',
              },
            },
          ],
        },
      },
    });
    await handler()(changeEvent(item), context);
    expect(evaluation()?.Evaluations?.[0]?.ComplianceType).toBe('COMPLIANT');
  });

  it.each([
    [
      'SSE-S3 instead of the CMK',
      {
        ServerSideEncryptionConfiguration: {
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
        },
      },
      /default encryption/,
    ],
    [
      'another KMS key',
      {
        ServerSideEncryptionConfiguration: {
          rules: [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: LOGS_KEY } },
          ],
        },
      },
      /default encryption/,
    ],
    [
      'a key alias',
      {
        ServerSideEncryptionConfiguration: {
          rules: [
            {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyID: 'alias/data-dev',
              },
            },
          ],
        },
      },
      /default encryption/,
    ],
    ['no encryption configuration', { ServerSideEncryptionConfiguration: null }, /default encryption/],
    ['no bucket policy', { BucketPolicy: { policyText: null } }, /TLS/],
    [
      'a policy that only allows',
      {
        BucketPolicy: {
          policyText: JSON.stringify({ Statement: [{ ...tlsOnlyPolicy.Statement[0], Effect: 'Allow' }] }),
        },
      },
      /TLS/,
    ],
    [
      'a TLS deny that misses the objects',
      {
        BucketPolicy: {
          policyText: JSON.stringify({
            Statement: [{ ...tlsOnlyPolicy.Statement[0], Resource: BUCKET_ARN }],
          }),
        },
      },
      /TLS/,
    ],
    ['an unparseable policy', { BucketPolicy: { policyText: '{not json' } }, /TLS/],
    [
      'one public access flag off',
      {
        PublicAccessBlockConfiguration: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: false,
          restrictPublicBuckets: true,
        },
      },
      /blockPublicPolicy/,
    ],
    ['no public access block', { PublicAccessBlockConfiguration: undefined }, /public access block/],
  ])('NON_COMPLIANT with %s', async (_label, supplementary, reason) => {
    await handler()(changeEvent(bucketItem({ supplementary })), context);
    const result = evaluation()?.Evaluations?.[0];
    expect(result?.ComplianceType).toBe('NON_COMPLIANT');
    expect(result?.Annotation).toMatch(reason);
    expect(result?.Annotation?.length).toBeLessThanOrEqual(256);
  });

  it('lists every failed check in the audit entry', async () => {
    const item = bucketItem({
      supplementary: {
        ServerSideEncryptionConfiguration: null,
        BucketPolicy: null,
        PublicAccessBlockConfiguration: null,
      },
    });
    await handler()(changeEvent(item), context);
    const details = documents.commandCalls(PutCommand)[0]?.args[0].input.Item?.details;
    expect(details?.failures).toHaveLength(3);
  });
});

describe('log groups', () => {
  it('COMPLIANT with the logs CMK and 90 days', async () => {
    await handler()(
      changeEvent(logGroupItem({ logGroupName: 'x', kmsKeyId: LOGS_KEY, retentionInDays: 90 })),
      context,
    );
    expect(evaluation()?.Evaluations?.[0]).toMatchObject({
      ComplianceResourceType: 'AWS::Logs::LogGroup',
      ComplianceType: 'COMPLIANT',
    });
  });

  it('COMPLIANT with CloudFormation-style names and no expiry', async () => {
    await handler()(changeEvent(logGroupItem({ LogGroupName: 'x', KmsKeyId: LOGS_KEY })), context);
    expect(evaluation()?.Evaluations?.[0]?.ComplianceType).toBe('COMPLIANT');
  });

  it.each([
    ['unencrypted', { retentionInDays: 90 }, /logs key/],
    ['encrypted with the data key', { kmsKeyId: DATA_KEY, retentionInDays: 90 }, /logs key/],
    [
      'retention too short',
      { kmsKeyId: LOGS_KEY, retentionInDays: 30 },
      /retention 30 days is below the required 90/,
    ],
  ])('NON_COMPLIANT when %s', async (_label, configuration, reason) => {
    await handler()(changeEvent(logGroupItem(configuration)), context);
    expect(evaluation()?.Evaluations?.[0]).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: expect.stringMatching(reason),
    });
  });
});

describe('NOT_APPLICABLE', () => {
  it.each([
    [
      'a deleted resource',
      changeEvent({
        ...bucketItem({ status: 'ResourceDeleted' }),
        configuration: null,
        supplementaryConfiguration: {},
        tags: {},
      }),
    ],
    ['a resource that left the scope', changeEvent(bucketItem(), { eventLeftScope: true })],
    ['another environment', changeEvent(bucketItem({ tags: { Environment: 'prod' } }))],
    ['an untagged resource', changeEvent(bucketItem({ tags: {} }))],
    ['another resource type', changeEvent({ ...bucketItem(), resourceType: 'AWS::SQS::Queue' })],
  ])('for %s, still reported to Config', async (_label, event) => {
    await handler()(event, context);
    expect(evaluation()?.Evaluations?.[0]?.ComplianceType).toBe('NOT_APPLICABLE');
  });
});

describe('oversized configuration items', () => {
  const oversized = ruleEvent({
    messageType: 'OversizedConfigurationItemChangeNotification',
    configurationItemSummary: {
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'data-dev',
      configurationItemCaptureTime: CAPTURED,
      configurationItemStatus: 'OK',
    },
  });

  it('reads the item with GetResourceConfigHistory (JSON-string fields) and evaluates it', async () => {
    const inline = bucketItem();
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'data-dev',
          resourceName: 'data-dev',
          arn: BUCKET_ARN,
          configurationItemStatus: 'OK',
          configurationItemCaptureTime: new Date(CAPTURED),
          configuration: JSON.stringify(inline.configuration),
          supplementaryConfiguration: Object.fromEntries(
            Object.entries(inline.supplementaryConfiguration).map(([k, v]) => [k, JSON.stringify(v)]),
          ),
          tags: inline.tags,
        },
      ],
    });
    await handler()(oversized, context);
    expect(config.commandCalls(GetResourceConfigHistoryCommand)[0]?.args[0].input).toEqual({
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'data-dev',
      laterTime: new Date(CAPTURED),
      limit: 1,
    });
    expect(evaluation()?.Evaluations?.[0]?.ComplianceType).toBe('COMPLIANT');
  });

  it('fails without reporting when the history has no item (missing resource)', async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
    await expect(handler()(oversized, context)).rejects.toThrow(/no configuration item/);
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });

  it.each([
    ['not discovered', new ResourceNotDiscoveredException({ message: 'not discovered', $metadata: {} })],
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })],
    ['access denied', Object.assign(new Error('denied'), { name: 'AccessDeniedException' })],
  ])('propagates %s from GetResourceConfigHistory without reporting', async (_label, error) => {
    config.on(GetResourceConfigHistoryCommand).rejects(error);
    await expect(handler()(oversized, context)).rejects.toThrow(error.message);
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });
});

describe('PutEvaluations failures', () => {
  it.each([
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })],
    ['access denied', Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })],
    [
      'an unknown result token',
      Object.assign(new Error('bad token'), { name: 'InvalidResultTokenException' }),
    ],
  ])('%s: audited as a failure and rethrown for a retry', async (_label, error) => {
    config.on(PutEvaluationsCommand).rejects(error);
    await expect(handler()(changeEvent(bucketItem()), context)).rejects.toThrow(error.message);
    const items = documents.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ outcome: 'failure', sk: expect.stringContaining(':failed:req-1') });
  });

  it('treats evaluations Config rejected as a failure', async () => {
    config.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [
        {
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: 'data-dev',
          ComplianceType: 'COMPLIANT',
          OrderingTimestamp: new Date(),
        },
      ],
    });
    await expect(handler()(changeEvent(bucketItem()), context)).rejects.toThrow(/rejected 1 evaluation/);
  });
});

describe('bad events', () => {
  it.each([
    ['an empty object', {}, 'invokingEvent'],
    ['a numeric result token', { ...changeEvent(bucketItem()), resultToken: 7 }, 'resultToken'],
    [
      'invokingEvent that is not JSON',
      { ...changeEvent(bucketItem()), invokingEvent: '{oops' },
      'invokingEvent',
    ],
    [
      'a scheduled notification',
      ruleEvent({ messageType: 'ScheduledNotification' }),
      'invokingEvent.messageType',
    ],
    [
      'a numeric resource id',
      changeEvent({ ...bucketItem(), resourceId: 5 }),
      'invokingEvent.configurationItem.resourceId',
    ],
    [
      'no capture time',
      changeEvent({ ...bucketItem(), configurationItemCaptureTime: undefined }),
      'invokingEvent.configurationItem.configurationItemCaptureTime',
    ],
  ])('refuses %s before any AWS call, naming the field', async (_label, bad, field) => {
    const error = await handler()(bad, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.map((f) => f.path)).toContain(field);
    expect(config.calls()).toHaveLength(0);
    expect(documents.calls()).toHaveLength(0);
  });

  it('refuses a bad environment naming each variable', () => {
    expect(() => loadConfig({ ...env, DATA_KEY_ARN: 'alias/x', REQUIRED_LOG_RETENTION_DAYS: '-1' })).toThrow(
      /DATA_KEY_ARN.*REQUIRED_LOG_RETENTION_DAYS/,
    );
  });
});
