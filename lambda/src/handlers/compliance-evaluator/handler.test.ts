// The compliance evaluator on log groups, resources it does not judge, oversized items, PutEvaluations
// failures and bad events.
import {
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
  ResourceNotDiscoveredException,
} from '@aws-sdk/client-config-service';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../shared/errors';
import { loadConfig } from './config';

import {
  BUCKET_ARN,
  bucketItem,
  CAPTURED,
  changeEvent,
  config,
  context,
  DATA_KEY,
  documents,
  env,
  evaluation,
  handler,
  LOGS_KEY,
  logGroupItem,
  ruleEvent,
} from './handler.test-support';

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
