import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import { ValidationError, zodFieldErrors } from '../src/shared/errors';

/*
 * Which node runs the bench's cold child (first-scan.ts): the Lambda runs Node 24 (infra's
 * FUNCTION_RUNTIME), and a development machine may have only another, so
 * `SEP_BENCH_NODE=/path/to/node` picks the binary.
 */

const INVALID = 'invalid bench environment variables';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** SEP_BENCH_NODE unset: the node running the bench. */
const benchEnvironmentSchema = z.object({
  SEP_BENCH_NODE: z
    .string()
    .min(1, { message: 'is empty: unset it to run the cold child with this node', abort: true })
    .refine(isExecutableFile, 'must be the path of an executable file (a node binary)')
    .optional(),
});

/** The node binary the cold child runs with: its path and what `--version` prints. */
export interface ColdNode {
  readonly path: string;
  readonly version: string;
}

/** The node SEP_BENCH_NODE in `env` names, checked to run and print a version; this one when unset. */
export function coldNode(env: Readonly<Record<string, string | undefined>>): ColdNode {
  const parsed = benchEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new ValidationError(INVALID, zodFieldErrors(parsed.error.issues));
  const path = parsed.data.SEP_BENCH_NODE;
  if (path === undefined) return { path: process.execPath, version: process.version };
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' });
  const printed = version.stdout?.trim() ?? '';
  if (version.error || version.status !== 0 || !/^v\d+\./.test(printed))
    throw new ValidationError(INVALID, [
      {
        path: 'SEP_BENCH_NODE',
        message: `${path} --version did not print a node version: ${version.error?.message ?? (version.stderr || printed).split('\n')[0] ?? ''}`,
      },
    ]);
  return { path, version: printed };
}
