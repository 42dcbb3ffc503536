import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { buildPipelineApp } from './app';
import { ENVIRONMENTS_FILE_VERSION } from './environments-file';
import { createSmallAccountSecurityStage, createSmallEnvironmentStage } from './test-support/small-stages';

const CONTEXT = {
  connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/abc-123',
  repo: 'bank/portal',
  branch: 'main',
  pipelineAccount: '111111111111',
  pipelineRegion: 'us-east-1',
};

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'sep-app-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function build(context: Record<string, unknown>, environments?: unknown[]) {
  const warnings: string[] = [];
  let environmentsFile: string | undefined;
  if (environments !== undefined) {
    environmentsFile = join(directory, `env-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      environmentsFile,
      JSON.stringify({
        version: ENVIRONMENTS_FILE_VERSION,
        exportedAt: 'x',
        source: 'test',
        environments,
        invalid: [],
      }),
    );
  }
  const stack = buildPipelineApp({
    app: new App({ context }),
    ...(environmentsFile === undefined ? {} : { environmentsFile }),
    createEnvironmentStage: createSmallEnvironmentStage,
    accountSecurityStage: () => createSmallAccountSecurityStage,
    warn: (line) => warnings.push(line),
  });
  return { stack, warnings };
}

it('builds the pipeline from context and the environments file, reporting skipped entries by suffix', () => {
  const good = {
    environmentSuffix: 'pr-7',
    spec: { environmentSuffix: 'pr-7', kind: 'ephemeral', owner: 'a', project: 'p', costCenter: 'c' },
    status: 'ready',
    requestedBy: 'alice',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    version: 1,
  };
  const bad = {
    ...good,
    environmentSuffix: 'pr-8',
    spec: { ...good.spec, environmentSuffix: 'pr-8', kind: 'nope' },
  };
  const { stack, warnings } = build(CONTEXT, [good, bad]);
  expect(stack.ephemeralWaves).toEqual([['pr-7']]);
  expect(stack.account).toBe('111111111111');
  expect(warnings).toEqual([
    expect.stringMatching(/^pipeline: skipping registry entry "pr-8": invalid registry entry: spec\.kind/),
  ]);
});

it('synthesizes with no environments file (fresh bootstrap) and says so', () => {
  const { stack, warnings } = build(CONTEXT);
  expect(stack.ephemeralWaves).toEqual([]);
  // A fresh pipeline must synthesize cleanly (CDK validates every policy at synth).
  expect(() => (stack.node.root as App).synth()).not.toThrow();
  expect(warnings).toEqual([
    'pipeline: no ENVIRONMENTS_FILE: synthesizing the pipeline without environment stages',
  ]);
});

it('names every invalid context key', () => {
  expect(() => build({ ...CONTEXT, connectionArn: 'nope', pipelineAccount: '12' })).toThrow(
    /connectionArn: connectionArn must be a CodeStar\/CodeConnections connection ARN; pipelineAccount: pipelineAccount must be a 12-digit account ID/,
  );
});

describe('cdk-nag on the pipeline stack itself (context nag, default true)', () => {
  const packsOn = (stack: import('./pipeline-stack').PipelineStack) =>
    Aspects.of(stack)
      .all.map((aspect) => aspect.constructor)
      .filter((type) => [AwsSolutionsChecks, PCIDSS321Checks, NIST80053R5Checks].includes(type as never));

  it('applies AwsSolutions, PCI DSS 3.2.1 and NIST 800-53 R5 to PipelineStack, which synthesizes with no error', () => {
    const { stack } = build(CONTEXT);
    expect(packsOn(stack)).toHaveLength(3);
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  it('reports an unsuppressed finding as an error annotation, which fails `cdk synth` as it does in a stage', () => {
    const { stack } = build(CONTEXT);
    new s3.Bucket(stack, 'Unreviewed');
    Annotations.fromStack(stack).hasError(
      '/PipelineStack/Unreviewed/Resource',
      Match.stringLikeRegexp('AwsSolutions-S1'),
    );
  });

  it('applies no pack with nag=false', () => {
    const { stack } = build({ ...CONTEXT, nag: 'false' });
    expect(packsOn(stack)).toEqual([]);
  });
});
