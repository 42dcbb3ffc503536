import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build, type Message } from 'esbuild';

/**
 * Bundles every handler folder under src/handlers/* that has an index.ts into
 * dist/<name>/index.js (ARCHITECTURE.md "Contracts between the parts"): CJS for `index.handler`, Node 22
 * syntax, the AWS SDK v3 bundled in (the runtime's copy drifts), minified, no Docker.
 * New handler folders are picked up without editing this file. Any esbuild error fails
 * the build with a non-zero exit, naming the handler and the file/line.
 */

export interface BuildHandlersOptions {
  /** Folder whose subfolders with an index.ts are handlers. */
  readonly handlersDirectory: string;
  /** Output root: each handler goes to `<distDirectory>/<name>/index.js`. */
  readonly distDirectory: string;
}

export interface BuiltHandler {
  readonly name: string;
  readonly bytes: number;
}

export function handlerFolders(handlersDirectory: string): string[] {
  return readdirSync(handlersDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(handlersDirectory, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

function describe(messages: readonly Message[]): string {
  return messages
    .map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column} ` : ''}${m.text}`)
    .join('\n');
}

/** How a handler is bundled; the bench's cold-start child is bundled the same way. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'silent',
  // Readable names in stack traces.
  keepNames: true,
} as const satisfies BuildOptions;

async function bundle(options: BuildHandlersOptions, name: string): Promise<BuiltHandler> {
  const outdir = join(options.distDirectory, name);
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: [join(options.handlersDirectory, name, 'index.ts')],
    outfile: join(outdir, 'index.js'),
    metafile: true,
  });
  if (result.warnings.length > 0) console.warn(`[${name}] esbuild warnings:\n${describe(result.warnings)}`);
  return { name, bytes: Object.values(result.metafile.outputs)[0]?.bytes ?? 0 };
}

/** Builds every handler; rejects with every failing handler's esbuild errors after trying all. */
export async function buildHandlers(options: BuildHandlersOptions): Promise<BuiltHandler[]> {
  const names = handlerFolders(options.handlersDirectory);
  if (names.length === 0)
    throw new Error(`no handler folders with index.ts under ${options.handlersDirectory}`);
  const built: BuiltHandler[] = [];
  const failures: string[] = [];
  for (const name of names) {
    try {
      built.push(await bundle(options, name));
    } catch (error) {
      const errors = (error as { errors?: Message[] }).errors;
      failures.push(`[${name}] ${errors ? describe(errors) : String(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new Error(`esbuild failed for ${failures.length} handler(s):\n${failures.join('\n')}`);
  }
  return built;
}

if (require.main === module) {
  const root = join(__dirname, '..');
  buildHandlers({ handlersDirectory: join(root, 'src', 'handlers'), distDirectory: join(root, 'dist') })
    .then((built) => {
      for (const b of built)
        console.log(`built dist/${b.name}/index.js (${(b.bytes / 1024).toFixed(0)} KiB)`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
