import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  assembly,
  ControlledWork,
  clock,
  ENVIRONMENT_STAGE,
  PROD_STAGE,
} from './pipeline-player.test-support';
import type { StateRecovery } from './pipeline-state-file';
import { bootstrapAssemblyDir, LocalPipelines } from './pipelines';

// `pipelines.json` says which pipeline of the deployed stack does what. It is written once, when the
// stack is first deployed; a torn or edited copy must not take every pipeline view down with it.

const root = mkdtempSync(path.join(tmpdir(), 'sep-pipelines-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function pipelinesAt(dataDir: string, recoveries: [string, StateRecovery][] = []) {
  return new LocalPipelines({
    dataDir,
    speedFactor: 1,
    work: new ControlledWork(),
    clock,
    onError: (error) => {
      throw error;
    },
    onStateRecovered: (name, recovery) => recoveries.push([name, recovery]),
  });
}

/** A data folder whose stack was deployed from its bootstrap assembly (as `LocalDelivery.bootstrap` does). */
async function deployed(): Promise<string> {
  const dataDir = mkdtempSync(path.join(root, 'data-'));
  const first = bootstrapAssemblyDir(dataDir);
  cpSync(assembly([ENVIRONMENT_STAGE, PROD_STAGE]), first, { recursive: true });
  const pipelines = pipelinesAt(dataDir);
  await pipelines.deploy(first);
  await pipelines.close();
  return dataDir;
}

it('reads the roles back from pipelines.json after a restart', async () => {
  const dataDir = await deployed();
  const pipelines = pipelinesAt(dataDir);
  expect(await pipelines.isDeployed()).toBe(true);
  expect((await (await pipelines.environments()).peek())?.definition.pipelineName).toBe('sep-delivery');
  await pipelines.close();
});

it('derives the roles again from the first assembly when pipelines.json is unusable, and says so', async () => {
  const dataDir = await deployed();
  const file = path.join(dataDir, 'pipelines.json');
  const written = readFileSync(file, 'utf8');
  writeFileSync(file, written.slice(0, 12));
  const recoveries: [string, StateRecovery][] = [];
  const pipelines = pipelinesAt(dataDir, recoveries);

  expect(await pipelines.isDeployed()).toBe(true);
  expect(readFileSync(file, 'utf8')).toBe(written);
  expect(recoveries).toEqual([
    [
      'pipelines.json',
      {
        file,
        reason: 'pipelines.json is not valid JSON',
        setAside: [expect.stringContaining('pipelines.json.corrupt-')],
        recoveredFrom: "the stack's first assembly",
      },
    ],
  ]);
  expect(readdirSync(dataDir).filter((name) => name.includes('.corrupt-'))).toHaveLength(1);
  await pipelines.close();
});

it('counts the stack as not deployed when neither pipelines.json nor the first assembly can be used', async () => {
  const dataDir = await deployed();
  rmSync(path.dirname(bootstrapAssemblyDir(dataDir)), { recursive: true });
  writeFileSync(path.join(dataDir, 'pipelines.json'), '{"environments":7}');
  const recoveries: [string, StateRecovery][] = [];
  const pipelines = pipelinesAt(dataDir, recoveries);

  expect(await pipelines.isDeployed()).toBe(false);
  expect(recoveries[0]?.[1]).toMatchObject({
    reason: expect.stringMatching(
      /^pipelines\.json does not hold the pipeline stack's pipelines \(environments: /,
    ),
    recoveredFrom: 'nothing (not deployed yet)',
  });
  await pipelines.close();
});
