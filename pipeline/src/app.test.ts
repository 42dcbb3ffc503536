import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SepPolicyChecks } from '@sep/infra';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { buildPipelineApp } from './app';
import { ENVIRONMENTS_FILE_VERSION } from './environments-file';
import { HOSTING } from './test-support/portal-hosting';
import { createSmallAccountSecurityStage, createSmallEnvironmentStage } from './test-support/small-stages';

/** Every portal hosting key, as an operator passes them (`-c portalDomainName=…`). */
const PORTAL_CONTEXT = {
  portalDomainName: HOSTING.domainName,
  portalCertificateArn: HOSTING.certificateArn,
  portalOidcIssuer: HOSTING.oidcIssuer,
  portalOidcClientId: HOSTING.oidcClientId,
  portalSessionSecretArn: HOSTING.sessionSecretArn,
  portalOidcClientSecretArn: HOSTING.oidcClientSecretArn,
  portalApiTokensSecretArn: HOSTING.apiTokensSecretArn,
  portalSecretsKeyArn: HOSTING.secretsKeyArn,
};

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

/** The `cdk synth` command line of the environments pipeline's synth step, as its buildspec runs it. */
function synthCommandOf(template: Template): string {
  const synth = Object.values(template.findResources('AWS::CodeBuild::Project')).find((project) =>
    JSON.stringify(project).includes('export-registry.ts'),
  ) as { Properties: { Source: { BuildSpec: string } } };
  const commands: string[] = JSON.parse(synth.Properties.Source.BuildSpec).phases.build.commands;
  const command = commands.find((line) => line.includes('cdk synth'));
  if (command === undefined) throw new Error('no cdk synth command in the synth step');
  return command;
}

/** `-c key='value'` flags as the build's shell reads them (single quotes, `'\''` for a quote). */
function contextFlags(command: string): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const [, key, quoted] of command.matchAll(/-c (\w+)=((?:'[^']*'|\\')+)/g)) {
    flags[key as string] = (quoted as string).replace(
      /'([^']*)'|\\'/g,
      (_all, inner?: string) => inner ?? "'",
    );
  }
  return flags;
}

describe('self-mutation', () => {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')).context as Record<
    string,
    unknown
  >;
  const registry = [
    {
      environmentSuffix: 'pr-7',
      spec: { environmentSuffix: 'pr-7', kind: 'ephemeral', owner: 'a', project: 'p', costCenter: 'c' },
      status: 'ready',
      requestedBy: 'alice',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
      version: 1,
    },
  ];

  it('rebuilds the same pipeline stack from the context its synth step passes back to cdk synth', () => {
    // What an operator deploys the first time: cdk.json plus -c flags of their own.
    const deployed = {
      ...cdkJson,
      pipelineName: 'bank-delivery',
      portalPrincipalArn: 'arn:aws:iam::111111111111:role/portal-task',
      deploymentTargets: '111111111111/us-east-1,222222222222/us-east-1',
      existingConfigRecorders: '222222222222/us-east-1',
      branch: "release/it's-$HOME",
      nag: 'false',
      ...PORTAL_CONTEXT,
    };
    const first = Template.fromStack(build(deployed, registry).stack);
    const flags = contextFlags(synthCommandOf(first));
    expect(Object.keys(flags).sort()).toEqual(
      [
        'branch',
        'connectionArn',
        'deploymentTargets',
        'existingConfigRecorders',
        'nag',
        'pipelineAccount',
        'pipelineName',
        'pipelineRegion',
        'portalPrincipalArn',
        'repo',
        ...Object.keys(PORTAL_CONTEXT),
      ].sort(),
    );
    expect(flags.branch).toBe("release/it's-$HOME");
    // The synth step runs in pipeline/, so cdk.json is read again, under the flags.
    const second = Template.fromStack(build({ ...cdkJson, ...flags }, registry).stack);
    expect(second.toJSON()).toEqual(first.toJSON());
  });
});

