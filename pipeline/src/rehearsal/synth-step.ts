import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type PipelineDefinition, synthCommands } from '../definition';
import { ProcessGroupLock } from './process-group-lock';

/** What one command of the synth step did. */
export interface CommandRun {
  readonly command: string;
  readonly durationMs: number;
  readonly exitCode: number;
}

export interface SynthStepResult {
  /** The cloud assembly the step produced (its buildspec's `artifacts.base-directory`). */
  readonly assemblyDir: string;
  readonly commands: readonly CommandRun[];
  readonly durationMs: number;
  /** `pipeline: skipping registry entry "<suffix>": <reason>` lines of the synth, by suffix. */
  readonly skipped: readonly { readonly environmentSuffix: string; readonly reason: string }[];
  /** The install commands local mode did not run (it reuses the portal's node_modules). */
  readonly notRun: readonly string[];
}

export class SynthStepError extends Error {
  override readonly name = 'SynthStepError';
  constructor(
    /** The command that failed, as the buildspec writes it. */
    readonly command: string,
    readonly exitCode: number,
    /** The last lines it printed. */
    readonly tail: string,
    readonly commands: readonly CommandRun[],
  ) {
    super(`synth step failed: \`${command}\` exited ${exitCode}${tail ? `:\n${tail}` : ''}`);
  }
}

export interface RunSynthStepOptions {
  /** The pipeline whose synth action's buildspec runs (the deployed pipeline, as in AWS). */
  readonly definition: PipelineDefinition;
  /** The source snapshot: commands run here, as CodeBuild runs them in the source artifact. */
  readonly sourceDir: string;
  /**
   * Values of the CodeBuild project's environment variables that are CloudFormation references in the
   * template (the registry table's and the reports bucket's names), by variable name.
   */
  readonly resolvedVariables: Readonly<Record<string, string>>;
  /** The pipeline execution the step runs in: `#{codepipeline.PipelineExecutionId}` in the action's variables. */
  readonly executionId: string;
  /** Where the AWS SDK of the commands reaches AWS (the local endpoints) and how it gets credentials. */
  readonly awsEnvironment: Readonly<Record<string, string>>;
  /** Every line the commands print. */
  readonly logFile: string;
  /** @default 600_000 */
  readonly timeoutMs?: number;
  /** Aborts the step (the child's process group is killed). */
  readonly signal?: AbortSignal;
  /**
   * A lock file for the step's process group: a group a crashed parent left running under this lock is
   * killed before the step starts, and the lock names the new group until it ends. At most one synth per
   * lock, across restarts. @default none
   */
  readonly lockFile?: string;
  /**
   * Run the install phase too (`npm ci`), as CodeBuild does in a fresh container. Local mode does not:
   * its source copy links the running portal's node_modules.
   * @default false
   */
  readonly install?: boolean;
}

const MARKER = '::sep-command::';
/** The one CodePipeline variable local mode resolves in the synth action's variables. */
const EXECUTION_ID_VARIABLE = '#{codepipeline.PipelineExecutionId}';

/** The `#{namespace.Variable}` references in `value` other than the execution ID. */
function unresolvedPipelineVariables(value: string): string[] {
  return (value.match(/#\{[^}]+\}/g) ?? []).filter((reference) => reference !== EXECUTION_ID_VARIABLE);
}
const LOCK_FILE = /^synth-.+\.pid$/;

/**
 * Ends every synth step a crashed parent left running under a `synth-<name>.pid` lock in `dir` (at the
 * parent's start, before anything synthesizes). Returns the process groups it killed.
 */
export function reapSynthSteps(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => LOCK_FILE.test(name))
    .map((name) => new ProcessGroupLock(path.join(dir, name), MARKER).reap())
    .filter((pid): pid is number => pid !== undefined);
}
const TAIL_LINES = 12;
const SKIPPED = /pipeline: skipping registry entry "([^"]+)": (.*)$/;

/**
 * Runs the synth step's build commands as read from the synthesized pipeline's buildspec, in one shell
 * (buildspec 0.2 runs a phase's commands in one shell instance, stopping at the first failure), with
 * the project's environment variables and the AWS SDK pointed at local endpoints. The install phase
 * (`npm ci`) is not run: the snapshot links the portal's node_modules instead.
 */
