import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, realpath, stat, symlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * What the Source action hands the Build action in AWS is the repository at a revision, without what
 * builds and installs produce. These names are never part of the source (node_modules is linked back
 * instead of copied: the synth step's `npm ci` is the one command local mode does not run).
 */
const NOT_SOURCE = new Set([
  'node_modules',
  '.git',
  '.next',
  '.turbo',
  '.data',
  'dist',
  'coverage',
  'test-results',
  'playwright-report',
  'blob-report',
  'bench-results',
]);

function isSource(name: string): boolean {
  return !NOT_SOURCE.has(name) && !name.startsWith('cdk.out') && !name.endsWith('.tsbuildinfo');
}

/**
 * Writes the repository's source into `into` (the local Source artifact) and links each `node_modules`
 * of the repository into it, so the synth step's commands run there exactly as written — writing
 * `pipeline/environments.json` and `pipeline/cdk.out` into this copy, never into the portal's own tree.
 * With a `revision`, the source is that commit's tree, as the source connection hands CodePipeline the
 * pushed commit: uncommitted edits and untracked files are not part of it. Without one (the repository
 * is not a git checkout), the working tree is copied.
 */
export async function snapshotSource(options: {
  readonly repoRoot: string;
  readonly into: string;
  /**
   * The commit whose tree is the source (`git archive`), e.g. the execution's source revision.
   * @default the working tree, copied
   */
  readonly revision?: string;
  /**
   * Link each `node_modules` of the repository into the copy. Off when the install phase runs (`npm ci`
   * writes its own, as in a fresh CodeBuild container).
   * @default true
   */
  readonly linkNodeModules?: boolean;
  /**
   * Stops the snapshot (its run was stopped, or the portal closes): `git archive` and `tar` are killed and
   * nothing more is written; the promise rejects with the signal's reason. @default none
   */
  readonly signal?: AbortSignal;
}): Promise<void> {
  const { repoRoot, into, signal } = options;
  signal?.throwIfAborted();
  if (options.revision === undefined) {
    await cp(repoRoot, into, {
      recursive: true,
      preserveTimestamps: true,
      filter: (source) => isSource(path.basename(source)) || source === repoRoot,
    });
  } else {
    await mkdir(into, { recursive: true });
    await extractRevision({ repoRoot, revision: options.revision, into, signal });
  }
  if (options.linkNodeModules === false) return;
  for (const dir of ['.', ...(await workspaceDirs(repoRoot))]) {
    signal?.throwIfAborted();
    const modules = path.join(repoRoot, dir, 'node_modules');
    // A workspace of the working tree that the revision does not have gets no links.
    if (!existsSync(modules) || !existsSync(path.join(into, dir))) continue;
    const workspaceLinks = await workspaceLinksIn(modules, repoRoot);
    await linkModules({ into, workspaceLinks, from: modules, to: path.join(into, dir, 'node_modules') });
  }
}

/** A commit id as `git rev-parse` prints it, or a prefix of one: never an option or a ref expression. */
const COMMIT_ID = /^[0-9a-f]{7,40}$/;

/**
 * The tree of commit `revision` of `repoRoot`, unpacked into `into`: `git archive` piped into `tar`, two
 * processes without a shell, so that an abort kills both.
 */
function extractRevision(options: {
  readonly repoRoot: string;
  readonly revision: string;
  readonly into: string;
  readonly signal: AbortSignal | undefined;
}): Promise<void> {
  const { repoRoot, revision, into, signal } = options;
  if (!COMMIT_ID.test(revision)) {
    return Promise.reject(
      new Error(`the source revision must be a commit id (7–40 hex digits), not ${JSON.stringify(revision)}`),
    );
  }
  const git = spawn('git', ['archive', '--format=tar', revision], {
    cwd: repoRoot,
    signal,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tar = spawn('tar', ['-x', '-f', '-', '-C', into], { signal, stdio: ['pipe', 'ignore', 'pipe'] });
  // tar ending first (killed, or failing) closes the pipe under git: its exit says why, not the EPIPE.
  tar.stdin?.on('error', () => undefined);
  git.stdout?.pipe(tar.stdin as NodeJS.WritableStream);
  return Promise.all([finished(git), finished(tar)]).then(([archived, extracted]) => {
    signal?.throwIfAborted();
    const failed = [archived, extracted].find((outcome) => !outcome.ok);
    if (failed !== undefined) {
      throw new Error(`could not unpack revision ${revision} of ${repoRoot}: ${failed.reason}`);
    }
  });
}

/** How a child process ended: ok, or why not (its standard error, else its exit code or start error). */
function finished(child: ChildProcess): Promise<{ readonly ok: boolean; readonly reason: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ ok: false, reason: stderr.trim() || error.message }));
    child.once('close', (code, killedBy) =>
      resolve({
        ok: code === 0,
        reason: stderr.trim() || (killedBy === null ? `exit code ${code}` : `killed by ${killedBy}`),
      }),
    );
  });
}

