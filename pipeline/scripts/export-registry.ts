// Reads the environment registry (DynamoDB) into the file the pipeline synth
// reads (ENVIRONMENTS_FILE), so `cdk synth` itself never touches the network.
//   npx tsx pipeline/scripts/export-registry.ts --table <name> --out environments.json [--endpoint http://127.0.0.1:8000]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLocalDynamoClient, DynamoDbEnvironmentRegistry } from '@sep/registry';
import { z } from 'zod';
import { ENVIRONMENTS_FILE_VERSION, type EnvironmentsFile } from '../src/environments-file';

const { values } = parseArgs({
  options: { table: { type: 'string' }, out: { type: 'string' }, endpoint: { type: 'string' } },
});
const options = z
  .object({
    table: z.string({ error: '--table (or REGISTRY_TABLE_NAME) is required' }).min(1),
    out: z.string({ error: '--out (or ENVIRONMENTS_FILE) is required' }).min(1),
    endpoint: z.url().optional(),
  })
  .safeParse({
    table: values.table ?? process.env.REGISTRY_TABLE_NAME,
    out: values.out ?? process.env.ENVIRONMENTS_FILE,
    endpoint: values.endpoint,
  });
if (!options.success) {
  console.error(`export-registry: ${options.error.issues.map((issue) => issue.message).join('; ')}`);
  process.exit(2);
}

const { table, out, endpoint } = options.data;
const client =
  endpoint === undefined ? new DynamoDBClient({ maxAttempts: 8 }) : createLocalDynamoClient({ endpoint });
const registry = new DynamoDbEnvironmentRegistry({
  tableName: table,
  client,
  onInvalidEntry: (entry) =>
    console.warn(
      `export-registry: invalid entry "${entry.environmentSuffix}" (reported, skipped by synth): ${entry.errors
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ')}`,
    ),
});

registry
  .snapshot()
  .then((snapshot) => {
    const file: EnvironmentsFile = {
      version: ENVIRONMENTS_FILE_VERSION,
      exportedAt: new Date().toISOString(),
      source: `dynamodb:${table}`,
      environments: snapshot.records,
      invalid: snapshot.invalid,
    };
    writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
    console.log(
      `export-registry: ${snapshot.records.length} environments (${snapshot.invalid.length} invalid) → ${out}`,
    );
    client.destroy();
  })
  .catch((error: unknown) => {
    console.error(`export-registry: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
