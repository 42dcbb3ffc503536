// Test support (`@sep/registry/testing`), for the test suites of every workspace that drives the
// registry: never imported by production code.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEnvironmentRegistry } from './dynamodb-registry';
import {
  createLocalDynamoClient,
  createRegistryTable,
  type LocalDynamo,
  startLocalDynamo,
} from './local-dynamo';

export interface FreshRegistry {
  readonly registry: DynamoDbEnvironmentRegistry;
  readonly tableName: string;
  /** The client of the embedded store (for other tables a test needs beside the registry). */
  readonly dynamo: DynamoDBClient;
  /** The embedded store's endpoint (for processes the test starts: AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint: string;
}

/**
 * One embedded DynamoDB-compatible store (dynalite, in memory) per test file, started and stopped by the
 * jest hooks this registers, and a fresh empty registry table per `freshRegistry()` call, so no two tests
 * share entries.
 */
export function localRegistryStore(options: { readonly tablePrefix: string }): {
  readonly freshRegistry: () => Promise<FreshRegistry>;
} {
  let local: LocalDynamo | undefined;
  let dynamo: DynamoDBClient | undefined;
  let tables = 0;
  beforeAll(async () => {
    local = await startLocalDynamo({});
    dynamo = createLocalDynamoClient({ endpoint: local.endpoint });
  });
  afterAll(async () => {
    dynamo?.destroy();
    await local?.close();
  });
  return {
    async freshRegistry() {
      if (dynamo === undefined) throw new Error('localRegistryStore: call freshRegistry() inside a test');
      tables += 1;
      const tableName = `${options.tablePrefix}-${tables}`;
      await createRegistryTable({ client: dynamo, tableName });
      return {
        registry: new DynamoDbEnvironmentRegistry({ tableName, client: dynamo }),
        tableName,
        dynamo,
        endpoint: local?.endpoint as string,
      };
    },
  };
}
