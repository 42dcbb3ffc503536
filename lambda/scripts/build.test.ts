import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildHandlers } from './build';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sep-build-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function handler(name: string, source: string): void {
  mkdirSync(join(root, 'handlers', name), { recursive: true });
  writeFileSync(join(root, 'handlers', name, 'index.ts'), source);
}

describe('buildHandlers', () => {
  it('bundles every handler folder with an index.ts into CJS exporting handler', async () => {
    handler('alpha', 'export const handler = async () => "alpha";');
    handler('beta', 'import { join } from "node:path"; export const handler = async () => join("b", "eta");');
    mkdirSync(join(root, 'handlers', 'not-a-handler'));
    const built = await buildHandlers({
      handlersDirectory: join(root, 'handlers'),
      distDirectory: join(root, 'dist'),
    });
    expect(built.map((b) => b.name)).toEqual(['alpha', 'beta']);
    const module = { exports: {} as { handler?: () => Promise<string> } };
    runInNewContext(readFileSync(join(root, 'dist', 'alpha', 'index.js'), 'utf8'), {
      module,
      exports: module.exports,
      require,
    });
    await expect(module.exports.handler?.()).resolves.toBe('alpha');
  });

  it('fails loudly, naming the handler, on an esbuild error', async () => {
    handler('good', 'export const handler = async () => 1;');
    handler('broken', 'import { nothing } from "./missing"; export const handler = nothing;');
    await expect(
      buildHandlers({ handlersDirectory: join(root, 'handlers'), distDirectory: join(root, 'dist') }),
    ).rejects.toThrow(/\[broken\].*missing/s);
  });
});
