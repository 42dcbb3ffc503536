import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, logLevelFromEnv, PORTAL_ENV_VARIABLES, parseConfig } from './config';

describe('parseConfig', () => {
  it('defaults to local mode on loopback with a data folder in the portal', () => {
    const config = parseConfig({}, '/work/main/portal');
    expect(config).toMatchObject({
      mode: 'local',
      host: '127.0.0.1',
      port: 3000,
      speedFactor: 10,
      pollIntervalMs: 1000,
    });
    expect(config.dataDir).toBe('/work/main/portal/.data');
  });

  it('refuses to expose local mode beyond loopback and names every missing aws setting', () => {
    expect(() => parseConfig({ PORTAL_HOST: '0.0.0.0' })).toThrow(/loopback only/);
    try {
      parseConfig({ PORTAL_MODE: 'aws' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/AWS_REGION.*\n.*PORTAL_OIDC_ISSUER/s);
      expect((error as Error).message).toMatch(/PORTAL_PIPELINE_ACCOUNT is required in aws mode/);
      expect((error as Error).message).toMatch(/PORTAL_DEPLOYMENT_TARGETS is required in aws mode/);
    }
  });

  it('reads the deployment targets and the pipeline account, and the release pipeline next to the pipeline', () => {
    const config = parseConfig({
      PORTAL_DEPLOYMENT_TARGETS: '111111111111/us-east-1,222222222222/eu-west-1',
      PORTAL_PIPELINE_ACCOUNT: '111111111111',
      PORTAL_PIPELINE_NAME: 'bank-delivery',
    });
    expect(config.deployment).toEqual({
      targets: [
        { account: '111111111111', region: 'us-east-1' },
        { account: '222222222222', region: 'eu-west-1' },
      ],
      defaultAccount: '111111111111',
    });
    expect(config.aws).toMatchObject({
      pipelineName: 'bank-delivery',
      releasePipelineName: 'bank-delivery-release',
    });
    // Local mode without targets accepts any account and region.
    expect(parseConfig({}).deployment).toBeUndefined();
    expect(() => parseConfig({ PORTAL_DEPLOYMENT_TARGETS: '111111111111/us-east-1' })).toThrow(
      /PORTAL_PIPELINE_ACCOUNT is required with PORTAL_DEPLOYMENT_TARGETS/,
    );
    expect(() =>
      parseConfig({ PORTAL_DEPLOYMENT_TARGETS: '1111/us-east-1', PORTAL_PIPELINE_ACCOUNT: '111111111111' }),
    ).toThrow(
      /PORTAL_DEPLOYMENT_TARGETS: deployment targets: "1111\/us-east-1" is not <12-digit account>\/<region>/,
    );
  });

  it('takes the compliance-reports bucket from PORTAL_COMPLIANCE_REPORTS_BUCKET, refusing a non-bucket name', () => {
    expect(parseConfig({}).aws.complianceReportsBucket).toBeUndefined();
    const bucket = 'pipelinestack-compliancereportsbucket01f849e9-abc123';
    expect(parseConfig({ PORTAL_COMPLIANCE_REPORTS_BUCKET: bucket }).aws.complianceReportsBucket).toBe(
      bucket,
    );
    expect(() => parseConfig({ PORTAL_COMPLIANCE_REPORTS_BUCKET: 's3://Reports' })).toThrow(
      /PORTAL_COMPLIANCE_REPORTS_BUCKET: must be an S3 bucket name/,
    );
  });

  it('takes the evidence signing KMS key from PORTAL_EVIDENCE_KMS_KEY_ID', () => {
    expect(parseConfig({}).aws.evidenceSigningKeyId).toBeUndefined();
    expect(parseConfig({ PORTAL_EVIDENCE_KMS_KEY_ID: 'alias/sep-evidence' }).aws.evidenceSigningKeyId).toBe(
      'alias/sep-evidence',
    );
    expect(() => parseConfig({ PORTAL_EVIDENCE_KMS_KEY_ID: '' })).toThrow(/PORTAL_EVIDENCE_KMS_KEY_ID/);
  });

  it('parses API token hashes and role→group mappings', () => {
    const hash = 'a'.repeat(64);
    const config = parseConfig({
      PORTAL_API_TOKENS: `ci-bot:engineer+approver:${hash}`,
      PORTAL_OIDC_ROLE_GROUPS: 'admin=ops',
    });
    expect(config.apiTokens).toEqual([{ name: 'ci-bot', roles: ['engineer', 'approver'], sha256: hash }]);
    expect(() => parseConfig({ PORTAL_API_TOKENS: 'ci-bot:root:abc' })).toThrow(ConfigError);
  });

  it('logs at info by default, silently under jest, and refuses an unknown level', () => {
    expect(parseConfig({}).logLevel).toBe('info');
    expect(parseConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(parseConfig({ NODE_ENV: 'test', PORTAL_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(logLevelFromEnv({ PORTAL_LOG_LEVEL: 'warn' })).toBe('warn');
    expect(() => parseConfig({ PORTAL_LOG_LEVEL: 'loud' })).toThrow(/PORTAL_LOG_LEVEL/);
  });
});

describe('loadConfig in aws mode: secrets from Secrets Manager only', () => {
  const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:111111111111:secret:${name}-AbCdEf`;
  const AWS_ENV = {
    PORTAL_MODE: 'aws',
    AWS_REGION: 'us-east-1',
    PORTAL_PIPELINE_ACCOUNT: '111111111111',
    PORTAL_DEPLOYMENT_TARGETS: '111111111111/us-east-1',
    PORTAL_OIDC_ISSUER: 'https://idp.example.test',
    PORTAL_OIDC_CLIENT_ID: 'sep-portal',
    PORTAL_OIDC_REDIRECT_URI: 'https://portal.example.test/api/auth/oidc/callback',
    PORTAL_SESSION_SECRET_ARN: secretArn('session'),
    PORTAL_OIDC_CLIENT_SECRET_ARN: secretArn('oidc'),
  };
  const store: Record<string, string> = {
    [secretArn('session')]: 's'.repeat(40),
    [secretArn('oidc')]: 'client-secret',
  };
  const reads: string[] = [];
  const readSecret = async (arn: string) => {
    reads.push(arn);
    const value = store[arn];
    if (value === undefined)
      throw Object.assign(new Error('no such secret'), { name: 'ResourceNotFoundException' });
    return value;
  };
  const failure = async (env: Record<string, string | undefined>) => {
    try {
      await loadConfig(env, { readSecret });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads the session and OIDC client secrets by ARN into the configuration', async () => {
    const config = await loadConfig(AWS_ENV, { readSecret });
    expect(config.sessionSecret).toBe('s'.repeat(40));
    expect(config.oidc?.clientSecret).toBe('client-secret');
    expect(config.apiTokens).toEqual([]);
  });

  it('names each missing secret ARN and each plain secret value, and reads nothing then', async () => {
    reads.length = 0;
    const message = await failure({
      ...AWS_ENV,
      PORTAL_SESSION_SECRET_ARN: undefined,
      PORTAL_OIDC_CLIENT_SECRET: 'plain',
    });
    expect(message.split('\n').slice(1)).toEqual([
      '  PORTAL_SESSION_SECRET_ARN: required in aws mode (the ARN of the PORTAL_SESSION_SECRET secret)',
      '  PORTAL_OIDC_CLIENT_SECRET: aws mode reads it from Secrets Manager (PORTAL_OIDC_CLIENT_SECRET_ARN), never from a plain environment value',
    ]);
    expect(reads).toEqual([]);
  });

  it('names an unreadable secret by variable and ARN, and a value that fails validation by its setting', async () => {
    expect(await failure({ ...AWS_ENV, PORTAL_API_TOKENS_SECRET_ARN: secretArn('tokens') })).toContain(
      `PORTAL_API_TOKENS_SECRET_ARN: the PORTAL_API_TOKENS secret ${secretArn('tokens')} could not be read (ResourceNotFoundException: no such secret)`,
    );
    store[secretArn('short')] = 'too-short';
    const message = await failure({ ...AWS_ENV, PORTAL_SESSION_SECRET_ARN: secretArn('short') });
    expect(message).toContain('PORTAL_SESSION_SECRET: PORTAL_SESSION_SECRET must be at least 32 characters');
    expect(message).not.toContain('too-short');
    expect(await failure({ ...AWS_ENV, PORTAL_SESSION_SECRET_ARN: 'session' })).toContain(
      'PORTAL_SESSION_SECRET_ARN: must be a Secrets Manager secret ARN',
    );
  });

  it('leaves local mode as parseConfig has it (no Secrets Manager)', async () => {
    const config = await loadConfig({}, { cwd: '/work/main/portal', readSecret });
    expect(config.mode).toBe('local');
  });
});

describe('the root scripts', () => {
  it('pass every variable the portal reads through turbo to `npm start`, `npm run dev` and the tests', () => {
    const turbo = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'turbo.json'), 'utf8')) as {
      globalEnv?: string[];
      globalPassThroughEnv?: string[];
    };
    const patterns = [...(turbo.globalEnv ?? []), ...(turbo.globalPassThroughEnv ?? [])];
    const passes = (name: string) =>
      patterns.some((pattern) =>
        pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
      );
    expect(PORTAL_ENV_VARIABLES).toEqual(expect.arrayContaining(['PORT', 'PORTAL_HOST', 'PORTAL_MODE']));
    expect(PORTAL_ENV_VARIABLES.filter((name) => !passes(name))).toEqual([]);
  });
});
