import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The audit trail every handler writes (ARCHITECTURE.md "Contracts between the parts"): one item per
 * thing a function did, keyed so that a retried invocation records it once.
 */

export const AUDIT_OUTCOMES = ['success', 'failure', 'skipped', 'dry-run'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Name of the GSI infra creates: partition `auditDay`, sort `timestamp`. */
export const AUDIT_BY_TIMESTAMP_INDEX = 'by-timestamp';

/** JSON-like values only: details are stored as a DynamoDB map and read back by the portal. */
export type AuditDetailValue =
  | string
  | number
  | boolean
  | null
  | readonly AuditDetailValue[]
  | { readonly [key: string]: AuditDetailValue };

export interface AuditEntry {
  /** The entity acted on: `document#<id>`, `s3://<bucket>/<key>`, or an ARN. Becomes `pk`. */
  readonly entity: string;
  /** What was done, e.g. `pii-scan`, `deactivate-access-key`. First half of `sk`. */
  readonly action: string;
  /**
   * Identifies this occurrence of the action so that a retry writes nothing new
   * (an S3 object's version ID or ETag, an event ID, a rotation token…). Second half of `sk`.
   */
  readonly idempotencyKey: string;
  /** Who did it: the function name or the caller's identity. */
  readonly actor: string;
  readonly outcome: AuditOutcome;
  /**
   * Facts about the action. NEVER raw PII or secrets: masked forms, counts, types and offsets only.
   * @default {}
   */
  readonly details?: { readonly [key: string]: AuditDetailValue };
  /**
   * When it happened.
   * @default new Date()
   */
  readonly timestamp?: Date;
}

/** The item as stored, exactly as ARCHITECTURE.md lays it out. */
export interface AuditItem {
  readonly pk: string;
  readonly sk: string;
  readonly timestamp: string;
  readonly auditDay: string;
  readonly action: string;
  readonly actor: string;
  readonly outcome: AuditOutcome;
  readonly environmentSuffix: string;
  readonly details: { readonly [key: string]: AuditDetailValue };
}

export interface RecordResult {
  /** false when an item with the same pk/sk already existed (a retry): not an error. */
  readonly recorded: boolean;
  readonly item: AuditItem;
}

export interface AuditWriterOptions {
  /** The audit table's name (`AUDIT_TABLE_NAME`). */
  readonly tableName: string;
  /** Written on every item so one table can be read per environment (`ENVIRONMENT_SUFFIX`). */
  readonly environmentSuffix: string;
  /** A plain DynamoDB client; the writer wraps it in a document client. */
  readonly client: DynamoDBClient;
}

export interface ListForEntityOptions {
  /** The `pk` to read. */
  readonly entity: string;
  /**
   * Only items whose action is this one (sk begins with `<action>#`).
   * @default every action
   */
  readonly action?: string;
  /**
   * Stop after this many items.
   * @default 100
   */
  readonly limit?: number;
}

const KEY_SEPARATOR = '#';

/** Builds the item for an entry; exported so callers and tests can predict keys. */
export function toAuditItem(entry: AuditEntry, environmentSuffix: string): AuditItem {
  if (entry.entity.length === 0) throw new Error('audit entry needs an entity');
  if (entry.action.length === 0 || entry.action.includes(KEY_SEPARATOR)) {
    throw new Error(`audit action must be non-empty and must not contain "${KEY_SEPARATOR}"`);
  }
  if (entry.idempotencyKey.length === 0) throw new Error('audit entry needs an idempotencyKey');
  const timestamp = (entry.timestamp ?? new Date()).toISOString();
  return {
    pk: entry.entity,
    sk: `${entry.action}${KEY_SEPARATOR}${entry.idempotencyKey}`,
    timestamp,
    auditDay: timestamp.slice(0, 10),
    action: entry.action,
    actor: entry.actor,
    outcome: entry.outcome,
    environmentSuffix,
    details: entry.details ?? {},
  };
}

/**
 * Writes audit entries idempotently: a conditional put on `attribute_not_exists(pk)`,
 * where a ConditionalCheckFailed means the same occurrence was already recorded.
 * Every other failure propagates: an action that cannot be audited must not look done.
 */
export class AuditWriter {
  private readonly tableName: string;
  private readonly environmentSuffix: string;
  private readonly documents: DynamoDBDocumentClient;

  constructor(options: AuditWriterOptions) {
    this.tableName = options.tableName;
    this.environmentSuffix = options.environmentSuffix;
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    });
  }

  async record(entry: AuditEntry): Promise<RecordResult> {
    const item = toAuditItem(entry, this.environmentSuffix);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { recorded: true, item };
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        isNamed(error, 'ConditionalCheckFailedException')
      ) {
        return { recorded: false, item };
      }
      throw error;
    }
  }

  /** Items of one entity ordered by timestamp, oldest first (paginates up to `limit`). */
  async listForEntity(options: ListForEntityOptions): Promise<AuditItem[]> {
    const limit = options.limit ?? 100;
    const items: AuditItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression:
            options.action === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues:
            options.action === undefined
              ? { ':pk': options.entity }
              : { ':pk': options.entity, ':prefix': `${options.action}${KEY_SEPARATOR}` },
          Limit: limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) items.push(raw as AuditItem);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < limit);
    // sk orders by action then idempotency key, not by time: sort here.
    return items.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
