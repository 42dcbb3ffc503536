import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type ActionKind, EXECUTION_MODES } from '@sep/pipeline/definition';
import { z } from 'zod';
import { readJsonFile, replaceJsonFile, setAside } from './json-file';
import type { PipelineState } from './pipeline-run';

// Loose objects throughout: the file is checked for the shape the player relies on, and a field this
// schema does not name yet is kept, not silently dropped on the next save.
const ACTION_KINDS = [
  'source',
  'synth',
  'self-mutate',
  'assets',
  'deploy',
  'approval',
  'smoke',
  'other',
] as const satisfies readonly ActionKind[];
const EXECUTION_STATUSES = [
  'InProgress',
  'Succeeded',
  'Failed',
  'Superseded',
  'Cancelled',
  'Stopped',
] as const;
const STAGE_STATUSES = ['NotStarted', 'InProgress', 'Succeeded', 'Failed', 'Cancelled', 'Stopped'] as const;
const ACTION_STATUSES = ['NotStarted', 'InProgress', 'Succeeded', 'Failed', 'Abandoned'] as const;

const actionRunSchema = z.looseObject({
  name: z.string(),
  kind: z.enum(ACTION_KINDS),
  runOrder: z.number(),
  environmentSuffix: z.string().optional(),
  status: z.enum(ACTION_STATUSES),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  endsAt: z.string().optional(),
  outcome: z.enum(['Succeeded', 'Failed']).optional(),
  summary: z.string().optional(),
  errorMessage: z.string().optional(),
  stack: z
    .looseObject({
      account: z.string(),
      region: z.string(),
      stackName: z.string(),
      templatePath: z.string(),
      noChange: z.boolean().optional(),
    })
    .optional(),
  approval: z
    .looseObject({
      token: z.string(),
      decision: z.enum(['Approved', 'Rejected']).optional(),
      decidedBy: z.string().optional(),
      decidedAt: z.string().optional(),
      comment: z.string().optional(),
    })
    .optional(),
});

const buildRecordSchema = z.looseObject({
  runDir: z.string(),
  assemblyDir: z.string(),
  cacheKey: z.string(),
  exported: z.array(
    z.looseObject({ environmentSuffix: z.string(), version: z.number(), updatedAt: z.string() }),
  ),
  skipped: z.array(z.looseObject({ environmentSuffix: z.string(), reason: z.string() })),
  reusedFrom: z.string().optional(),
  durationMs: z.number(),
  commands: z.array(z.looseObject({ command: z.string(), durationMs: z.number() })).optional(),
});

const executionRunSchema = z.looseObject({
  executionId: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  statusSummary: z.string().optional(),
  trigger: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  pipelineVersion: z.number(),
  sourceRevision: z.string().optional(),
  requestedBy: z.string().optional(),
  requesters: z.array(z.string()).optional(),
  stages: z.array(
    z.looseObject({
      name: z.string(),
      status: z.enum(STAGE_STATUSES),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
      actions: z.array(actionRunSchema),
    }),
  ),
  build: buildRecordSchema.optional(),
});

/** The deployed definition as `readPipelineAssembly` produced it (its buildspecs are not re-checked here). */
const definitionSchema = z.looseObject({
  pipelineName: z.string(),
  pipelineType: z.string(),
  executionMode: z.enum(EXECUTION_MODES),
  restartExecutionOnUpdate: z.boolean(),
  account: z.string(),
  region: z.string(),
  stages: z.array(
    z.looseObject({
      name: z.string(),
      actions: z.array(
        z.looseObject({
          name: z.string(),
          stageName: z.string(),
          runOrder: z.number(),
          category: z.string(),
          provider: z.string(),
          kind: z.enum(ACTION_KINDS),
          environmentSuffix: z.string().optional(),
        }),
      ),
    }),
  ),
});

export const pipelineStateSchema = z.looseObject({
  pipelineVersion: z.number().int().positive(),
  definition: definitionSchema,
  executions: z.array(executionRunSchema),
});

