import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { parseEnvironmentSpec } from '@sep/spec';
import {
  EnvironmentNotFoundError,
  InvalidEnvironmentRecordError,
  InvalidEnvironmentSpecError,
  SuffixTakenError,
  VersionConflictError,
} from './errors';
import {
  type EnvironmentRecord,
  expiryFor,
  type InvalidRegistryEntry,
  parseStoredRecord,
  type RecordParseResult,
} from './records';
import type {
  EnvironmentRegistry,
  ListOptions,
  RegisterOptions,
  RegistrySnapshot,
  RemoveOptions,
  UpdateStatusOptions,
} from './registry';

export interface DynamoDbEnvironmentRegistryOptions {
  /** The registry table: partition key `environmentSuffix` (S). */
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /**
   * Told about every stored entry that fails re-validation while listing.
   * @default logs one line per entry to stderr
   */
  readonly onInvalidEntry?: (entry: InvalidRegistryEntry) => void;
  /** Items per Scan page. @default DynamoDB's 1 MB page */
  readonly pageSize?: number;
}

/** Ephemeral records are tagged at the top level so scans can filter without reading the spec. */
const KIND_ATTRIBUTE = 'kind';

export class DynamoDbEnvironmentRegistry implements EnvironmentRegistry {
  private readonly tableName: string;
  private readonly documents: DynamoDBDocumentClient;
  private readonly onInvalidEntry: (entry: InvalidRegistryEntry) => void;
  private readonly pageSize: number | undefined;

  constructor(options: DynamoDbEnvironmentRegistryOptions) {
    this.tableName = options.tableName;
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.onInvalidEntry =
      options.onInvalidEntry ??
      ((entry) =>
        console.error(
          `registry: skipping invalid entry "${entry.environmentSuffix}": ${entry.errors
            .map((e) => `${e.path}: ${e.message}`)
            .join('; ')}`,
        ));
    this.pageSize = options.pageSize;
  }

