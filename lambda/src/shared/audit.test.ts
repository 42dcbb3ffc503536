import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AuditWriter, toAuditItem } from './audit';

const documents = mockClient(DynamoDBDocumentClient);
const writer = () =>
  new AuditWriter({
    tableName: 'audit-dev',
    environmentSuffix: 'dev',
    client: new DynamoDBClient({ region: 'us-east-1' }),
  });
const entry = {
  entity: 's3://data-dev/a.txt',
  action: 'pii-scan',
  idempotencyKey: 'v1',
  actor: 'pii-scanner',
  outcome: 'success' as const,
  details: { verdict: 'clean' },
  timestamp: new Date('2026-11-23T01:02:03.000Z'),
};

beforeEach(() => documents.reset());

describe('toAuditItem', () => {
  it('lays the item out as ARCHITECTURE.md "Contracts between the parts" says', () => {
    expect(toAuditItem(entry, 'dev')).toEqual({
      pk: 's3://data-dev/a.txt',
      sk: 'pii-scan#v1',
      timestamp: '2026-11-23T01:02:03.000Z',
      auditDay: '2026-11-23',
      action: 'pii-scan',
      actor: 'pii-scanner',
      outcome: 'success',
      environmentSuffix: 'dev',
      details: { verdict: 'clean' },
    });
  });

  it('refuses entries that would make ambiguous keys', () => {
    expect(() => toAuditItem({ ...entry, action: 'a#b' }, 'dev')).toThrow(/must not contain/);
    expect(() => toAuditItem({ ...entry, entity: '' }, 'dev')).toThrow(/entity/);
    expect(() => toAuditItem({ ...entry, idempotencyKey: '' }, 'dev')).toThrow(/idempotencyKey/);
  });
});

describe('AuditWriter.record', () => {
  it('puts conditionally on attribute_not_exists(pk)', async () => {
    documents.on(PutCommand).resolves({});
    await expect(writer().record(entry)).resolves.toMatchObject({ recorded: true });
    const input = documents.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ TableName: 'audit-dev', ConditionExpression: 'attribute_not_exists(pk)' });
    expect(input?.Item).toMatchObject({ pk: entry.entity, sk: 'pii-scan#v1' });
  });

  it('treats ConditionalCheckFailed as already recorded', async () => {
    documents
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    await expect(writer().record(entry)).resolves.toMatchObject({ recorded: false });
  });

  it('propagates every other failure (an unaudited action must not look done)', async () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ProvisionedThroughputExceededException',
    });
    documents.on(PutCommand).rejects(throttled);
    await expect(writer().record(entry)).rejects.toThrow('slow down');
  });
});

describe('AuditWriter.listForEntity', () => {
  it('paginates, filters by action and sorts by time', async () => {
    const item = (ts: string) => ({ ...toAuditItem({ ...entry, timestamp: new Date(ts) }, 'dev') });
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [item('2026-11-23T05:00:00Z')], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
      .resolvesOnce({ Items: [item('2026-11-23T01:00:00Z')] });
    const items = await writer().listForEntity({ entity: entry.entity, action: 'pii-scan' });
    expect(items.map((i) => i.timestamp)).toEqual(['2026-11-23T01:00:00.000Z', '2026-11-23T05:00:00.000Z']);
    const calls = documents.commandCalls(QueryCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': entry.entity, ':prefix': 'pii-scan#' },
    });
    expect(calls[1]?.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x', sk: 'y' });
  });
});
