import { execFile } from 'node:child_process';
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