  async register(options: RegisterOptions): Promise<EnvironmentRecord> {
    const parsed = parseEnvironmentSpec(options.spec);
    if (!parsed.success) throw new InvalidEnvironmentSpecError(parsed.errors);
    const spec = parsed.spec;
    const now = options.now ?? new Date();
    const timestamp = now.toISOString();
    const expiresAt = expiryFor(spec, now);
    const record: EnvironmentRecord = {
      environmentSuffix: spec.environmentSuffix,
      spec,
      status: 'requested',
      requestedBy: options.requestedBy,
      createdAt: timestamp,
      updatedAt: timestamp,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      version: 1,
    };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, [KIND_ATTRIBUTE]: spec.kind },
          // The suffix is the key: the first writer wins, every concurrent one fails here.
          ConditionExpression: 'attribute_not_exists(environmentSuffix)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new SuffixTakenError(spec.environmentSuffix);
      throw error;
    }
    return record;
  }

  async get(options: { readonly environmentSuffix: string }): Promise<EnvironmentRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { environmentSuffix: options.environmentSuffix },
        ConsistentRead: true,
      }),
    );
    if (result.Item === undefined) return undefined;
    const parsed = parseStoredRecord(result.Item);
    if (!parsed.success) {
      throw new InvalidEnvironmentRecordError(parsed.invalid.environmentSuffix, parsed.invalid.errors);
    }
    return parsed.record;
  }

  async list(options: ListOptions = {}): Promise<EnvironmentRecord[]> {
    const snapshot = await this.snapshot(
      options.status === undefined
        ? {}
        : {
            FilterExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': options.status },
          },
    );
    return [...snapshot.records];
  }

  /**
   * Every entry in the table, valid records and invalid entries apart. The
   * pipeline's registry export uses this so the synth can report what it skips.
   */
  async snapshot(
    filter: Pick<
      ScanCommandInput,
      'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > = {},
  ): Promise<RegistrySnapshot> {
    const records: EnvironmentRecord[] = [];
    const invalid: InvalidRegistryEntry[] = [];
    const pages = paginateScan(
      { client: this.documents, ...(this.pageSize === undefined ? {} : { pageSize: this.pageSize }) },
      { TableName: this.tableName, ConsistentRead: true, ...filter },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const parsed: RecordParseResult = parseStoredRecord(item);
        if (parsed.success) {
          records.push(parsed.record);
        } else {
          invalid.push(parsed.invalid);
          this.onInvalidEntry(parsed.invalid);
        }
      }
    }
    records.sort((a, b) => a.environmentSuffix.localeCompare(b.environmentSuffix));
    return { records, invalid };
  }

  async updateStatus(options: UpdateStatusOptions): Promise<EnvironmentRecord> {
    const now = (options.now ?? new Date()).toISOString();
    const conditions = ['attribute_exists(environmentSuffix)'];
    const values: Record<string, unknown> = { ':status': options.status, ':now': now, ':one': 1 };
    if (options.expectedVersion !== undefined) {
      conditions.push('version = :expected');
      values[':expected'] = options.expectedVersion;
    }
    const assignments = ['#status = :status', 'updatedAt = :now', 'version = version + :one'];
    if (options.statusReason !== undefined) {
      assignments.push('statusReason = :reason');
      values[':reason'] = options.statusReason;
    }
    // A new status without a reason must not keep the previous status's reason.
    const removals = options.statusReason === undefined ? ['statusReason'] : [];
    if (options.stackId === null) removals.push('stackId');
    else if (options.stackId !== undefined) {
      assignments.push('stackId = :stackId');
      values[':stackId'] = options.stackId;
    }
    if (options.recreations !== undefined) {
      assignments.push('recreations = :recreations');
      values[':recreations'] = options.recreations;
    }
    const update = `SET ${assignments.join(', ')}${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`;
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { environmentSuffix: options.environmentSuffix },
          UpdateExpression: update,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const parsed = parseStoredRecord(result.Attributes ?? {});
      if (!parsed.success) {
        throw new InvalidEnvironmentRecordError(parsed.invalid.environmentSuffix, parsed.invalid.errors);
      }
      return parsed.record;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw await this.explainConditionFailure(options.environmentSuffix, options.expectedVersion);
      }
      throw error;
    }
  }

  async remove(options: RemoveOptions): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { environmentSuffix: options.environmentSuffix },
          ...(options.expectedVersion === undefined
            ? {}
            : {
                ConditionExpression: 'attribute_not_exists(environmentSuffix) OR version = :expected',
                ExpressionAttributeValues: { ':expected': options.expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw await this.explainConditionFailure(options.environmentSuffix, options.expectedVersion);
      }
      throw error;
    }
  }

  async listExpired(options: { readonly now: Date }): Promise<EnvironmentRecord[]> {
    const now = options.now.toISOString();
    const snapshot = await this.snapshot({
      // ISO-8601 UTC strings from toISOString() order lexically as they do in time.
      FilterExpression: '#kind = :ephemeral AND expiresAt <= :now AND #status <> :destroyed',
      ExpressionAttributeNames: { '#kind': KIND_ATTRIBUTE, '#status': 'status' },
      ExpressionAttributeValues: { ':ephemeral': 'ephemeral', ':now': now, ':destroyed': 'destroyed' },
    });
    // The filter ran on stored attributes; hold the re-validated records to the same rule.
    return snapshot.records.filter(
      (record) =>
        record.spec.kind === 'ephemeral' &&
        record.expiresAt !== undefined &&
        Date.parse(record.expiresAt) <= options.now.getTime() &&
        record.status !== 'destroyed',
    );
  }

  /** A failed condition means either "gone" or "changed since read": read once to say which. */
  private async explainConditionFailure(environmentSuffix: string, expectedVersion: number | undefined) {
    const current = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { environmentSuffix }, ConsistentRead: true }),
    );
    if (current.Item === undefined) return new EnvironmentNotFoundError(environmentSuffix);
    const actual = typeof current.Item.version === 'number' ? current.Item.version : Number.NaN;
    return new VersionConflictError(environmentSuffix, expectedVersion ?? Number.NaN, actual);
  }
}
