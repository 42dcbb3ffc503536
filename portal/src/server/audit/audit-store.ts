import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTableIfAbsent } from '@sep/registry';
import type { AuditAction, AuditEntry, AuditPage } from '../domain/types';

/** One partition: the portal's audit volume is human actions, far below a partition's limits. */
const PARTITION = 'portal';

export interface RecordAuditOptions {
  readonly actor: string;
  readonly action: AuditAction;
  readonly target: string;
  readonly outcome: AuditEntry['outcome'];
  readonly details?: Readonly<Record<string, string>>;
  /** @default new Date() */
  readonly now?: Date;
}

export interface AuditStore {
  record(options: RecordAuditOptions): Promise<AuditEntry>;
  /** Newest first. `before` is the `nextBefore` cursor of a previous page. */
  list(options: { readonly limit: number; readonly before?: string }): Promise<AuditPage>;
}

/** The portal's audit trail in DynamoDB (dynalite locally): `pk` = `portal`, `sk` = `<timestamp>#<id>`. */
export class DynamoDbAuditStore implements AuditStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(private readonly options: { readonly tableName: string; readonly client: DynamoDBClient }) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async record(options: RecordAuditOptions): Promise<AuditEntry> {
    const entry: AuditEntry = {
      id: randomUUID(),
      timestamp: (options.now ?? new Date()).toISOString(),
      actor: options.actor,
      action: options.action,
      target: options.target,
      outcome: options.outcome,
      details: options.details ?? {},
    };
    await this.documents.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { pk: PARTITION, sk: `${entry.timestamp}#${entry.id}`, ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return entry;
  }

  async list(options: { readonly limit: number; readonly before?: string }): Promise<AuditPage> {
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: options.before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: {
          ':pk': PARTITION,
          ...(options.before === undefined ? {} : { ':before': options.before }),
        },
        ScanIndexForward: false,
        Limit: options.limit,
      }),
    );
    const items = result.Items ?? [];
    const entries = items.map((item) => ({
      id: String(item.id),
      timestamp: String(item.timestamp),
      actor: String(item.actor),
      action: item.action as AuditAction,
      target: String(item.target),
      outcome: item.outcome as AuditEntry['outcome'],
      details: (item.details ?? {}) as Record<string, string>,
    }));
    const last = items.at(-1);
    return {
      entries,
      ...(result.LastEvaluatedKey !== undefined && last !== undefined ? { nextBefore: String(last.sk) } : {}),
    };
  }
}

/** Creates the audit table locally (aws mode: the pipeline stack owns it). Idempotent. */
export async function createAuditTable(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}): Promise<void> {
  await createTableIfAbsent({ ...options, partitionKey: 'pk', sortKey: 'sk' });
}
