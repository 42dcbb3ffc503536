import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { cdkSynth, credentialFreeEnv } from '@sep/infra/testing';
import {
  EXECUTION_TEMPLATES_PREFIX,
  environmentStackName,
  executionTemplateKey,
  nagReportKey,
} from '@sep/registry/names';
import { localRegistryStore } from '@sep/registry/testing';
import { parseEnvironmentSpec } from '@sep/spec';
import { readPipelineAssemblies, readPipelineAssembly, synthCommands } from '../definition';
import {
  LOCAL_CREDENTIALS,
  type LocalAwsEndpoints,
  type LocalS3,
  startLocalAwsEndpoints,
  startLocalS3,
} from '../local-aws';
import { runSynthStep, SynthStepError, type SynthStepResult, snapshotSource } from '.';

// A rehearsal of the delivery path as CodeBuild runs it. The synth step's commands are read from the
// synthesized PipelineStack's buildspec (never copied into this test) and run in a fresh copy of the
// repository: the install phase (`npm ci`) included, no AWS credentials in the environment (the SDK gets
// them from a container-credentials endpoint, as in CodeBuild), the registry export pointed at the embedded
// DynamoDB-compatible store holding what the portal writes, the report upload at a local S3 server. Then
// the smoke script the step bundled runs against a server that answers like an environment API.

const REPO_ROOT = path.resolve(__dirname, '../../..');
const REPORTS_BUCKET = 'sep-rehearsal-compliance-reports';
/** The accounts and regions bootstrapped with trust for the pipeline (committed in pipeline/cdk.json). */
const DEPLOYMENT_TARGETS = {
  deploymentTargets: '111111111111/us-east-1,111111111111/eu-west-1,222222222222/us-east-1',
};
jest.setTimeout(900_000);

const { freshRegistry } = localRegistryStore({ tablePrefix: 'rehearsal' });
const work = mkdtempSync(path.join(tmpdir(), 'sep-rehearsal-'));
let s3: LocalS3;
let endpoints: LocalAwsEndpoints;
let definition: ReturnType<typeof readPipelineAssembly>;
let step: SynthStepResult;
let sourceDir: string;
let registryEnv: { endpoint: string; tableName: string };

