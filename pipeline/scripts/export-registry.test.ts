import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  createLocalDynamoClient,
  createRegistryTable,
  DynamoDbEnvironmentRegistry,
  startLocalDynamo,
} from '@sep/registry';
import { parseEnvironmentSpec } from '@sep/spec';
import { parseEnvironmentsFile } from '../src/environments-file';

const run = promisify(execFile);

it('exports the registry into the file the synth reads, invalid entries listed by suffix', async () => {
  const local = await startLocalDynamo({});
  const client = createLocalDynamoClient({ endpoint: local.endpoint });
  const directory = mkdtempSync(join(tmpdir(), 'sep-export-'));
  try {
    await createRegistryTable({ client, tableName: 'registry' });
    const registry = new DynamoDbEnvironmentRegistry({ tableName: 'registry', client });
    const parsed = parseEnvironmentSpec({
      environmentSuffix: 'pr-5',
      kind: 'ephemeral',
      owner: 'alice@example.com',
      project: 'payments',
      costCenter: 'cc-1',
    });
    if (!parsed.success) throw new Error('fixture spec invalid');
    await registry.register({ spec: parsed.spec, requestedBy: 'alice' });
    await client.send(
      new PutItemCommand({
        TableName: 'registry',
        Item: { environmentSuffix: { S: 'junk' }, status: { S: 'ready' } },
      }),
    );
    const out = join(directory, 'environments.json');
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, 'export-registry.ts'),
        '--table',
        'registry',
        '--out',
        out,
        '--endpoint',
        local.endpoint,
      ],
      { cwd: join(__dirname, '..') },
    );
    expect(stdout).toContain('1 environments (1 invalid)');
    expect(stderr).toContain('invalid entry "junk"');
    const loaded = parseEnvironmentsFile(JSON.parse(readFileSync(out, 'utf8')));
    expect(loaded.environments.map((e) => e.spec.environmentSuffix)).toEqual(['pr-5']);
    expect(loaded.skipped.map((s) => s.environmentSuffix)).toEqual(['junk']);
  } finally {
    client.destroy();
    await local.close();
    rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);
