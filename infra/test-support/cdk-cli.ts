// Test support (`@sep/infra/testing`): runs the CDK CLI the way CodeBuild's synth step does — a child process in the app's
// folder, with no AWS credentials, no ~/.aws, no context file — and reads what it wrote.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliSynthResult {
  readonly exitCode: number;
  readonly output: string;
  readonly outdir: string;
  /** `manifest.json` of the cloud assembly (undefined when the synth wrote none). */
  readonly manifest?: { readonly missing?: unknown[]; readonly artifacts?: Record<string, unknown> };
}

/**
 * The process environment of a credential-free synth: PATH only, a throwaway HOME (no shared config or
 * credentials file), telemetry off, plus what the caller adds. Nothing from the parent's AWS_* leaks in.
 */
export function credentialFreeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: mkdtempSync(join(tmpdir(), 'sep-home-')),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    NEXT_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}

/** `npx cdk synth -q -o <outdir> [args]` in `cwd`; resolves with the exit code, never rejects on failure. */
export function cdkSynth(options: {
  readonly cwd: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}): Promise<CliSynthResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'sep-cdk-out-'));
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--no-install', 'cdk', 'synth', '-q', '-o', outdir, ...(options.args ?? [])],
      {
        cwd: options.cwd,
        env: options.env ?? credentialFreeEnv(),
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const manifestFile = join(outdir, 'manifest.json');
        resolve({
          exitCode: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          output: `${stdout}${stderr}`,
          outdir,
          ...(existsSync(manifestFile) ? { manifest: JSON.parse(readFileSync(manifestFile, 'utf8')) } : {}),
        });
      },
    );
  });
}
