// Test support for the environment handlers' suites: the variables every handler reads, and the audit
// table and alert topic every handler writes to, mocked. Never imported by production code.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

/** The common variables of environment `dev` (its audit table and alert topic); a suite adds its own. */
export const COMMON_ENV = {
  ENVIRONMENT_SUFFIX: 'dev',
  AUDIT_TABLE_NAME: 'audit-dev',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:alerts-dev',
} as const;

/**
 * The audit table (through the document client) and the alert topic, mocked for the test file (call once,
 * at its top) and reset before every test: an audit entry is written, an alert published as `m-1`.
 */
export function mockAuditAndAlerts() {
  const documents = mockClient(DynamoDBDocumentClient);
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    documents.reset();
    sns.reset();
    documents.on(PutCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });
  return { documents, sns };
}

/** The DynamoDB and SNS clients a handler is built with (the mocked ones answer them). */
export function auditAndAlertClients() {
  return {
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    sns: new SNSClient({ region: 'us-east-1' }),
  };
}
