import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createConnection } from 'mysql2/promise';
import { type MariaDbServer, startMariaDb } from '../../../test-support/mariadb';
import { SecretsManagerState } from '../../../test-support/secrets-manager-state';
import { connectWith } from '../../ops/rotation/database';
import type { RotationStep } from '../../ops/rotation/rotation';
import { parseMysqlSecret } from '../../ops/rotation/secret';
import { loadConfig } from './config';
import { createSecretRotationHandler } from './handler';

/**
 * The four rotation steps against a real MariaDB (started here, TLS on, the rotated user
 * created with REQUIRE SSL) with Secrets Manager's versions and labels held in memory
 * behind aws-sdk-client-mock.
 */

jest.setTimeout(90_000);

const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-credentials-dev-AbCdEf';
const INITIAL_PASSWORD = 'Initial-Passw0rd-For-Test';
const secretsManager = mockClient(SecretsManagerClient);
const documents = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);

let server: MariaDbServer;

beforeAll(async () => {
  server = await startMariaDb();
  await server.admin("CREATE USER 'app'@'%' IDENTIFIED BY ? REQUIRE SSL", [INITIAL_PASSWORD]);
  await server.admin('CREATE DATABASE appdb');
  await server.admin("GRANT SELECT ON appdb.* TO 'app'@'%'");
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  secretsManager.reset();
  documents.reset();
  sns.reset();
  // The audit table's conditional put: a second write of the same pk/sk is refused.
  const stored = new Set<string>();
  documents.on(PutCommand).callsFake((input: { Item?: { pk?: string; sk?: string } }) => {
    const key = `${input.Item?.pk}|${input.Item?.sk}`;
    if (stored.has(key)) {
      throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
    }
    stored.add(key);
    return {};
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

function setUp(password: string) {
  const state = new SecretsManagerState({
    secretId: SECRET_ID,
    initialVersionId: randomUUID(),
    secretString: JSON.stringify({
      engine: 'mysql',
      host: '127.0.0.1',
      port: server.port,
      username: 'app',
      password,
      dbname: 'appdb',
      dbClusterIdentifier: 'cluster-dev',
    }),
  });
  state.serve(secretsManager);
  const handler = createSecretRotationHandler(
    loadConfig({
      ENVIRONMENT_SUFFIX: 'dev',
      AUDIT_TABLE_NAME: 'audit-dev',
      ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:alerts-dev',
      DATA_CLASSIFICATION: 'confidential',
      LOG_LEVEL: 'warn',
    }),
    {
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
      dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
      sns: new SNSClient({ region: 'us-east-1' }),
    },
    { tls: { ssl: { ca: server.ca, rejectUnauthorized: true } } },
  );
  const step = (token: string, Step: RotationStep) =>
    handler(
      { SecretId: SECRET_ID, ClientRequestToken: token, Step },
      { functionName: 'secret-rotation-dev' },
    );
  return { state, step };
}

/** Logs in as `app` over TLS with the test CA; undefined when the password is refused. */
async function loginWorks(password: string): Promise<boolean> {
  const connection = await connectWith(
    { engine: 'mysql', host: '127.0.0.1', port: server.port, username: 'app', password, dbname: 'appdb' },
    { ssl: { ca: server.ca, rejectUnauthorized: true } },
  );
  if (connection === undefined) return false;
  await connection.end();
  return true;
}

function passwordOf(state: SecretsManagerState, stage: string): string {
  return parseMysqlSecret(state.secretStringOf(stage), stage).password;
}

describe('secret rotation against a real MariaDB over TLS', () => {
  it('rotates through all four steps: the new password works, the old one no longer does', async () => {
    const { state, step } = setUp(INITIAL_PASSWORD);
    const initialVersion = state.versionWith('AWSCURRENT');
    const token = randomUUID();
    state.startRotation(token);

    await expect(step(token, 'createSecret')).resolves.toMatchObject({ status: 'done' });
    const pending = passwordOf(state, 'AWSPENDING');
    expect(pending).not.toBe(INITIAL_PASSWORD);
    for (const excluded of ['/', '@', '"', "'", '\\']) expect(pending).not.toContain(excluded);
    // A retried createSecret keeps the same pending password.
    await expect(step(token, 'createSecret')).resolves.toMatchObject({ status: 'skipped' });
    expect(passwordOf(state, 'AWSPENDING')).toBe(pending);

    await expect(step(token, 'setSecret')).resolves.toMatchObject({ status: 'done' });
    await expect(step(token, 'setSecret')).resolves.toMatchObject({ status: 'skipped' });
    // Between setSecret and finishSecret AWSCURRENT still holds the old password (the template's window).
    expect(state.versionWith('AWSCURRENT')).toBe(initialVersion);

    await expect(step(token, 'testSecret')).resolves.toMatchObject({ status: 'done' });
    await expect(step(token, 'finishSecret')).resolves.toMatchObject({ status: 'done' });

    expect(state.versionWith('AWSCURRENT')).toBe(token);
    expect(state.versionWith('AWSPREVIOUS')).toBe(initialVersion);
    expect(state.versionWith('AWSPENDING')).toBe(token);
    const current = parseMysqlSecret(state.secretStringOf('AWSCURRENT'), 'AWSCURRENT');
    expect(current).toMatchObject({ username: 'app', host: '127.0.0.1', dbClusterIdentifier: 'cluster-dev' });
    expect(current.password).toBe(pending);
    await expect(loginWorks(pending)).resolves.toBe(true);
    await expect(loginWorks(INITIAL_PASSWORD)).resolves.toBe(false);
    // Once current, any step for this token is a no-op.
    await expect(step(token, 'finishSecret')).resolves.toMatchObject({ status: 'skipped' });

    const audited = documents.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(audited.map((item) => [item?.sk, item?.outcome])).toEqual([
      [`rotate-secret#${token}:createSecret`, 'success'],
      [`rotate-secret#${token}:createSecret`, 'skipped'],
      [`rotate-secret#${token}:setSecret`, 'success'],
      [`rotate-secret#${token}:setSecret`, 'skipped'],
      [`rotate-secret#${token}:testSecret`, 'success'],
      [`rotate-secret#${token}:finishSecret`, 'success'],
      [`rotate-secret#${token}:finishSecret`, 'skipped'],
    ]);
    expect(JSON.stringify(audited)).not.toContain(pending);
    expect(JSON.stringify(audited)).not.toContain(INITIAL_PASSWORD);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('a failed testSecret leaves AWSCURRENT and the working password intact, and a retry completes', async () => {
    // The previous test rotated the user: start this one from the password the database has now.
    const reset = 'Reset-Passw0rd-Second-Case';
    await server.admin("ALTER USER 'app'@'%' IDENTIFIED BY ?", [reset]);
    const { state, step } = setUp(reset);
    const initialVersion = state.versionWith('AWSCURRENT');
    const token = randomUUID();
    state.startRotation(token);
    await step(token, 'createSecret');

    // setSecret did not happen (e.g. it timed out before reaching the database): the test must fail.
    await expect(step(token, 'testSecret')).rejects.toThrow(/cannot log in with the pending password/);
    await expect(step(token, 'testSecret')).rejects.toThrow(/cannot log in with the pending password/);

    expect(state.versionWith('AWSCURRENT')).toBe(initialVersion);
    expect(passwordOf(state, 'AWSCURRENT')).toBe(reset);
    await expect(loginWorks(reset)).resolves.toBe(true);
    await expect(loginWorks(passwordOf(state, 'AWSPENDING'))).resolves.toBe(false);
    const failures = documents
      .commandCalls(PutCommand)
      .map((call) => call.args[0].input.Item)
      .filter((item) => item?.outcome === 'failure');
    expect(failures[0]).toMatchObject({ sk: `rotate-secret#${token}:testSecret:failed`, pk: SECRET_ID });
    // One alert: the second failure of the same step hits the audit condition and stays quiet.
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message).not.toContain(
      passwordOf(state, 'AWSPENDING'),
    );

    await step(token, 'setSecret');
    await step(token, 'testSecret');
    await step(token, 'finishSecret');
    expect(state.versionWith('AWSCURRENT')).toBe(token);
    await expect(loginWorks(passwordOf(state, 'AWSCURRENT'))).resolves.toBe(true);
    await expect(loginWorks(reset)).resolves.toBe(false);
  });

  it('setSecret falls back to the AWSPREVIOUS password when the database never took the current one', async () => {
    const original = 'Original-Passw0rd-Third-Case';
    await server.admin("ALTER USER 'app'@'%' IDENTIFIED BY ?", [original]);
    const { state, step } = setUp(original);
    const first = randomUUID();
    state.startRotation(first);
    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)
      await step(first, name);
    // Someone restores the old password in the database: AWSCURRENT no longer logs in, AWSPREVIOUS does.
    await server.admin("ALTER USER 'app'@'%' IDENTIFIED BY ?", [original]);
    await expect(loginWorks(passwordOf(state, 'AWSCURRENT'))).resolves.toBe(false);

    const second = randomUUID();
    state.startRotation(second);
    await step(second, 'createSecret');
    await expect(step(second, 'setSecret')).resolves.toMatchObject({ status: 'done' });
    await step(second, 'testSecret');
    await step(second, 'finishSecret');
    await expect(loginWorks(passwordOf(state, 'AWSCURRENT'))).resolves.toBe(true);
    await expect(loginWorks(original)).resolves.toBe(false);
  });

  it('uses TLS only: the server sees an encrypted session and a client with the wrong CA is refused', async () => {
    const password = 'Tls-Check-Passw0rd';
    await server.admin("ALTER USER 'app'@'%' IDENTIFIED BY ?", [password]);
    const connection = await connectWith(
      { engine: 'mysql', host: '127.0.0.1', port: server.port, username: 'app', password },
      { ssl: { ca: server.ca, rejectUnauthorized: true } },
    );
    if (connection === undefined) throw new Error('login failed');
    const [rows] = await connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
    await connection.end();
    expect((rows as { Value: string }[])[0]?.Value).toMatch(/^TLSv1\.[23]$/);

    // The rotated user is REQUIRE SSL: a clear-text login is refused by the server.
    await expect(
      createConnection({ host: '127.0.0.1', port: server.port, user: 'app', password }),
    ).rejects.toMatchObject({ errno: 1045 });
    // A CA that did not sign the server certificate fails verification: an error, not "wrong password".
    await expect(
      connectWith(
        { engine: 'mysql', host: '127.0.0.1', port: server.port, username: 'app', password },
        { ssl: { rejectUnauthorized: true } },
      ),
    ).rejects.toThrow(/cannot reach MySQL .* over TLS/);
  });
});
