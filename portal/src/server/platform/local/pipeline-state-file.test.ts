import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assembly, ControlledWork, ENVIRONMENT_STAGE, newPlayer, tick } from './pipeline-player.test-support';
import type { StateRecovery } from './pipeline-state-file';

// A corrupt state file of the played pipeline: the player runs on from its last-good copy (or afresh),
// keeps the bad file as evidence, and says so once.

/** A player that bootstrapped and started one execution, closed; its data folder. */
async function savedPipeline(pipeline: string): Promise<string> {
  const { player, dataDir } = newPlayer(new ControlledWork());
  await player.bootstrap(pipeline);
  await player.startExecution('request pr-1');
  await tick(player, 5);
  await player.close();
  return dataDir;
}

const aside = (dataDir: string, name: string) =>
  readdirSync(dataDir).filter((file) => file.startsWith(`${name}.corrupt-`));

describe('the local pipeline player with an unusable state file', () => {
  it('runs from the last-good copy of a truncated state.json, keeps the truncated file aside, and reports it once', async () => {
    const dataDir = await savedPipeline(assembly([ENVIRONMENT_STAGE]));
    const file = path.join(dataDir, 'state.json');
    const saved = readFileSync(file, 'utf8');
    const truncated = saved.slice(0, Math.floor(saved.length / 2));
    writeFileSync(file, truncated);

    const recoveries: StateRecovery[] = [];
    const { player } = newPlayer(new ControlledWork(), dataDir, {
      onStateRecovered: (recovery) => recoveries.push(recovery),
    });
    // Several readers at once (the API's polls): one recovery.
    const states = await Promise.all([player.peek(), player.peek(), player.current()]);
    expect(states.map((state) => state?.executions.map((e) => e.trigger))).toEqual([
      ['request pr-1'],
      ['request pr-1'],
      ['request pr-1'],
    ]);
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]).toMatchObject({ file, recoveredFrom: 'last-good copy' });
    expect(recoveries[0]?.reason).toBe('state.json is not valid JSON');
    // The evidence is kept as it was; state.json holds what the player runs from again.
    const kept = aside(dataDir, 'state.json');
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(dataDir, kept[0] as string), 'utf8')).toBe(truncated);
    expect(recoveries[0]?.setAside).toEqual([path.join(dataDir, kept[0] as string)]);
    expect(JSON.parse(readFileSync(file, 'utf8')).executions).toHaveLength(1);
    await player.close();
  });

  it('refuses a state of the wrong shape, and starts afresh from the deployed assembly when the last-good copy is unusable too', async () => {
    const pipeline = assembly([ENVIRONMENT_STAGE]);
    const dataDir = await savedPipeline(pipeline);
    const file = path.join(dataDir, 'state.json');
    const state = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...state, executions: [{ executionId: 7 }] }));
    writeFileSync(`${file}.prev`, '');

    const recoveries: StateRecovery[] = [];
    const { player } = newPlayer(new ControlledWork(), dataDir, {
      deployedAssemblyDir: pipeline,
      onStateRecovered: (recovery) => recoveries.push(recovery),
    });
    const recovered = await player.current();
    expect(recovered).toMatchObject({ pipelineVersion: 1, executions: [] });
    expect(recovered?.definition.stages.map((s) => s.name)).toContain('pr-1');
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]?.recoveredFrom).toBe('fresh deployment');
    expect(recoveries[0]?.reason).toMatch(/^state\.json does not hold a pipeline state \(executions\.0\./);
    expect(aside(dataDir, 'state.json')).toHaveLength(1);
    expect(aside(dataDir, 'state.json.prev')).toHaveLength(1);
    // The new state works: an execution starts and is saved, with its last-good copy.
    await player.startExecution('after recovery');
    await player.close();
    expect(JSON.parse(readFileSync(`${file}.prev`, 'utf8')).executions).toHaveLength(1);
  });

  it('stays undeployed, without failing, when nothing usable is left and no assembly is known', async () => {
    const dataDir = await savedPipeline(assembly([]));
    const file = path.join(dataDir, 'state.json');
    writeFileSync(file, '{');
    writeFileSync(`${file}.prev`, 'null');
    const recoveries: StateRecovery[] = [];
    const { player } = newPlayer(new ControlledWork(), dataDir, {
      onStateRecovered: (recovery) => recoveries.push(recovery),
    });
    await expect(player.current()).resolves.toBeUndefined();
    expect(recoveries.map((r) => r.recoveredFrom)).toEqual(['nothing (not deployed yet)']);
    expect(existsSync(file)).toBe(false);
    await player.close();
  });
});
