import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EnvironmentSpec } from '@sep/infra/spec';
import type { CfnTemplate } from './template';

export interface SynthOptions {
  readonly repoRoot: string;
  readonly spec: EnvironmentSpec;
  /** Emptied, then filled with the stage's cloud assembly and `nag-report.json`. */
  readonly outDir: string;
  /** @default 300_000 */
  readonly timeoutMs?: number;
}

export class SynthError extends Error {
  override readonly name = 'SynthError';
}

/** The contract script that synthesizes ONE stage (infra-core owns it). */
export function synthScript(repoRoot: string): string {
  return path.join(repoRoot, 'infra', 'bin', 'synth-stage.ts');
}

/** Only one synth at a time: each takes ~0.5 GB and a core for several seconds on a 2-core machine. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Really synthesizes the requested stage (real template, real cdk-nag run) in
 * a child process: `npx tsx infra/bin/synth-stage.ts --spec <file> --out <dir>`.
 */
export function synthesizeStage(options: SynthOptions): Promise<void> {
  const run = queue.then(() => runSynth(options));
  queue = run.catch(() => undefined);
  return run;
}

async function runSynth(options: SynthOptions): Promise<void> {
  const script = synthScript(options.repoRoot);
  if (!existsSync(script)) throw new SynthError(`synth script missing: ${script}`);
  await rm(options.outDir, { recursive: true, force: true });
  await mkdir(options.outDir, { recursive: true });
  const specFile = path.join(options.outDir, '..', 'spec.json');
  await writeFile(specFile, `${JSON.stringify(options.spec, null, 2)}\n`);
  await new Promise<void>((resolve, reject) => {
    execFile(
      'npx',
      ['--no-install', 'tsx', script, '--spec', specFile, '--out', options.outDir],
      {
        cwd: options.repoRoot,
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', NODE_ENV: 'production' },
      },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        const tail = String(stderr).trim().split('\n').slice(-12).join('\n');
        reject(new SynthError(`synth failed (exit ${error.code ?? error.signal}): ${tail || error.message}`));
      },
    );
  });
}

export interface StageArtifacts {
  readonly template: CfnTemplate;
  readonly stackName: string;
  /** Parsed `nag-report.json`, when the synth wrote one. */
  readonly nagReport?: unknown;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? walk(full) : Promise.resolve([full]);
    }),
  );
  return files.flat();
}

/**
 * Finds the environment stack's template in a synthesized stage: through the
 * cloud assembly manifests (stack artifacts name their template file and stack
 * name), falling back to the largest `*.template.json`.
 */
export async function readStageArtifacts(options: {
  outDir: string;
  stackName: string;
}): Promise<StageArtifacts> {
  const files = await walk(options.outDir);
  let templateFile: string | undefined;
  for (const manifest of files.filter((file) => path.basename(file) === 'manifest.json')) {
    const parsed = JSON.parse(await readFile(manifest, 'utf8')) as {
      artifacts?: Record<
        string,
        { type?: string; properties?: { templateFile?: string; stackName?: string } }
      >;
    };
    for (const [id, artifact] of Object.entries(parsed.artifacts ?? {})) {
      if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
      const name = artifact.properties.stackName ?? id;
      if (name === options.stackName || templateFile === undefined) {
        templateFile = path.join(path.dirname(manifest), artifact.properties.templateFile);
      }
    }
  }
  if (templateFile === undefined || !existsSync(templateFile)) {
    const templates = files.filter((file) => file.endsWith('.template.json'));
    const sized = await Promise.all(
      templates.map(async (file) => ({ file, size: (await readFile(file)).length })),
    );
    templateFile = sized.sort((a, b) => b.size - a.size)[0]?.file;
  }
  if (templateFile === undefined) throw new SynthError(`no CloudFormation template in ${options.outDir}`);
  const template = JSON.parse(await readFile(templateFile, 'utf8')) as CfnTemplate;
  const nagFile = files.find((file) => path.basename(file) === 'nag-report.json');
  const nagReport =
    nagFile === undefined ? undefined : (JSON.parse(await readFile(nagFile, 'utf8')) as unknown);
  return { template, stackName: options.stackName, ...(nagReport === undefined ? {} : { nagReport }) };
}