export function runSynthStep(options: RunSynthStepOptions): Promise<SynthStepResult> {
  if (options.signal?.aborted === true) {
    // Its abort listener would never fire: a step started now would run on until its timeout.
    return Promise.reject(new SynthStepError('(the synth step)', 128, 'stopped before it started', []));
  }
  const synth = synthCommands(options.definition);
  const variables: Record<string, string> = {};
  for (const variable of synth.variables) {
    const resolved =
      typeof variable.value === 'string' ? variable.value : options.resolvedVariables[variable.name];
    if (resolved === undefined) {
      return Promise.reject(
        new SynthStepError(
          `(environment variable ${variable.name})`,
          2,
          `the synth project's variable ${variable.name} is ${JSON.stringify(variable.value)}, which local mode cannot resolve`,
          [],
        ),
      );
    }
    variables[variable.name] = resolved;
  }
  // The action's own variables come after the project's, as in CodeBuild (they override them).
  for (const variable of synth.action.build?.environmentVariables ?? []) {
    const unresolved = unresolvedPipelineVariables(variable.value);
    if (unresolved.length > 0) {
      return Promise.reject(
        new SynthStepError(
          `(environment variable ${variable.name})`,
          2,
          `the synth action's variable ${variable.name} is ${JSON.stringify(variable.value)}: local mode cannot resolve ${unresolved.join(', ')}`,
          [],
        ),
      );
    }
    variables[variable.name] = variable.value.replaceAll(EXECUTION_ID_VARIABLE, options.executionId);
  }
  const toRun = [...(options.install === true ? synth.install : []), ...synth.build];
  const script = [
    'set -e',
    ...toRun.flatMap((command, index) => [`echo "${MARKER}${index}"`, command]),
    `echo "${MARKER}done"`,
  ].join('\n');
  const started = Date.now();
  const log = createWriteStream(options.logFile, { flags: 'a' });
  // The log is a copy of the output (the result keeps the last lines): a log that cannot be
  // written must not crash the process with an unhandled 'error', nor change the step's outcome.
  log.on('error', () => undefined);
  // What a CodeBuild container has: no NODE_ENV (npm ci would skip devDependencies), no AWS keys.
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? options.sourceDir,
    CI: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_REGION: options.definition.region,
    AWS_DEFAULT_REGION: options.definition.region,
    ...options.awsEnvironment,
    ...variables,
  };
  const lock = options.lockFile === undefined ? undefined : new ProcessGroupLock(options.lockFile, MARKER);
  lock?.reap();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd: options.sourceDir,
      // Its own process group: a timeout or abort kills every command it started.
      detached: true,
      env: environment as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) lock?.hold(child.pid);
    const lines: string[] = [];
    const commands: CommandRun[] = [];
    const skipped: { environmentSuffix: string; reason: string }[] = [];
    let current = -1;
    let commandStarted = started;
    const onLine = (line: string) => {
      if (line.startsWith(MARKER)) {
        const now = Date.now();
        if (current >= 0)
          commands.push({
            command: toRun[current] ?? '',
            durationMs: now - commandStarted,
            exitCode: 0,
          });
        const next = line.slice(MARKER.length);
        current = next === 'done' ? -1 : Number(next);
        commandStarted = now;
        lines.length = 0;
        return;
      }
      log.write(`${line}\n`);
      lines.push(line);
      if (lines.length > 200) lines.shift();
      const match = SKIPPED.exec(line);
      if (match?.[1] !== undefined) skipped.push({ environmentSuffix: match[1], reason: match[2] ?? '' });
    };
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        onLine(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const kill = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const timer = setTimeout(kill, options.timeoutMs ?? 600_000);
    options.signal?.addEventListener('abort', kill, { once: true });
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (code === 0) {
        resolve({
          assemblyDir: path.join(options.sourceDir, synth.baseDirectory),
          commands,
          durationMs: Date.now() - started,
          skipped,
          notRun: options.install === true ? [] : synth.install,
        });
        return;
      }
      const command = toRun[current] ?? '(the synth step)';
      const exitCode = code ?? 128;
      commands.push({ command, durationMs: Date.now() - commandStarted, exitCode });
      const why =
        signal === null ? '' : ` (killed: ${signal === 'SIGKILL' ? 'timed out or stopped' : signal})`;
      reject(new SynthStepError(command, exitCode, `${lines.slice(-TAIL_LINES).join('\n')}${why}`, commands));
    };
    child.on('error', (error) => {
      clearTimeout(timer);
      log.end(() => reject(new SynthStepError('bash', 127, error.message, commands)));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) lock?.release(child.pid);
      if (buffer !== '') onLine(buffer);
      // Settles once the log is written and closed: whoever awaits the step may then read or delete it.
      log.end(() => settle(code, signal));
    });
  });
}
