import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SynthStepError } from '@sep/pipeline/rehearsal';
import {
  headRevision,
  SourceTrigger,
  uncommittedPaths,
  uncommittedSourceNote,
  withUncommittedNote,
} from './source-trigger';

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

describe('uncommittedPaths', () => {
  it('is empty for a clean checkout and for a folder that is not one', async () => {
    await expect(uncommittedPaths(repo)).resolves.toEqual([]);
    await expect(uncommittedPaths(dir)).resolves.toEqual([]);
  });

  it('names what a Build of the commit would not see: edits, staged files, untracked files, renames', async () => {
    commit('network.ts', 'committed\n');
    writeFileSync(path.join(repo, 'README.md'), 'edited, not committed\n');
    writeFileSync(path.join(repo, 'new script.ts'), 'untracked\n');
    git('mv', 'network.ts', 'firewall.ts');
    await expect(uncommittedPaths(repo).then((paths) => paths.sort())).resolves.toEqual([
      'README.md',
      'firewall.ts',
      'new script.ts',
    ]);
  });
});

describe('uncommittedSourceNote', () => {
  it('names the commit built and up to five paths, then how many more', () => {
    const paths = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts', 'g.ts'];
    expect(uncommittedSourceNote('1092d9175b29', paths)).toBe(
      'The Build ran on commit 1092d9175b29, as CodePipeline builds the pushed commit; the working tree differs from it (a.ts, b.ts, c.ts, d.ts, e.ts and 2 more), and none of that was built: commit the changes to build them.',
    );
  });
});

describe('withUncommittedNote', () => {
  const failed = () =>
    new SynthStepError('npx tsx pipeline/scripts/publish.ts --new-flag', 1, 'Unknown option', []);

  it('adds the note to a failed synth step when the working tree differs from the commit it built', async () => {
    writeFileSync(path.join(repo, 'publish.ts'), 'the flag, not committed\n');
    const error = failed();
    const explained = await withUncommittedNote(error, { revision: 'abc1234', repoRoot: repo });
    expect(explained).toBeInstanceOf(Error);
    expect((explained as Error).message).toBe(
      `${error.message}\n${uncommittedSourceNote('abc1234', ['publish.ts'])}`,
    );
    expect((explained as Error).cause).toBe(error);
  });

  it('leaves the failure as it is on a clean checkout, and any other error', async () => {
    const error = failed();
    await expect(withUncommittedNote(error, { revision: 'abc1234', repoRoot: repo })).resolves.toBe(error);
    writeFileSync(path.join(repo, 'publish.ts'), 'dirty\n');
    const other = new Error('ENOSPC');
    await expect(withUncommittedNote(other, { revision: 'abc1234', repoRoot: repo })).resolves.toBe(other);
  });
});
