import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { headRevision, SourceTrigger } from './source-trigger';

// The local source connection: a new commit in the repository starts the pipelines once, like a push.

let dir: string;
let repo: string;
let started: string[];
let trigger: SourceTrigger;

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], {
    cwd: repo,
    stdio: 'ignore',
  });
}

function commit(file: string, content: string): void {
  writeFileSync(path.join(repo, file), content);
  git('add', file);
  git('commit', '-q', '-m', `edit ${file}`);
}

function newTrigger(): SourceTrigger {
  return new SourceTrigger({
    revision: () => headRevision(repo),
    stateFile: path.join(dir, 'data', 'source.json'),
    onNewRevision: async (revision) => {
      started.push(revision);
    },
  });
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sep-source-trigger-'));
  repo = path.join(dir, 'repo');
  execFileSync('git', ['init', '-q', repo]);
  commit('README.md', 'first\n');
  started = [];
  trigger = newTrigger();
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SourceTrigger', () => {
  it('records the first revision it sees without a run: the pipeline has built it already', async () => {
    await expect(trigger.check()).resolves.toBeUndefined();
    expect(started).toEqual([]);
  });

  it('starts the pipelines once for a new commit', async () => {
    await trigger.check();
    commit('network.ts', 'one more rule\n');
    const head = await headRevision(repo);
    await expect(trigger.check()).resolves.toBe(head);
    await expect(trigger.check()).resolves.toBeUndefined();
    expect(started).toEqual([head]);
  });

  it('does not start them for edits that are not committed (a push is what starts them)', async () => {
    await trigger.check();
    writeFileSync(path.join(repo, 'README.md'), 'edited, not committed\n');
    await trigger.check();
    expect(started).toEqual([]);
  });

  it('starts them after a restart for a commit made while the portal was down', async () => {
    await trigger.check();
    commit('network.ts', 'made while stopped\n');
    await newTrigger().check();
    expect(started).toEqual([await headRevision(repo)]);
  });

  it('checks again after a failed start: the revision is recorded only once its runs started', async () => {
    await trigger.check();
    commit('network.ts', 'one more rule\n');
    const failing = new SourceTrigger({
      revision: () => headRevision(repo),
      stateFile: path.join(dir, 'data', 'source.json'),
      onNewRevision: () => Promise.reject(new Error('the pipeline state is being replaced')),
    });
    await expect(failing.check()).rejects.toThrow('being replaced');
    await trigger.check();
    expect(started).toEqual([await headRevision(repo)]);
  });

  it('shares one comparison between overlapping checks', async () => {
    await trigger.check();
    commit('network.ts', 'one more rule\n');
    await Promise.all([trigger.check(), trigger.check(), trigger.check()]);
    expect(started).toHaveLength(1);
  });

  it('does nothing where the source is not a git checkout', async () => {
    const plain = new SourceTrigger({
      revision: () => headRevision(dir),
      stateFile: path.join(dir, 'data', 'source.json'),
      onNewRevision: async (revision) => {
        started.push(revision);
      },
    });
    await expect(headRevision(path.join(dir, 'data-that-is-not-a-repo'))).resolves.toBeUndefined();
    await plain.check();
    await plain.check();
    expect(started).toEqual([]);
  });
});
