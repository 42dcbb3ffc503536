import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CONTRACT_SERVER_URL, openApiDocument } from './openapi';

const run = promisify(execFile);
const redocly = path.join(path.dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');

interface LintProblem {
  readonly ruleId: string;
  readonly severity: 'error' | 'warn';
  readonly message: string;
}

/** Runs Redocly CLI (recommended rules) on a document file, as CI would; resolves to its problems. */
async function lint(documentPath: string): Promise<readonly LintProblem[]> {
  const { stdout } = await run(process.execPath, [redocly, 'lint', documentPath, '--format=json'], {
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report: { problems: LintProblem[] } = JSON.parse(stdout);
  return report.problems;
}

describe('the OpenAPI document', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sep-openapi-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("passes Redocly's recommended rules with no errors and no warnings", async () => {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument('https://portal.example.test')));
    const problems = await lint(file);
    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message}`)).toEqual(
      [],
    );
  }, 60_000);

  it('fails the linter when an operation loses its operationId (the check can fail)', async () => {
    const document = openApiDocument('https://portal.example.test');
    delete document.paths?.['/api/environments']?.get?.operationId;
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(document));
    expect((await lint(file)).map((problem) => problem.ruleId)).toContain('operation-operationId');
  }, 60_000);

  it('is the document @sep/client generates its types from (run `npm run openapi -w @sep/portal`)', () => {
    const committed = JSON.parse(readFileSync(require.resolve('@sep/client/openapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument(CONTRACT_SERVER_URL))));
  });

  it('describes every response body with a named schema, and every error with its codes', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON, field by field
    const document: any = JSON.parse(JSON.stringify(openApiDocument(CONTRACT_SERVER_URL)));
    const schemas = document.components.schemas;
    for (const name of ['EnvironmentDetail', 'EnvironmentList', 'PipelineView', 'AuditPage', 'Session']) {
      expect(Object.keys(schemas[name]?.properties ?? {}).length).toBeGreaterThan(1);
    }
    const create = document.paths?.['/api/environments']?.post;
    expect(create?.operationId).toBe('createEnvironment');
    expect(create?.responses?.['409']?.description).toContain('`suffix_taken`');
    expect(document.components?.securitySchemes).toHaveProperty('bearer');
    expect(document.components?.securitySchemes).toHaveProperty('session');
  });

  it('publishes unicode patterns as their source, without the regex flags', () => {
    const document = JSON.parse(JSON.stringify(openApiDocument(CONTRACT_SERVER_URL)));
    const project = document.components.schemas.EnvironmentSpec.properties.project;
    expect(project).toHaveProperty('pattern', '^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$');
  });
});