/**
 * Makes `to` a folder of links to the installed packages in `from`, except the workspaces' own packages
 * (npm links them to their folders: `node_modules/@sep/infra` → `infra`), which link to the copy's
 * folders. Linking `node_modules` whole would resolve `@sep/infra` to the repository's working tree, so
 * the synth would build the copy's pipeline with the working tree's infrastructure code, not the source
 * this run was handed.
 */
async function linkModules(options: {
  readonly into: string;
  /** The workspace links under this `node_modules` (`workspaceLinksIn`). */
  readonly workspaceLinks: ReadonlyMap<string, string>;
  readonly from: string;
  readonly to: string;
}): Promise<void> {
  const { into, workspaceLinks, from, to } = options;
  const holdsWorkspaceLink = (dir: string) =>
    [...workspaceLinks.keys()].some((link) => link.startsWith(`${dir}${path.sep}`));
  if (!holdsWorkspaceLink(from)) {
    await symlink(from, to, 'dir');
    return;
  }
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    const workspace = workspaceLinks.get(source);
    if (workspace !== undefined) await symlink(path.join(into, workspace), target, 'dir');
    // A scope (`@sep`) holding workspace links: a folder of links too.
    else if (entry.isDirectory() && holdsWorkspaceLink(source))
      await linkModules({ into, workspaceLinks, from: source, to: target });
    else await symlink(source, target, entry.isDirectory() ? 'dir' : 'file');
  }
}

/** The links in `modules` (and its scopes) to a workspace folder: link path → the workspace's path in the repository. */
async function workspaceLinksIn(modules: string, repoRoot: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  const root = await realpath(repoRoot);
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const link = path.join(dir, entry.name);
      if (depth === 0 && entry.isDirectory() && entry.name.startsWith('@')) await visit(link, 1);
      if (!entry.isSymbolicLink()) continue;
      const target = path.relative(root, await realpath(link).catch(() => link));
      if (
        target !== '' &&
        !target.startsWith('..') &&
        !path.isAbsolute(target) &&
        !target.split(path.sep).includes('node_modules')
      )
        links.set(link, target);
    }
  };
  await visit(modules, 0);
  return links;
}

async function workspaceDirs(repoRoot: string): Promise<string[]> {
  const entries = await readdir(repoRoot, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && isSource(entry.name) && !entry.name.startsWith('.'))
    .filter((entry) => existsSync(path.join(repoRoot, entry.name, 'package.json')))
    .map((entry) => entry.name);
}

/** Changes whenever a source file's size or modification time does: same fingerprint, same synth. */
export async function sourceFingerprint(directory: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of entries) {
      if (!isSource(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const info = await stat(full);
        hash.update(`${path.relative(directory, full)}\0${info.size}\0${info.mtimeMs}\n`);
      }
    }
  };
  await walk(directory);
  return hash.digest('hex');
}
