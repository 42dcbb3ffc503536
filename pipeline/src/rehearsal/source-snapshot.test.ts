import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { snapshotSource } from './source-snapshot';

// The local Source artifact: the repository's source, with the installed packages linked back and the
// workspaces' own packages resolved inside the copy, so a run synthesizes the source it was handed.

let dir: string;
let repo: string;
let copy: string;

function write(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** What `node` prints for `require(specifier)` run from `cwd`: the module's `source` export. */
function requireFrom(cwd: string, specifier: string): string {
  return execFileSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(specifier)}).source)`], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sep-source-snapshot-'));
  repo = path.join(dir, 'repo');
  copy = path.join(dir, 'copy');
  // An npm workspaces checkout: two workspaces, an installed package, the workspaces linked by npm.
  write(path.join(repo, 'package.json'), '{"private":true,"workspaces":["infra","pipeline"]}');
  write(path.join(repo, 'infra', 'package.json'), '{"name":"@sep/infra","main":"index.js"}');
  write(path.join(repo, 'infra', 'index.js'), "exports.source = 'working tree';");
  write(path.join(repo, 'pipeline', 'package.json'), '{"name":"@sep/pipeline"}');
  write(path.join(repo, 'node_modules', 'aws-cdk-lib', 'package.json'), '{"name":"aws-cdk-lib"}');
  write(path.join(repo, 'node_modules', 'aws-cdk-lib', 'index.js'), "exports.source = 'installed';");
  write(path.join(repo, 'node_modules', '@aws-sdk', 'client-s3', 'index.js'), "exports.source = 'sdk';");
  mkdirSync(path.join(repo, 'node_modules', '@sep'));
  symlinkSync('../../infra', path.join(repo, 'node_modules', '@sep', 'infra'));
  symlinkSync('../../pipeline', path.join(repo, 'node_modules', '@sep', 'pipeline'));
  write(path.join(repo, 'pipeline', 'node_modules', 'only-here', 'index.js'), "exports.source = 'nested';");
  await snapshotSource({ repoRoot: repo, into: copy });
  // The run's source differs from the working tree: the copy is what was handed over.
  write(path.join(copy, 'infra', 'index.js'), "exports.source = 'the copy';");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshotSource', () => {
  it("resolves a workspace's package to the copy's folder, not the working tree's", () => {
    expect(requireFrom(path.join(copy, 'pipeline'), '@sep/infra')).toBe('the copy');
    expect(realpathSync(path.join(copy, 'node_modules', '@sep', 'infra'))).toBe(
      realpathSync(path.join(copy, 'infra')),
    );
  });

  it('links installed packages back to the repository instead of copying them', () => {
    expect(requireFrom(path.join(copy, 'pipeline'), 'aws-cdk-lib')).toBe('installed');
    expect(readlinkSync(path.join(copy, 'node_modules', 'aws-cdk-lib'))).toBe(
      path.join(repo, 'node_modules', 'aws-cdk-lib'),
    );
    expect(requireFrom(path.join(copy, 'pipeline'), '@aws-sdk/client-s3')).toBe('sdk');
    // A scope without workspace packages is linked whole.
    expect(readlinkSync(path.join(copy, 'node_modules', '@aws-sdk'))).toBe(
      path.join(repo, 'node_modules', '@aws-sdk'),
    );
  });

  it("links a workspace's own node_modules whole when it holds no workspace package", () => {
    expect(readlinkSync(path.join(copy, 'pipeline', 'node_modules'))).toBe(
      path.join(repo, 'pipeline', 'node_modules'),
    );
    expect(requireFrom(path.join(copy, 'pipeline'), 'only-here')).toBe('nested');
  });

  it('copies no installed package into the copy', () => {
    expect(requireFrom(path.join(repo, 'pipeline'), '@sep/infra')).toBe('working tree');
    expect(
      execFileSync('find', [copy, '-path', '*/node_modules/*', '-type', 'f'], { encoding: 'utf8' }).trim(),
    ).toBe('');
  });
});

describe('snapshotSource at a revision', () => {
  let checkout: string;
  let revision: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], {
      cwd: checkout,
      encoding: 'utf8',
    }).trim();

  beforeAll(() => {
    // The repository above, made a checkout with one commit, then edited without committing.
    checkout = path.join(dir, 'checkout');
    execFileSync('cp', ['-a', repo, checkout]);
    write(path.join(checkout, '.gitignore'), 'node_modules\n');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'the pushed commit');
    revision = git('rev-parse', 'HEAD').slice(0, 12);
    write(path.join(checkout, 'infra', 'index.js'), "exports.source = 'uncommitted edit';");
    write(path.join(checkout, 'infra', 'untracked.js'), 'exports.source = 1;');
    write(path.join(checkout, 'later', 'package.json'), '{"name":"later"}');
    mkdirSync(path.join(checkout, 'later', 'node_modules'));
  });

  it("hands over the commit's tree: not the uncommitted edit, not the untracked file", async () => {
    const into = path.join(dir, 'at-revision');
    await snapshotSource({ repoRoot: checkout, into, revision });
    expect(readFileSync(path.join(into, 'infra', 'index.js'), 'utf8')).toBe(
      "exports.source = 'working tree';",
    );
    expect(requireFrom(path.join(into, 'pipeline'), '@sep/infra')).toBe('working tree');
    expect(existsSync(path.join(into, 'infra', 'untracked.js'))).toBe(false);
    // A workspace folder the commit does not have gets no node_modules link.
    expect(existsSync(path.join(into, 'later'))).toBe(false);
    expect(requireFrom(path.join(into, 'pipeline'), 'aws-cdk-lib')).toBe('installed');
  });

  it('refuses a revision that is not a commit id, before running git', async () => {
    await expect(
      snapshotSource({ repoRoot: checkout, into: path.join(dir, 'refused'), revision: '--output=/tmp/x' }),
    ).rejects.toThrow('the source revision must be a commit id (7–40 hex digits), not "--output=/tmp/x"');
  });

  it('writes nothing for a run stopped before it started', async () => {
    const into = path.join(dir, 'stopped-before');
    const stopped = AbortSignal.abort(new Error('execution stopped'));
    await expect(snapshotSource({ repoRoot: checkout, into, revision, signal: stopped })).rejects.toThrow(
      'execution stopped',
    );
    expect(existsSync(into)).toBe(false);
  });

  it('stops when its run is stopped meanwhile: git and tar are killed, no link is made', async () => {
    const into = path.join(dir, 'stopped-meanwhile');
    const stopping = new AbortController();
    const snapshot = snapshotSource({ repoRoot: checkout, into, revision, signal: stopping.signal });
    // After the folder is made, while git and tar start.
    setImmediate(() => stopping.abort(new Error('portal closing')));
    await expect(snapshot).rejects.toThrow('portal closing');
    expect(existsSync(path.join(into, 'pipeline', 'node_modules'))).toBe(false);
  });

  it("names the revision and git's error when the commit does not exist", async () => {
    await expect(
      snapshotSource({ repoRoot: checkout, into: path.join(dir, 'missing'), revision: 'deadbeefdead' }),
    ).rejects.toThrow(/could not unpack revision deadbeefdead of .*checkout: .*deadbeefdead/);
  });
});
