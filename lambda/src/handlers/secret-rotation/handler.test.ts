import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ValidationError } from '../../shared/errors';
import { auditAndAlertClients, COMMON_ENV, mockAuditAndAlerts } from '../../shared/handler.test-support';
import { loadConfig } from './config';
import { createSecretRotationHandler } from './handler';

const secretsManager = mockClient(SecretsManagerClient);
const { documents, sns } = mockAuditAndAlerts();

const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-dev-AbCdEf';
const TOKEN = '11111111-2222-3333-4444-555555555555';
const CURRENT = '99999999-2222-3333-4444-555555555555';
const env = {
  ...COMMON_ENV,
  DATA_CLASSIFICATION: 'confidential',
  LOG_LEVEL: 'error',
};
const currentSecret = JSON.stringify({
  engine: 'mysql',
  host: 'db.internal',
  username: 'app',
  password: 'old-password',
});

function handlerFor(overrides: Record<string, string> = {}) {
  return createSecretRotationHandler(
    loadConfig({ ...env, ...overrides }),
    {
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
      ...auditAndAlertClients(),
    },
    // Unreachable on purpose: these tests never get as far as the database.
    { tls: { ssl: { rejectUnauthorized: true }, connectTimeoutMs: 200 } },
  );
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

function describeWith(stages: Record<string, string[]>, rotationEnabled = true) {
  secretsManager
    .on(DescribeSecretCommand)
    .resolves({ ARN: SECRET_ID, RotationEnabled: rotationEnabled, VersionIdsToStages: stages });
}

const event = (step: string, extra: Record<string, unknown> = {}) => ({
  SecretId: SECRET_ID,
  ClientRequestToken: TOKEN,
  Step: step,
  ...extra,
});

function mutatingCalls() {
  return (
    secretsManager.commandCalls(PutSecretValueCommand).length +
    secretsManager.commandCalls(UpdateSecretVersionStageCommand).length
  );
}

beforeEach(() => {
  secretsManager.reset();
});

describe('secret-rotation event validation', () => {
  it.each([
    [{}, 'SecretId'],
    [{ SecretId: SECRET_ID, ClientRequestToken: TOKEN }, 'Step'],
    [{ SecretId: SECRET_ID, ClientRequestToken: TOKEN, Step: 'dropTable' }, 'Step'],
    [{ SecretId: 42, ClientRequestToken: TOKEN, Step: 'createSecret' }, 'SecretId'],
    [{ SecretId: SECRET_ID, ClientRequestToken: 'short', Step: 'createSecret' }, 'ClientRequestToken'],
    ['not an object', ''],
  ])('refuses %j naming %s, with no AWS call', async (bad, field) => {
    const error = await handlerFor()(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.map((f) => f.path)).toContain(field);
    expect(secretsManager.calls()).toHaveLength(0);
    expect(documents.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it('refuses a bad environment with every variable named', () => {
    expect(() => loadConfig({ ...env, ALERT_TOPIC_ARN: 'nope', AUDIT_TABLE_NAME: '' })).toThrow(
      /ALERT_TOPIC_ARN.*AUDIT_TABLE_NAME|AUDIT_TABLE_NAME.*ALERT_TOPIC_ARN/,
    );
  });
});

describe('secret-rotation state checks (AWS template semantics)', () => {
  it('refuses a secret whose rotation is disabled, changing nothing', async () => {
    describeWith({ [CURRENT]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] }, false);
    await expect(handlerFor()(event('createSecret'))).rejects.toThrow(/not enabled for rotation/);
    expect(mutatingCalls()).toBe(0);
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: SECRET_ID,
      sk: `rotate-secret#${TOKEN}:createSecret:failed`,
      outcome: 'failure',
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('refuses a token that is not a version of the secret', async () => {
    describeWith({ [CURRENT]: ['AWSCURRENT'] });
    await expect(handlerFor()(event('setSecret'))).rejects.toThrow(/has no stage for rotation/);
    expect(mutatingCalls()).toBe(0);
  });

  it('refuses a version that is neither AWSCURRENT nor AWSPENDING', async () => {
    describeWith({ [CURRENT]: ['AWSCURRENT'], [TOKEN]: ['AWSPREVIOUS'] });
    await expect(handlerFor()(event('testSecret'))).rejects.toThrow(/is not AWSPENDING/);
    expect(mutatingCalls()).toBe(0);
  });

  it('does nothing for a version already AWSCURRENT (a late retry)', async () => {
    describeWith({ [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] });
    await expect(handlerFor()(event('finishSecret'))).resolves.toMatchObject({ status: 'skipped' });
    expect(mutatingCalls()).toBe(0);
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ outcome: 'skipped' });
  });
});

describe('createSecret', () => {
  beforeEach(() => {
    describeWith({ [CURRENT]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: currentSecret,
    });
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSPENDING', VersionId: TOKEN })
      .rejects(new ResourceNotFoundException({ message: 'no such version', $metadata: {} }));
  });

  it('stores the current secret with a new password as AWSPENDING under the token, honouring EXCLUDE_CHARACTERS and RotationToken', async () => {
    secretsManager.on(GetRandomPasswordCommand).resolves({ RandomPassword: 'N3w-Random-Password' });
    secretsManager.on(PutSecretValueCommand).resolves({});
    await expect(
      handlerFor({ EXCLUDE_CHARACTERS: '/@"' })(event('createSecret', { RotationToken: 'rotation-token' })),
    ).resolves.toMatchObject({ status: 'done' });
    expect(secretsManager.commandCalls(GetRandomPasswordCommand)[0]?.args[0].input.ExcludeCharacters).toBe(
      '/@"',
    );
    const put = secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      SecretId: SECRET_ID,
      ClientRequestToken: TOKEN,
      VersionStages: ['AWSPENDING'],
      RotationToken: 'rotation-token',
    });
    expect(JSON.parse(put?.SecretString ?? '{}')).toEqual({
      engine: 'mysql',
      host: 'db.internal',
      port: 3306,
      username: 'app',
      password: 'N3w-Random-Password',
    });
    const audit = JSON.stringify(documents.commandCalls(PutCommand).map((c) => c.args[0].input.Item));
    expect(audit).not.toContain('N3w-Random-Password');
    expect(audit).not.toContain('old-password');
  });

  it('uses the template default exclusions when EXCLUDE_CHARACTERS is unset', async () => {
    secretsManager.on(GetRandomPasswordCommand).resolves({ RandomPassword: 'x'.repeat(32) });
    secretsManager.on(PutSecretValueCommand).resolves({});
    await handlerFor()(event('createSecret'));
    expect(secretsManager.commandCalls(GetRandomPasswordCommand)[0]?.args[0].input.ExcludeCharacters).toBe(
      '/@"\'\\',
    );
  });

  it.each([
    ['throttling', awsError('ThrottlingException', 400)],
    ['access denied', awsError('AccessDeniedException', 400)],
  ])(
    'on %s from GetRandomPassword writes no version, audits the failure and rethrows',
    async (_label, error) => {
      secretsManager.on(GetRandomPasswordCommand).rejects(error);
      await expect(handlerFor()(event('createSecret'))).rejects.toThrow(error.message);
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
      expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ outcome: 'failure' });
    },
  );

  it('refuses a current secret that is not a MySQL secret, naming fields and never values', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: JSON.stringify({ engine: 'postgres', username: 'app', password: 'leak-me' }),
    });
    const error = (await handlerFor()(event('createSecret')).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/engine.*host|host.*engine/);
    expect(error.message).not.toContain('leak-me');
    expect(JSON.stringify(sns.commandCalls(PublishCommand)[0]?.args[0].input)).not.toContain('leak-me');
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('missing secret and AWS failures on DescribeSecret', () => {
  it.each([
    ['missing secret', new ResourceNotFoundException({ message: 'secret not found', $metadata: {} })],
    ['throttling', awsError('ThrottlingException', 400)],
    ['access denied', awsError('AccessDeniedException', 400)],
  ])('%s: rethrows after auditing, changing nothing', async (_label, error) => {
    secretsManager.on(DescribeSecretCommand).rejects(error);
    await expect(handlerFor()(event('finishSecret'))).rejects.toThrow(error.message);
    expect(mutatingCalls()).toBe(0);
    expect(documents.commandCalls(PutCommand)).toHaveLength(1);
  });
});

describe('finishSecret', () => {
  it('moves AWSCURRENT from the current version to the token', async () => {
    describeWith({ [CURRENT]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
    secretsManager.on(UpdateSecretVersionStageCommand).resolves({});
    await expect(handlerFor()(event('finishSecret'))).resolves.toMatchObject({ status: 'done' });
    expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET_ID,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: CURRENT,
    });
  });
});
