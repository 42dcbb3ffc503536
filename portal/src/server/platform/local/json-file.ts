import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';

/** A data file read back: its content when it has the expected shape, else why not. */
export type JsonFileRead<T> = { readonly value: T } | { readonly reason: string };

/**
 * Reads `file` and checks it against `schema`. The file's own object is returned, not zod's copy: callers
 * compare what they read by its JSON, and zod's output orders keys by the schema. The reason never quotes
 * the file (a data file may hold approval tokens).
 */
export async function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  /** What the file holds, for the reason: "does not hold <holds>". */
  holds: string,
): Promise<JsonFileRead<z.output<S>>> {
  if (!existsSync(file)) return { reason: `${path.basename(file)} is missing` };
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    // The parser's message quotes the text: say only what is wrong.
    if (error instanceof SyntaxError) return { reason: `${path.basename(file)} is not valid JSON` };
    throw error;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: json as z.output<S> };
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return { reason: `${path.basename(file)} does not hold ${holds} (${issues.join('; ')})` };
}

/** Replaces `file` whole (temp file + rename), so a crash leaves the old content or the new, never half. */
export async function replaceJsonFile(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(value));
  await rename(`${file}.tmp`, file);
}

/** Renames an unusable file beside itself with a timestamp (kept as evidence, never deleted). */
export async function setAside(file: string, clock: () => Date): Promise<string> {
  const aside = `${file}.corrupt-${clock().toISOString().replace(/[:.]/g, '-')}`;
  await rename(file, aside);
  return aside;
}
