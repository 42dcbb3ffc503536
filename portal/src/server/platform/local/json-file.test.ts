import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, replaceJsonFile, setAside } from './json-file';

// The portal's local data files (pipeline state, the stack's pipelines, provision times) are read back
// through one function that says what is wrong without quoting the file, which may hold approval tokens.

const dir = mkdtempSync(path.join(tmpdir(), 'sep-json-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const schema = z.object({ name: z.string() });
const at = (name: string) => path.join(dir, name);

it('hands back a file of the expected shape as written (key order kept)', async () => {
  writeFileSync(at('good.json'), '{"extra":1,"name":"sep"}');
  const read = await readJsonFile(at('good.json'), schema, 'a name');
  expect(read).toEqual({ value: { extra: 1, name: 'sep' } });
  expect(Object.keys('value' in read ? read.value : {})).toEqual(['extra', 'name']);
});

it('says a file is missing, is not JSON, or does not hold what it should, without quoting it', async () => {
  expect(await readJsonFile(at('absent.json'), schema, 'a name')).toEqual({
    reason: 'absent.json is missing',
  });
  writeFileSync(at('torn.json'), '{"name":"secret-token');
  expect(await readJsonFile(at('torn.json'), schema, 'a name')).toEqual({
    reason: 'torn.json is not valid JSON',
  });
  writeFileSync(at('shape.json'), '{"name":["secret-token"]}');
  const read = await readJsonFile(at('shape.json'), schema, 'a name');
  expect(read).toEqual({ reason: expect.stringMatching(/^shape\.json does not hold a name \(name: /) });
  expect(JSON.stringify(read)).not.toContain('secret-token');
});

it('replaces a file whole and sets an unusable one aside, never deleting it', async () => {
  await replaceJsonFile(at('nested/value.json'), { name: 'a' });
  expect(JSON.parse(readFileSync(at('nested/value.json'), 'utf8'))).toEqual({ name: 'a' });
  expect(readdirSync(at('nested'))).toEqual(['value.json']);
  const aside = await setAside(at('nested/value.json'), () => new Date('2026-12-05T10:00:00.000Z'));
  expect(path.basename(aside)).toBe('value.json.corrupt-2026-12-05T10-00-00-000Z');
  expect(existsSync(at('nested/value.json'))).toBe(false);
  expect(readFileSync(aside, 'utf8')).toBe('{"name":"a"}');
});