/** What reading the state file found wrong, and what the player runs from instead. */
export interface StateRecovery {
  /** The state file that could not be used. */
  readonly file: string;
  /** Why, without the file's content (it holds approval tokens). */
  readonly reason: string;
  /** The unusable files, renamed beside it (kept as evidence, never deleted). */
  readonly setAside: readonly string[];
  /** What the player runs from now. */
  readonly recoveredFrom:
    | 'last-good copy'
    | 'fresh deployment'
    | 'nothing (not deployed yet)'
    | "the stack's first assembly"
    | 'nothing (provision times start afresh)';
}

type Parsed = { readonly state: PipelineState } | { readonly reason: string };

/** Run folders (source snapshot and cloud assembly) kept besides those an execution in flight uses. */
const KEPT_RUNS = 3;

/**
 * The player's state on disk: `state.json` and its last-good copy `state.json.prev`, both replaced
 * whole (temp file + rename) on every save. A file that does not parse or does not have the state's
 * shape is renamed aside with a timestamp, and the last-good copy is used instead. Beside them,
 * `runs/<execution>/`: each Build's source snapshot and cloud assembly.
 */
export class PipelineStateFile {
  readonly file: string;
  private readonly lastGood: string;
  private readonly runsDir: string;

  constructor(
    dir: string,
    private readonly clock: () => Date,
  ) {
    this.file = path.join(dir, 'state.json');
    this.lastGood = `${this.file}.prev`;
    this.runsDir = path.join(dir, 'runs');
  }

  /** A folder for an execution's Build (its id names it, so a running job's folder is never pruned). */
  runDir(executionId: string): string {
    return path.join(this.runsDir, executionId);
  }

  /**
   * Removes run folders no execution in flight needs, keeping the newest few and any whose work
   * `isRunning` says is still going.
   */
  async pruneRunFolders(state: PipelineState, isRunning: (runId: string) => boolean): Promise<void> {
    if (!existsSync(this.runsDir)) return;
    const needed = new Set(
      state.executions
        .map((execution) => execution.build?.runDir)
        .filter((dir): dir is string => dir !== undefined)
        .slice(-KEPT_RUNS),
    );
    for (const execution of state.executions) {
      if (execution.status === 'InProgress' && execution.build !== undefined)
        needed.add(execution.build.runDir);
    }
    for (const entry of await readdir(this.runsDir)) {
      const dir = path.join(this.runsDir, entry);
      if (!needed.has(dir) && !isRunning(entry)) await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * The state as saved. On a corrupt file: the last-good copy, else a fresh deployment from `fresh()`
   * (undefined when nothing is known to deploy), with what was done in `recovery`.
   */
  async read(
    fresh: () => PipelineState | undefined,
  ): Promise<{ readonly state?: PipelineState; readonly recovery?: StateRecovery }> {
    if (!existsSync(this.file) && !existsSync(this.lastGood)) return {};
    const current = existsSync(this.file) ? await this.parse(this.file) : { reason: 'the file is missing' };
    if ('state' in current) return { state: current.state };
    const setAside = existsSync(this.file) ? [await this.setAside(this.file)] : [];
    const previous = existsSync(this.lastGood)
      ? await this.parse(this.lastGood)
      : { reason: 'no last-good copy' };
    if ('state' in previous) {
      return {
        state: previous.state,
        recovery: { file: this.file, reason: current.reason, setAside, recoveredFrom: 'last-good copy' },
      };
    }
    if (existsSync(this.lastGood)) setAside.push(await this.setAside(this.lastGood));
    const state = fresh();
    return {
      ...(state === undefined ? {} : { state }),
      recovery: {
        file: this.file,
        reason: `${current.reason}; last-good copy: ${previous.reason}`,
        setAside,
        recoveredFrom: state === undefined ? 'nothing (not deployed yet)' : 'fresh deployment',
      },
    };
  }

  /** Replaces the state file, then its last-good copy, each whole. */
  async write(state: PipelineState): Promise<void> {
    for (const target of [this.file, this.lastGood]) await replaceJsonFile(target, state);
  }

  private async parse(file: string): Promise<Parsed> {
    const read = await readJsonFile(file, pipelineStateSchema, 'a pipeline state');
    return 'value' in read ? { state: read.value satisfies PipelineState } : read;
  }

  private setAside(file: string): Promise<string> {
    return setAside(file, this.clock);
  }
}
