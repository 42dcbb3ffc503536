/// <reference path="./dynalite.d.ts" />
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

export interface StartLocalDynamoOptions {
  /** Persist the store (LevelDB) in this directory. @default in memory, lost on close */
  readonly dataDir?: string;
  /** @default a free port */
  readonly port?: number;
}

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` — pass as the DynamoDBClient endpoint. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * A DynamoDB-compatible store on loopback (dynalite: the DynamoDB wire API over
 * LevelDB), so the registry code that runs against AWS runs unchanged locally.
 */
export async function startLocalDynamo(options: StartLocalDynamoOptions = {}): Promise<LocalDynamo> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const dynalite = await loadDynalite();
  const server = dynalite({
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
    // Tables become ACTIVE at once: no reason to simulate AWS's provisioning delay.
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeIdleConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

type Dynalite = typeof import('dynalite');

/**
 * Loaded on first use through a specifier bundlers cannot follow: the TTL
 * sweeper Lambda and the portal bundle this module, and neither must carry
 * dynalite's LevelDB native binaries.
 */
async function loadDynalite(): Promise<Dynalite> {
  const specifier = 'dynalite';
  const loaded = (await import(/* webpackIgnore: true */ specifier)) as Dynalite | { default: Dynalite };
  return 'default' in loaded ? loaded.default : loaded;
}

/** A client for a local store: dynalite checks the signature's shape, not the keys. */
export function createLocalDynamoClient(options: { readonly endpoint: string }): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}

export interface CreateRegistryTableOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * Creates the registry table with the key layout the CDK stack deploys (for
 * local use and tests; in AWS the pipeline stack owns the table). Idempotent.
 */
export async function createRegistryTable(options: CreateRegistryTableOptions): Promise<void> {
  await createTableIfAbsent({ ...options, partitionKey: 'environmentSuffix' });
}

/**
 * Creates an on-demand table keyed by string attributes, unless it exists, and waits until it is active:
 * how the local store gets each table the pipeline stack owns in AWS (registry, audit log, sessions), with
 * the same key layout.
 */
export async function createTableIfAbsent(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}): Promise<void> {
  const keys = [
    { name: options.partitionKey, type: 'HASH' as const },
    ...(options.sortKey === undefined ? [] : [{ name: options.sortKey, type: 'RANGE' as const }]),
  ];
  try {
    await options.client.send(
      new CreateTableCommand({
        TableName: options.tableName,
        AttributeDefinitions: keys.map(({ name }) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: keys.map(({ name, type }) => ({ AttributeName: name, KeyType: type })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists(
    { client: options.client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 },
    { TableName: options.tableName },
  );
}
