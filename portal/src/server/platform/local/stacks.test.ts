import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CorruptStackStateError } from './stack-model';
import { LocalStacks } from './stacks';

const template = JSON.stringify({
  Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: {} } },
});
const address = (suffix: string) => ({
  account: '111111111111',
  region: 'us-east-1',
  stackName: `sep-${suffix}-environment`,
});

describe('one environment’s unreadable stack state', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sep-stacks-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('fails that stack alone with the file named, and can be set aside so the environment starts afresh', async () => {
    const before = new LocalStacks({ dataDir: dir, speedFactor: 1000 });
    const at = new Date('2026-12-01T00:00:00.000Z');
    await before.deploy({ address: address('pr-good'), templateText: template, startedAt: at });
    await before.deploy({ address: address('pr-bad'), templateText: template, startedAt: at });
    // The portal was killed while writing: a truncated file, read by the next process.
    const badFile = path.join(dir, '111111111111', 'us-east-1', 'sep-pr-bad-environment.json');
    await writeFile(badFile, '{"operations": [');
    const after = new LocalStacks({ dataDir: dir, speedFactor: 1000 });
    const later = new Date(at.getTime() + 3_600_000);

    const failure = await after.describe(address('pr-bad'), later).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CorruptStackStateError);
    expect((failure as Error).message).toContain(badFile);
    expect((failure as Error).message).toContain('destroy the environment to start afresh');
    expect((await after.describe(address('pr-good'), later))?.status).toBe('CREATE_COMPLETE');

    const aside = await after.discard(address('pr-bad'));
    expect(existsSync(badFile)).toBe(false);
    expect(existsSync(aside)).toBe(true);
    expect(await after.describe(address('pr-bad'), later)).toBeUndefined();
    expect((await readdir(path.dirname(badFile))).some((name) => name.includes('.corrupt-'))).toBe(true);
  });
});
