import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironmentSpec, SUPPORTED_REGIONS } from '@sep/spec';
import { App } from 'aws-cdk-lib';
import { SecureEnvironmentStage } from '../src/secure-environment-stage';
import { cdkSynth, credentialFreeEnv } from '../test-support/cdk-cli';
import { ALL_FEATURES_OFF_INPUT, PROD_ALL_FEATURES_INPUT } from './fixtures';

// The standalone app as an engineer runs it: `npx cdk synth -c environmentSuffix=… -c account=…` in infra/,
// through the CLI, with no credentials. An explicit account makes the stacks environment-specific, which
// is where CDK would otherwise ask the CLI to look availability zones up in the account.
const INFRA_DIR = join(__dirname, '..');

describe('`npx cdk synth` of the standalone app, explicit account, no credentials', () => {
  it('synthesizes the database-import case in another region with every feature on, looking nothing up', async () => {
    const result = await cdkSynth({
      cwd: INFRA_DIR,
      args: [
        ...['-c', 'environmentSuffix=pr-cli', '-c', 'account=222222222222', '-c', 'region=ap-southeast-1'],
        ...['-c', 'database=true', '-c', 'networkFirewall=true', '-c', 'apiEndpointType=PRIVATE'],
        ...[
          '-c',
          'existingDatabaseSecretArn=arn:aws:secretsmanager:ap-southeast-1:222222222222:secret:db-AbCdEf',
        ],
      ],
      env: credentialFreeEnv({ USER: 'alice' }),
    });
    if (result.exitCode !== 0) throw new Error(`cdk synth failed:\n${result.output.slice(-4000)}`);
    expect(result.manifest?.missing).toBeUndefined();
    const stage = readdirSync(result.outdir).find((entry) => entry === 'assembly-pr-cli');
    expect(stage).toBeDefined();
    expect(existsSync(join(result.outdir, 'assembly-pr-cli', 'nag-report.json'))).toBe(true);
    expect(existsSync(join(INFRA_DIR, 'cdk.context.json'))).toBe(false);
    const template = readdirSync(join(result.outdir, 'assembly-pr-cli')).find((f) =>
      f.endsWith('.template.json'),
    );
    const body = readFileSync(join(result.outdir, 'assembly-pr-cli', template ?? ''), 'utf8');
    expect(body).toContain('ap-southeast-1a');
  }, 600_000);

  it('refuses a bad spec field by field before synthesizing anything', async () => {
    const result = await cdkSynth({
      cwd: INFRA_DIR,
      args: ['-c', 'environmentSuffix=Bad_Suffix', '-c', 'account=12'],
      env: credentialFreeEnv({ USER: 'alice' }),
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('-c environmentSuffix:');
    expect(result.output).toContain('-c account:');
    expect(result.manifest).toBeUndefined();
  }, 600_000);
});

describe('every supported region, every feature on and off: nothing left for the CLI to look up', () => {
  // What the CLI would resolve by calling AWS is what the assembly reports as missing context.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  for (const region of SUPPORTED_REGIONS) {
    for (const [name, input] of [
      ['all-on', PROD_ALL_FEATURES_INPUT],
      ['all-off', ALL_FEATURES_OFF_INPUT],
    ] as const) {
      const parsed = parseEnvironmentSpec({
        ...input,
        environmentSuffix: `${name}-${region}`,
        region,
        account: '222222222222',
      });
      if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
      new SecureEnvironmentStage(app, `${name}-${region}`, { spec: parsed.spec, nag: false });
    }
  }
  const assembly = app.synth();

  it.each(SUPPORTED_REGIONS)('%s', (region) => {
    expect(assembly.manifest.missing ?? []).toEqual([]);
    for (const name of ['all-on', 'all-off']) {
      const stage = assembly.getNestedAssembly(`assembly-${name}-${region}`);
      const [stack] = stage.stacks;
      expect(stack?.environment).toEqual({
        account: '222222222222',
        region,
        name: `aws://222222222222/${region}`,
      });
    }
  });
});
