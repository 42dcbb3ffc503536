import { SepApiError } from '@sep/client';

/** The CLI's exit codes (documented in the README; CI scripts branch on them). */
export const EXIT = {
  ok: 0,
  /** The portal could not be reached, or another error. */
  failed: 1,
  /** Bad input: unknown flag, malformed suffix, missing token… (no request was sent). */
  badInput: 2,
  /** The portal refused the action (401/403). */
  refused: 3,
  /** The deployment (or destroy) failed. */
  deploymentFailed: 4,
  /** `--wait` ran out of time. */
  timedOut: 5,
} as const;

/** An error the CLI reports as one line and an exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** One line (plus one per field error) for a failed API call, and its exit code. */
export function describeError(error: unknown): { lines: string[]; exitCode: number } {
  if (error instanceof CliError) return { lines: [error.message], exitCode: error.exitCode };
  if (error instanceof SepApiError) {
    const fields = error.fields.map((field) => `  ${field.path}: ${field.message}`);
    if (error.code === 'network') return { lines: [error.message], exitCode: EXIT.failed };
    const refused = error.status === 401 || error.status === 403;
    const prefix = refused ? 'refused' : `${error.status} ${error.code}`;
    return {
      lines: [`${prefix}: ${error.message}`, ...fields],
      exitCode: refused ? EXIT.refused : error.status === 400 ? EXIT.badInput : EXIT.failed,
    };
  }
  return { lines: [error instanceof Error ? error.message : String(error)], exitCode: EXIT.failed };
}