it('names every invalid context key', () => {
  expect(() => build({ ...CONTEXT, connectionArn: 'nope', pipelineAccount: '12' })).toThrow(
    /invalid:\n {2}connectionArn: connectionArn must be a CodeStar\/CodeConnections connection ARN\n {2}pipelineAccount: pipelineAccount must be a 12-digit account ID$/,
  );
  expect(() => build({ ...CONTEXT, deploymentTargets: '111111111111/us-east-1,1/x' })).toThrow(
    'pipeline context is invalid: deployment targets: "1/x" is not <12-digit account>/<region>',
  );
  expect(() => build({ ...CONTEXT, existingConfigRecorders: '333333333333/us-east-1' })).toThrow(
    'pipeline context is invalid: not deployment targets: 333333333333/us-east-1',
  );
  expect(() => build({ ...CONTEXT, pipelineName: 'x'.repeat(49) })).toThrow(
    /pipelineName must be at most 48 characters/,
  );
});

describe('portal hosting context', () => {
  it('hosts nothing without a portal key, and the portal stage with all of them', () => {
    expect(build(CONTEXT).stack.portalStage).toBeUndefined();
    expect(build({ ...CONTEXT, ...PORTAL_CONTEXT, nag: 'false' }).stack.portalStage?.stack.stackName).toBe(
      'Portal-Portal',
    );
  });

  it('stops the synth with one line per missing or malformed field, nothing built', () => {
    const message = () =>
      build({
        ...CONTEXT,
        portalDomainName: 'Portal.Bank',
        portalCertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
        portalOidcIssuer: 'http://login.bank.example',
        portalSessionSecretArn: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:session-AbCdEf',
        portalOidcClientSecretArn: 'not-an-arn',
      });
    expect(message).toThrow(
      [
        'pipeline context is invalid:',
        '  portalDomainName: portalDomainName must be a lower-case DNS host name such as portal.example.com',
        '  portalOidcIssuer: portalOidcIssuer must be an https:// issuer URL',
      ].join('\n'),
    );
    expect(() =>
      build({
        ...CONTEXT,
        portalDomainName: 'portal.bank.example',
        portalCertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
        portalOidcIssuer: 'https://login.bank.example',
        portalSessionSecretArn: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:session-AbCdEf',
        portalOidcClientSecretArn: 'not-an-arn',
      }),
    ).toThrow(
      [
        'pipeline context is invalid:',
        '  portalOidcClientId: required once any portal hosting key is set (the portal stage needs it)',
        '  portalSecretsKeyArn: required once any portal hosting key is set (the portal stage needs it)',
        "  portalCertificateArn: must be in the pipeline's account and region (111111111111/us-east-1), not 111111111111/eu-west-1",
        "  portalSessionSecretArn: must be in the pipeline's account and region (111111111111/us-east-1), not 222222222222/us-east-1",
        '  portalOidcClientSecretArn: must be a Secrets Manager secret ARN',
      ].join('\n'),
    );
  });
});

it('skips, by suffix, a registry entry outside the deployment targets', () => {
  const stranger = {
    environmentSuffix: 'pr-9',
    spec: {
      environmentSuffix: 'pr-9',
      kind: 'ephemeral',
      owner: 'a',
      project: 'p',
      costCenter: 'c',
      account: '999999999999',
    },
    status: 'requested',
    requestedBy: 'alice',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    version: 1,
  };
  const { stack, warnings } = build(CONTEXT, [stranger]);
  expect(stack.ephemeralWaves).toEqual([]);
  expect(warnings).toEqual([
    'pipeline: skipping registry entry "pr-9": 999999999999/us-east-1 is not a bootstrapped deployment target (111111111111/us-east-1)',
  ]);
});

describe('cdk-nag on the pipeline stack itself (context nag, default true)', () => {
  const packsOn = (stack: import('./pipeline-stack').PipelineStack) =>
    Aspects.of(stack)
      .all.map((aspect) => aspect.constructor)
      .filter((type) =>
        [AwsSolutionsChecks, PCIDSS321Checks, NIST80053R5Checks, SepPolicyChecks].includes(type as never),
      );

  it('applies AwsSolutions, PCI DSS 3.2.1, NIST 800-53 R5 and Sep to PipelineStack, which synthesizes with no error', () => {
    const { stack } = build(CONTEXT);
    expect(packsOn(stack)).toHaveLength(4);
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
