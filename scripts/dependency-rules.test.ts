import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

// The package rules (.dependency-cruiser.cjs) run the way `npm run depcheck` runs them: the depcruise
// CLI, here over a throw-away tree of workspace folders that breaks (or keeps) one rule each.
const REPO = join(__dirname, '..');
const DEPCRUISE = join(REPO, 'node_modules', '.bin', 'depcruise');
const WORKSPACES = ['spec', 'registry', 'infra', 'lambda', 'pipeline', 'client', 'cli', 'portal', 'e2e'];

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

async function violations(files: Record<string, string>): Promise<Violation[]> {
  const root = mkdtempSync(join(tmpdir(), 'sep-depcheck-'));
  try {
    writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": { "moduleResolution": "Bundler" } }\n');
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const run = promisify(execFile);
    const args = [
      ...WORKSPACES.filter((name) => Object.keys(files).some((path) => path.startsWith(`${name}/`))),
    ];
    const output = await run(
      DEPCRUISE,
      [...args, '--config', join(REPO, '.dependency-cruiser.cjs'), '--output-type', 'json'],
      { cwd: root },
    ).then(
      (result) => result.stdout,
      // depcruise exits non-zero when it finds violations; its JSON report is still on stdout.
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    return (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const ruleNames = (found: Violation[]) => [...new Set(found.map((violation) => violation.rule.name))].sort();

describe('the package rules (npm run depcheck)', () => {
  it('accept the allowed table: pipeline → infra → lambda bundles → registry → spec, portal → pipeline tools', async () => {
    const found = await violations({
      'spec/src/index.ts': 'export const spec = 1;\n',
      'registry/src/index.ts':
        "import { spec } from '../../spec/src/index';\nexport const registry = spec;\n",
      'lambda/bundles.ts':
        "import { registry } from '../registry/src/index';\nexport const bundles = registry;\n",
      'infra/src/index.ts':
        "import { bundles } from '../../lambda/bundles';\nexport const infra = bundles;\n",
      'pipeline/src/app.ts': "import { infra } from '../../infra/src/index';\nexport const app = infra;\n",
      'pipeline/src/definition/index.ts':
        "import { registry } from '../../../registry/src/index';\nexport const d = registry;\n",
      'portal/src/page.ts':
        "import { d } from '../../pipeline/src/definition/index';\nexport const page = d;\n",
      'e2e/tests/flow.ts': "import { app } from '../../pipeline/src/app';\nexport const flow = app;\n",
    });
    expect(found).toEqual([]);
  });

  it('reject an internal import from the spec', async () => {
    const found = await violations({
      'spec/src/index.ts':
        "import { registry } from '../../registry/src/index';\nexport const spec = registry;\n",
      'registry/src/index.ts': 'export const registry = 1;\n',
    });
    expect(ruleNames(found)).toEqual(['spec-allowed-workspaces']);
  });

  it('reject aws-cdk-lib and constructs in the spec and the registry', async () => {
    const found = await violations({
      'spec/src/index.ts': "import { Construct } from 'constructs';\nexport const spec = Construct;\n",
      'registry/src/index.ts': "import { Stack } from 'aws-cdk-lib';\nexport const registry = Stack;\n",
    });
    expect(ruleNames(found)).toEqual(['contracts-without-cdk']);
    expect(found.map((violation) => violation.from).sort()).toEqual([
      'registry/src/index.ts',
      'spec/src/index.ts',
    ]);
  });

  it("reject infra importing a handler's code rather than the bundles", async () => {
    const found = await violations({
      'lambda/src/handlers/sweeper/index.ts': 'export const handler = 1;\n',
      'infra/src/index.ts':
        "import { handler } from '../../lambda/src/handlers/sweeper/index';\nexport const x = handler;\n",
    });
    expect(ruleNames(found)).toEqual(['infra-uses-lambda-bundles-only']);
  });

  it("reject the portal importing the pipeline's CDK app", async () => {
    const found = await violations({
      'pipeline/src/pipeline-stack.ts': 'export const stack = 1;\n',
      'portal/src/page.ts':
        "import { stack } from '../../pipeline/src/pipeline-stack';\nexport const page = stack;\n",
    });
    expect(ruleNames(found)).toEqual(['portal-uses-pipeline-tools-only']);
  });

  it('reject a cycle between two workspaces', async () => {
    const found = await violations({
      'lambda/src/handler.ts':
        "import { registry } from '../../registry/src/index';\nexport const handler = registry;\n",
      'registry/src/index.ts':
        "import { handler } from '../../lambda/src/handler';\nexport const registry = handler;\n",
    });
    expect(ruleNames(found)).toEqual(['no-workspace-cycles', 'registry-allowed-workspaces']);
  });
});
