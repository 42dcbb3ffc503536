import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestInfo } from '@playwright/test';
import { expect, test } from '../src/fixtures';
import { uniqueSuffix } from '../src/portal-api';
import { REPO_ROOT } from '../src/portal-process';

/**
 * The `sep` CLI and the CI example script against the suite's real local-mode portal, run as CI runs
 * them: child processes with only SEP_* in their environment, exit codes and output read back.
 */
const SEP_BIN = path.join(REPO_ROOT, 'cli', 'bin', 'sep.js');
const CI_SCRIPT = path.join(REPO_ROOT, 'cli', 'ci', 'pr-environment.sh');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd = REPO_ROOT,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const sep = (args: readonly string[], env: Record<string, string>) =>
  run(process.execPath, [SEP_BIN, ...args], env);

async function attach(testInfo: TestInfo, name: string, result: Run): Promise<void> {
  await testInfo.attach(name, {
    body: `exit ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`,
    contentType: 'text/plain',
  });
}

async function tokenFor(baseURL: string, user: string): Promise<string> {
  const result = await sep(['token', '--user', user], { SEP_URL: baseURL });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

test('the CI script creates a pull request environment, tests against its outputs, and destroys it', async ({
  baseURL,
}, testInfo) => {
  const url = baseURL ?? '';
  const suffix = uniqueSuffix('pr');
  const workDir = mkdtempSync(path.join(tmpdir(), 'sep-ci-'));
  const env = {
    SEP_URL: url,
    SEP_TOKEN: await tokenFor(url, 'alice'),
    SEP_PROJECT: 'cli-e2e',
    SEP_COST_CENTER: 'CC-E2E',
    SEP: `${process.execPath} ${SEP_BIN}`,
    SEP_OUTPUTS_FILE: 'outputs.env',
    GITHUB_ENV: path.join(workDir, 'github-env'),
  };
  writeFileSync(env.GITHUB_ENV, '');

  const up = await run(
    CI_SCRIPT,
    ['up', suffix, 'bash', '-c', 'test -n "$API_URL" && echo "tested against $API_URL"'],
    env,
    workDir,
  );
  await attach(testInfo, 'pr-environment.sh up', up);
  expect(up.code, up.stderr).toBe(0);
  expect(up.stderr).toContain(`requested ${suffix}`);
  // Not a TTY: plain progress lines, one per step, ending ready.
  expect(up.stderr).toMatch(/^deploying \d+% \d+\/\d+ resources$/m);
  expect(up.stdout).toMatch(/tested against https?:\/\/\S+/);
  expect(up.stdout).toContain(`${suffix}  ready`);

  const outputs = await sep(['env', 'outputs', suffix, '--json'], env);
  const flat: Record<string, string> = JSON.parse(outputs.stdout);
  expect(Object.keys(flat).length).toBeGreaterThan(0);
  const exported = await run('cat', [env.GITHUB_ENV], {});
  expect(exported.stdout).toContain(`API_URL=${flat.ApiUrl}`);

  const down = await run(CI_SCRIPT, ['down', suffix], env, workDir);
  await attach(testInfo, 'pr-environment.sh down', down);
  expect(down.code, down.stderr).toBe(0);
  expect(down.stdout).toContain(`${suffix} destroyed`);
  const after = await sep(['env', 'get', suffix, '--json'], env);
  expect(after.code === 0 ? JSON.parse(after.stdout).status : 'gone').toMatch(/destroyed|gone/);
});

test('a failed deployment exits 4 naming the failing resource and its reason', async ({
  baseURL,
}, testInfo) => {
  const url = baseURL ?? '';
  const suffix = uniqueSuffix('cli-doomed');
  const env = { SEP_URL: url, SEP_TOKEN: await tokenFor(url, 'bob') };
  // The local platform's failure injection: a `fail=<ResourceType>` marker in the project tag.
  const created = await sep(
    [
      'env',
      'create',
      '--suffix',
      suffix,
      '--project',
      'cli fail=AWS::WAFv2::WebACL',
      '--cost-center',
      'CC-E2E',
      '--wait',
      '--timeout',
      '10',
    ],
    env,
  );
  await attach(testInfo, 'sep env create --wait (failing)', created);
  expect(created.code, created.stderr).toBe(4);
  const last = created.stderr.trim().split('\n').at(-1) ?? '';
  expect(last).toMatch(new RegExp(`^sep: ${suffix} failed: \\S+ \\(AWS::WAFv2::WebACL\\): .{10,}`));
  expect(created.stderr).toContain('CREATE_FAILED');
  expect(created.stderr).not.toMatch(/\n\s+at /);
});

test('an engineer approving a promotion is refused: exit 3, the portal’s words, nothing decided', async ({
  baseURL,
  api,
}) => {
  const url = baseURL ?? '';
  const env = { SEP_URL: url, SEP_TOKEN: await tokenFor(url, 'alice') };
  const result = await sep(['promote', 'approve', '--execution', 'any-execution', '--comment', 'lgtm'], env);
  expect(result.code).toBe(3);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^sep: refused: /);
  const audit = await (await api('dave')).audit();
  expect(audit.filter((entry) => entry.action === 'promotion.approved' && entry.actor === 'alice')).toEqual(
    [],
  );

  const whoami = await sep(['whoami'], env);
  expect(whoami).toMatchObject({ code: 0 });
  expect(whoami.stdout).toContain('alice');
});

test("the served OpenAPI document passes Redocly's recommended rules", async ({ baseURL }) => {
  const response = await fetch(`${baseURL}/api/openapi.json`);
  expect(response.status).toBe(200);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sep-openapi-')), 'openapi.json');
  writeFileSync(file, await response.text());
  const redocly = path.join(path.dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  const lint = await run(process.execPath, [redocly, 'lint', file, '--format=json'], {
    REDOCLY_TELEMETRY: 'off',
    REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  });
  const report: { problems: { ruleId: string; message: string }[] } = JSON.parse(lint.stdout);
  expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
  expect(lint.code).toBe(0);
});
