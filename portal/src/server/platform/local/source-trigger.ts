import { execFile } from 'node:child_process';
import { SynthStepError } from '@sep/pipeline/rehearsal';
import { z } from 'zod';
import { readJsonFile, replaceJsonFile } from './json-file';

/**
 * The commit checked out in `repoRoot` (`git rev-parse HEAD`), or undefined when it is not a git
 * checkout (or git is missing): the revision the local Source action hands over.
 */
export function headRevision(repoRoot: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, timeout: 5000 }, (error, stdout) =>
      resolve(error === null && /^[0-9a-f]{40,64}$/.test(stdout.trim()) ? stdout.trim() : undefined),
    );
  });
}

/**
 * The paths of `repoRoot`'s working tree that differ from its checked-out commit: modified, staged,
 * deleted or untracked (`git status --porcelain`; ignored files are not listed). Empty when the tree is
 * clean or `repoRoot` is not a git checkout.
 */
export function uncommittedPaths(repoRoot: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['status', '--porcelain=v1', '-z', '--untracked-files=all'],
      { cwd: repoRoot, timeout: 5000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error !== null) return resolve([]);
        // NUL-separated `XY path` entries; a rename is followed by its old path as an entry of its own.
        const entries = stdout.split('\0').filter((entry) => entry.length > 0);
        const paths: string[] = [];
        for (let index = 0; index < entries.length; index++) {
          const entry = entries[index] as string;
          paths.push(entry.slice(3));
          if (entry[0] === 'R' || entry[0] === 'C') index++;
        }
        resolve(paths);
      },
    );
  });
}

/** Paths a note names before it says how many more there are. */
const NAMED_PATHS = 5;

/**
 * Why a Build can fail in local mode alone: each Build unpacks the commit its execution recorded, while
 * the deployed pipeline (its buildspec) may come from the working tree it was bootstrapped from. Said
 * beside a failed synth step when the working tree differs from that commit.
 */
export function uncommittedSourceNote(revision: string, paths: readonly string[]): string {
  const named = paths.slice(0, NAMED_PATHS).join(', ');
  const more = paths.length > NAMED_PATHS ? ` and ${paths.length - NAMED_PATHS} more` : '';
  return `The Build ran on commit ${revision}, as CodePipeline builds the pushed commit; the working tree differs from it (${named}${more}), and none of that was built: commit the changes to build them.`;
}

/**
 * A failed synth step of commit `revision`, with `uncommittedSourceNote` added when the working tree of
 * `repoRoot` differs from that commit (the pipeline definition local mode plays may come from the working
 * tree, its bootstrap's; the Build's source never does). Any other error is returned as it is.
 */
export async function withUncommittedNote(
  error: unknown,
  options: { readonly revision: string; readonly repoRoot: string },
): Promise<unknown> {
  if (!(error instanceof SynthStepError)) return error;
  const paths = await uncommittedPaths(options.repoRoot);
  if (paths.length === 0) return error;
  return new Error(`${error.message}\n${uncommittedSourceNote(options.revision, paths)}`, { cause: error });
}

/** `source.json`: the last revision the trigger started the pipelines for. */
const seenSchema = z.object({ revision: z.string().min(1) });

export interface SourceTriggerOptions {
  /** Reads the revision now checked out (`headRevision` of the repository). */
  readonly revision: () => Promise<string | undefined>;
  /** Where the last revision acted on is kept, so a commit made while the portal was down still starts a run. */
  readonly stateFile: string;
  /** Starts the pipelines for a new revision; the revision is recorded only once this resolves. */
  readonly onNewRevision: (revision: string) => Promise<void>;
}

/**
 * The local counterpart of the pipelines' source connection (CodeConnections starts both pipelines on a
 * push to the branch): each `check` compares the checked-out commit with the last one acted on and, when
 * it moved, starts the pipelines once. The first revision ever seen is recorded without a run: the
 * pipeline's first deployment and the registry's writes have built from it already.
 *
 * At least once: the revision is recorded after the runs started, so a crash in between starts them
 * again on the next check (a second run of the same commit changes nothing).
 */
export class SourceTrigger {
  private checking: Promise<string | undefined> | undefined;

  constructor(private readonly options: SourceTriggerOptions) {}

  /** One comparison; overlapping calls share it. Resolves to the revision it started runs for, if any. */
  check(): Promise<string | undefined> {
    this.checking ??= this.compare().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async compare(): Promise<string | undefined> {
    const revision = await this.options.revision();
    if (revision === undefined) return undefined;
    const seen = await readJsonFile(this.options.stateFile, seenSchema, 'the last source revision');
    if ('value' in seen && seen.value.revision === revision) return undefined;
    // A missing or unreadable record is a first sight: recorded, no run (the runs before built this source).
    if ('value' in seen) await this.options.onNewRevision(revision);
    await replaceJsonFile(this.options.stateFile, { revision });
    return 'value' in seen ? revision : undefined;
  }
}