function spec(input: Record<string, unknown>) {
  const parsed = parseEnvironmentSpec({
    owner: 'alice@example.com',
    project: 'payments',
    costCenter: 'CC-1',
    ...input,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

/** The execution the rehearsed step runs in (`#{codepipeline.PipelineExecutionId}`). */
const EXECUTION_ID = '5d0c2a7e-6b1f-4c39-8e2a-91f3b7c4d0e8';

/** Copies the repository (the Source artifact), with `cdkContext` committed into pipeline/cdk.json, and runs the step. */
async function rehearse(options: {
  readonly install: boolean;
  readonly cdkContext?: Record<string, string>;
}) {
  const source = mkdtempSync(path.join(work, 'source-'));
  await snapshotSource({ repoRoot: REPO_ROOT, into: source, linkNodeModules: !options.install });
  if (options.cdkContext !== undefined) {
    const file = path.join(source, 'pipeline', 'cdk.json');
    const cdkJson = JSON.parse(readFileSync(file, 'utf8')) as { context: Record<string, unknown> };
    writeFileSync(
      file,
      JSON.stringify({ ...cdkJson, context: { ...cdkJson.context, ...options.cdkContext } }),
    );
  }
  return runSynthStep({
    definition,
    sourceDir: source,
    install: options.install,
    executionId: EXECUTION_ID,
    resolvedVariables: {
      REGISTRY_TABLE_NAME: registryEnv.tableName,
      COMPLIANCE_REPORTS_BUCKET: REPORTS_BUCKET,
    },
    awsEnvironment: {
      ...endpoints.environment(),
      AWS_ENDPOINT_URL_DYNAMODB: registryEnv.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    },
    logFile: path.join(source, 'codebuild.log'),
  }).then((result) => ({ result, source }));
}

beforeAll(async () => {
  // The deployed pipeline: what `cdk deploy` of the pipeline app puts in the account before any run.
  const deployed = await cdkSynth({ cwd: path.join(REPO_ROOT, 'pipeline'), env: credentialFreeEnv() });
  if (deployed.exitCode !== 0) throw new Error(deployed.output.slice(-3000));
  // The environments pipeline: the one every registry write starts (the release pipeline runs the same step).
  definition = readPipelineAssembly(deployed.outdir, { pipelineName: 'sep-delivery' });

  const { registry, tableName, endpoint } = await freshRegistry();
  registryEnv = { endpoint, tableName };
  for (const input of [
    { environmentSuffix: 'pr-1', kind: 'ephemeral' },
    {
      environmentSuffix: 'pr-2',
      kind: 'ephemeral',
      region: 'eu-west-1',
      features: { documentPipeline: false },
    },
    {
      environmentSuffix: 'staging',
      kind: 'staging',
      account: '222222222222',
      alertEmails: ['ops@example.com'],
    },
    { environmentSuffix: 'prod', kind: 'prod', account: '222222222222', alertEmails: ['ops@example.com'] },
  ]) {
    await registry.register({ spec: spec(input), requestedBy: 'alice' });
  }
  s3 = await startLocalS3({ dataDir: path.join(work, 's3'), buckets: [REPORTS_BUCKET] });
  endpoints = await startLocalAwsEndpoints({
    apis: {
      api: (id) =>
        id === 'rehearsal1'
          ? {
              apiId: 'rehearsal1',
              stageName: 'v1',
              region: 'us-east-1',
              methods: [
                {
                  path: '/documents',
                  httpMethod: 'POST',
                  apiKeyRequired: true,
                  authorizationType: 'AWS_IAM',
                },
              ],
              apiKeyIds: ['key0000001'],
            }
          : undefined,
      apiKey: (id) => (id === 'key0000001' ? { id, value: 'k'.repeat(40), enabled: true } : undefined),
    },
  });
  const run = await rehearse({ install: true, cdkContext: DEPLOYMENT_TARGETS });
  step = run.result;
  sourceDir = run.source;
});

afterAll(async () => {
  await endpoints?.close();
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the synth step, rehearsed from the synthesized buildspec', () => {
  it('runs every command of the buildspec, install phase first, and each succeeds', () => {
    const synth = synthCommands(definition);
    expect(step.commands.map((c) => c.command)).toEqual([...synth.install, ...synth.build]);
    expect(step.commands.every((c) => c.exitCode === 0)).toBe(true);
    expect(step.notRun).toEqual([]);
  });

  it('synthesizes a stage for each registry entry of every kind and account', () => {
    const deployed = readPipelineAssemblies(step.assemblyDir)
      .flatMap((pipeline) => pipeline.stages.flatMap((stage) => stage.actions))
      .filter((a) => a.kind === 'deploy' && a.environmentSuffix);
    expect(deployed.map((a) => a.environmentSuffix).sort()).toEqual(['pr-1', 'pr-2', 'prod', 'staging']);
    expect(deployed.find((a) => a.environmentSuffix === 'staging')?.stack?.account).toBe('222222222222');
    expect(deployed.find((a) => a.environmentSuffix === 'pr-2')?.stack?.region).toBe('eu-west-1');
  });

  it("publishes every stage's cdk-nag report to the compliance-reports bucket", async () => {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    for (const suffix of ['pr-1', 'pr-2', 'staging', 'prod']) {
      const object = await client.send(
        new GetObjectCommand({ Bucket: REPORTS_BUCKET, Key: nagReportKey(suffix) }),
      );
      const report = JSON.parse((await object.Body?.transformToString()) ?? '{}') as {
        totals?: { errors?: number };
      };
      expect(report.totals?.errors).toBe(0);
    }
    // Staging's and prod's templates, also under the execution that synthesized them (the preview's new side).
    const byExecution = await client.send(
      new ListObjectsV2Command({ Bucket: REPORTS_BUCKET, Prefix: EXECUTION_TEMPLATES_PREFIX }),
    );
    expect((byExecution.Contents ?? []).map((object) => object.Key).sort()).toEqual([
      executionTemplateKey(EXECUTION_ID, environmentStackName('prod')),
      executionTemplateKey(EXECUTION_ID, environmentStackName('staging')),
    ]);
    client.destroy();
  });

  it('got its credentials the way CodeBuild gives them, never from the environment', () => {
    expect(endpoints.requests.some((request) => request.service === 'credentials')).toBe(true);
  });

  it('bundles the smoke script into the assembly, and the script passes against an API that answers like the stage', async () => {
    const script = path.join(step.assemblyDir, 'smoke', 'smoke.js');
    expect(existsSync(script)).toBe(true);
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number; output: string }>((resolve) => {
        execFile(
          process.execPath,
          [script],
          {
            cwd: step.assemblyDir,
            env: {
              PATH: process.env.PATH ?? '',
              AWS_REGION: 'us-east-1',
              // The smoke action's own variable: the account whose smoke-test role the script assumes.
              TARGET_ACCOUNT: '222222222222',
              ...endpoints.environment(),
              ...env,
            },
          },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: `${stdout}${stderr}` }),
        );
      });
    const passed = await run({
      API_URL: endpoints.apiUrl({ apiId: 'rehearsal1', stageName: 'v1' }),
      API_KEY_ID: 'key0000001',
    });
    expect(passed.output).toContain('smoke: passed (202 with key, 403 without)');
    expect(passed.code).toBe(0);
    const wrongKey = await run({
      API_URL: endpoints.apiUrl({ apiId: 'rehearsal1', stageName: 'v1' }),
      API_KEY_ID: 'key-missing',
    });
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.output).toMatch(/smoke: FAILED/);
  });

  it('stops with one clear line, naming the cause, for a registry the pipeline cannot take', async () => {
    const failure = await rehearse({
      install: false,
      cdkContext: { ...DEPLOYMENT_TARGETS, maxEnvironments: '3' },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SynthStepError);
    const error = failure as SynthStepError;
    expect(error.command).toMatch(/cdk synth/);
    expect(error.tail).toContain(
      'pipeline: the registry holds 4 deployable environments and this pipeline deploys at most 3 (context maxEnvironments)',
    );
    expect(error.tail).not.toMatch(/^\s+at /m);
  });

  it('leaves the repository it copied untouched', () => {
    expect(sourceDir.startsWith(work)).toBe(true);
    expect(existsSync(path.join(REPO_ROOT, 'pipeline', 'environments.json'))).toBe(false);
  });
});
