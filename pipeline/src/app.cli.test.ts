import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliSynthResult, cdkSynth, credentialFreeEnv } from '@sep/infra/testing';
import { HOSTING } from './test-support/portal-hosting';
import { registryItem, writeEnvironmentsFile } from './test-support/registry-export';

// The pipeline app as CodeBuild's synth step runs it: `npx cdk synth` in pipeline/, through the CLI (which
// resolves missing context by calling AWS), with no credentials and no cdk.context.json.
const PIPELINE_DIR = join(__dirname, '..');
const CONTEXT_FILE = join(PIPELINE_DIR, 'cdk.context.json');

const TARGETS = [
  '111111111111/us-east-1',
  '111111111111/ap-southeast-1',
  '111111111111/us-west-2',
  '222222222222/us-east-1',
  '333333333333/eu-west-1',
].join(',');

/** Every kind, three accounts, four regions, and the feature combinations that change what is built. */
const REGISTRY = [
  registryItem({ environmentSuffix: 'pr-7', kind: 'ephemeral' }),
  registryItem({
    environmentSuffix: 'pr-full',
    kind: 'ephemeral',
    region: 'ap-southeast-1',
    features: { database: true, networkFirewall: true, apiEndpointType: 'PRIVATE' },
    existingDatabaseSecretArn: 'arn:aws:secretsmanager:ap-southeast-1:111111111111:secret:db-AbCdEf',
  }),
  registryItem({
    environmentSuffix: 'pr-bare',
    kind: 'ephemeral',
    region: 'us-west-2',
    features: { waf: false, documentPipeline: false, guardDutyRemediation: false },
  }),
  registryItem({
    environmentSuffix: 'staging',
    kind: 'staging',
    account: '222222222222',
    alertEmails: ['platform@example.com'],
    features: { database: true },
  }),
  registryItem({
    environmentSuffix: 'prod',
    kind: 'prod',
    account: '333333333333',
    region: 'eu-west-1',
    alertEmails: ['platform@example.com'],
    features: { database: true, networkFirewall: true },
  }),
];

/** The portal hosted: its stage, with the image asset CDK stages (not builds: there is no Docker here). */
const PORTAL_ARGS = Object.entries({
  portalDomainName: HOSTING.domainName,
  portalCertificateArn: HOSTING.certificateArn,
  portalOidcIssuer: HOSTING.oidcIssuer,
  portalOidcClientId: HOSTING.oidcClientId,
  portalSessionSecretArn: HOSTING.sessionSecretArn,
  portalOidcClientSecretArn: HOSTING.oidcClientSecretArn,
  portalSecretsKeyArn: HOSTING.secretsKeyArn,
}).flatMap(([key, value]) => ['-c', `${key}=${value}`]);

let synth: CliSynthResult;
let contextFileBefore: string | undefined;
beforeAll(async () => {
  contextFileBefore = existsSync(CONTEXT_FILE) ? readFileSync(CONTEXT_FILE, 'utf8') : undefined;
  synth = await cdkSynth({
    cwd: PIPELINE_DIR,
    // Every account/region the registry names is bootstrapped with trust for the pipeline.
    args: ['-c', `deploymentTargets=${TARGETS}`, ...PORTAL_ARGS],
    env: credentialFreeEnv({ ENVIRONMENTS_FILE: writeEnvironmentsFile(REGISTRY) }),
  });
}, 600_000);

describe('`npx cdk synth` of the pipeline app, no credentials, no context file', () => {
  it('succeeds for ephemeral, staging and prod environments in three accounts and four regions', () => {
    if (synth.exitCode !== 0) throw new Error(`cdk synth failed:\n${synth.output.slice(-4000)}`);
    expect(synth.manifest?.missing).toBeUndefined();
  });

  it('needs and writes no cdk.context.json', () => {
    expect(contextFileBefore).toBeUndefined();
    const after = existsSync(CONTEXT_FILE) ? JSON.parse(readFileSync(CONTEXT_FILE, 'utf8')) : {};
    expect(after).toEqual({});
  });

  it('writes every environment stage with its cdk-nag report, and one replication stack per other region', () => {
    const entries = readdirSync(synth.outdir);
    for (const suffix of ['pr-7', 'pr-full', 'pr-bare', 'staging', 'prod']) {
      const stage = `assembly-PipelineStack-${suffix}`;
      expect(entries).toContain(stage);
      expect(existsSync(join(synth.outdir, stage, 'nag-report.json'))).toBe(true);
    }
    expect(entries.filter((entry) => /^cross-region-stack-.*\.template\.json$/.test(entry)).sort()).toEqual([
      'cross-region-stack-111111111111_ap-southeast-1.template.json',
      'cross-region-stack-111111111111_eu-west-1.template.json',
      'cross-region-stack-111111111111_us-west-2.template.json',
    ]);
  });

  it('writes the Portal stage with its cdk-nag report and the staged image context, no Docker needed', () => {
    const stage = join(synth.outdir, 'assembly-PipelineStack-Portal');
    expect(readdirSync(stage).filter((entry) => entry.endsWith('.template.json'))).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(stage, 'nag-report.json'), 'utf8')) as {
      packs: { errors: unknown[]; warnings: unknown[] }[];
    };
    expect(report.packs.flatMap((pack) => [...pack.errors, ...pack.warnings])).toEqual([]);
    // Assets are staged once, at the top of the cloud assembly.
    const contexts = readdirSync(synth.outdir).filter((entry) => entry.startsWith('asset.'));
    const image = contexts.find((entry) => existsSync(join(synth.outdir, entry, 'portal', 'Dockerfile')));
    expect(image).toBeDefined();
    expect(existsSync(join(synth.outdir, image as string, 'node_modules'))).toBe(false);
  });

  it('stops, naming each field on its own line, on bad context values', async () => {
    const broken = await cdkSynth({
      cwd: PIPELINE_DIR,
      args: ['-c', 'pipelineAccount=12345', '-c', 'portalDomainName=Portal'],
      env: credentialFreeEnv({
        ENVIRONMENTS_FILE: writeEnvironmentsFile(REGISTRY.slice(0, 1)),
      }),
    });
    expect(broken.exitCode).not.toBe(0);
    expect(broken.output).toContain('  pipelineAccount: pipelineAccount must be a 12-digit account ID\n');
    expect(broken.output).toContain(
      '  portalDomainName: portalDomainName must be a lower-case DNS host name',
    );
  }, 600_000);
});
