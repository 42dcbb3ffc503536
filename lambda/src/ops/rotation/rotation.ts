import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Logger } from '../../shared/logger';
import { canQuery, connectWith, type MysqlTls, setOwnPassword } from './database';
import { type MysqlSecret, parseMysqlSecret } from './secret';

/**
 * Secrets Manager's four-step rotation for a MySQL user that changes its own password
 * (AWS's "single user" template): createSecret stores a new AWSPENDING version, setSecret
 * makes the database accept it, testSecret logs in with it, finishSecret moves AWSCURRENT.
 * Every step is idempotent, because Secrets Manager retries a step that failed or timed out.
 * Until finishSecret, AWSCURRENT is untouched: a failed test leaves applications working.
 */

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** AWS's template default: characters that break connection strings or shell quoting. */
export const DEFAULT_EXCLUDE_CHARACTERS = '/@"\'\\';

export interface RotationDependencies {
  readonly secretsManager: SecretsManagerClient;
  readonly tls: MysqlTls;
  readonly logger: Logger;
  /**
   * Characters GetRandomPassword must not use.
   * @default DEFAULT_EXCLUDE_CHARACTERS
   */
  readonly excludeCharacters?: string;
}

export interface RotationRequest {
  readonly secretId: string;
  readonly token: string;
  readonly step: RotationStep;
  /** Passed back on PutSecretValue when Secrets Manager sends one (rotation through an assumed role). */
  readonly rotationToken?: string;
}

export interface StepResult {
  /** `done`: the step did its work; `skipped`: it found the work already done (a retry) or the version already current. */
  readonly status: 'done' | 'skipped';
  readonly detail: string;
}

/** Thrown when the secret or the version is not in a state a rotation can proceed from. */
export class RotationStateError extends Error {
  override readonly name = 'RotationStateError';
}

export async function runRotationStep(
  dependencies: RotationDependencies,
  request: RotationRequest,
): Promise<StepResult> {
  const { secretsManager } = dependencies;
  const metadata = await secretsManager.send(new DescribeSecretCommand({ SecretId: request.secretId }));
  if (metadata.RotationEnabled !== true) {
    throw new RotationStateError(`secret ${request.secretId} is not enabled for rotation`);
  }
  const stages = metadata.VersionIdsToStages?.[request.token];
  if (stages === undefined) {
    throw new RotationStateError(
      `version ${request.token} has no stage for rotation of secret ${request.secretId}`,
    );
  }
  if (stages.includes('AWSCURRENT')) {
    return { status: 'skipped', detail: `version ${request.token} is already AWSCURRENT` };
  }
  if (!stages.includes('AWSPENDING')) {
    throw new RotationStateError(`version ${request.token} of secret ${request.secretId} is not AWSPENDING`);
  }
  switch (request.step) {
    case 'createSecret':
      return createSecret(dependencies, request);
    case 'setSecret':
      return setSecret(dependencies, request);
    case 'testSecret':
      return testSecret(dependencies, request);
    case 'finishSecret':
      return finishSecret(dependencies, request, metadata.VersionIdsToStages ?? {});
  }
}

async function readSecret(
  client: SecretsManagerClient,
  options: { readonly secretId: string; readonly stage: string; readonly versionId?: string },
): Promise<MysqlSecret> {
  const value = await client.send(
    new GetSecretValueCommand({
      SecretId: options.secretId,
      VersionStage: options.stage,
      VersionId: options.versionId,
    }),
  );
  return parseMysqlSecret(value.SecretString, options.stage);
}

/** ResourceNotFoundException on a version lookup means "no such version yet" in the template's logic. */
function isNotFound(error: unknown): boolean {
  return (error as { name?: string }).name === 'ResourceNotFoundException';
}

async function createSecret(
  dependencies: RotationDependencies,
  request: RotationRequest,
): Promise<StepResult> {
  const { secretsManager } = dependencies;
  const current = await readSecret(secretsManager, { secretId: request.secretId, stage: 'AWSCURRENT' });
  try {
    await readSecret(secretsManager, {
      secretId: request.secretId,
      stage: 'AWSPENDING',
      versionId: request.token,
    });
    return { status: 'skipped', detail: 'pending version already holds a password' };
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const random = await secretsManager.send(
    new GetRandomPasswordCommand({
      ExcludeCharacters: dependencies.excludeCharacters ?? DEFAULT_EXCLUDE_CHARACTERS,
    }),
  );
  if (random.RandomPassword === undefined || random.RandomPassword.length === 0) {
    throw new Error('GetRandomPassword returned no password');
  }
  await secretsManager.send(
    new PutSecretValueCommand({
      SecretId: request.secretId,
      ClientRequestToken: request.token,
      SecretString: JSON.stringify({ ...current, password: random.RandomPassword }),
      VersionStages: ['AWSPENDING'],
      ...(request.rotationToken === undefined ? {} : { RotationToken: request.rotationToken }),
    }),
  );
  return { status: 'done', detail: 'stored a new AWSPENDING version' };
}

async function setSecret(dependencies: RotationDependencies, request: RotationRequest): Promise<StepResult> {
  const { secretsManager, tls } = dependencies;
  const current = await readSecret(secretsManager, { secretId: request.secretId, stage: 'AWSCURRENT' });
  const pending = await readSecret(secretsManager, {
    secretId: request.secretId,
    stage: 'AWSPENDING',
    versionId: request.token,
  });
  // A retry after the password was already changed: the pending credentials work.
  const already = await connectWith(pending, tls);
  if (already !== undefined) {
    await already.end();
    return { status: 'skipped', detail: 'database already accepts the pending password' };
  }
  if (current.username !== pending.username) {
    throw new RotationStateError('pending username differs from the current one (single-user rotation)');
  }
  if (current.host !== pending.host || current.port !== pending.port) {
    throw new RotationStateError('pending host/port differ from the current ones');
  }
  let connection = await connectWith(current, tls);
  if (connection === undefined) {
    // A rotation that failed after setSecret last time leaves the database on the previous version's password.
    try {
      const previous = await readSecret(secretsManager, { secretId: request.secretId, stage: 'AWSPREVIOUS' });
      connection = await connectWith(previous, tls);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  if (connection === undefined) {
    throw new RotationStateError('cannot log in with the previous, current or pending password');
  }
  try {
    await setOwnPassword(connection, pending.password);
  } finally {
    await connection.end();
  }
  return { status: 'done', detail: 'database password changed to the pending one' };
}

async function testSecret(dependencies: RotationDependencies, request: RotationRequest): Promise<StepResult> {
  const pending = await readSecret(dependencies.secretsManager, {
    secretId: request.secretId,
    stage: 'AWSPENDING',
    versionId: request.token,
  });
  const connection = await connectWith(pending, dependencies.tls);
  if (connection === undefined) {
    throw new RotationStateError('cannot log in with the pending password: AWSCURRENT left unchanged');
  }
  try {
    if (!(await canQuery(connection))) throw new RotationStateError('pending credentials cannot run a query');
  } finally {
    await connection.end();
  }
  return { status: 'done', detail: 'pending password logs in over TLS and runs a query' };
}

async function finishSecret(
  dependencies: RotationDependencies,
  request: RotationRequest,
  versions: Record<string, string[]>,
): Promise<StepResult> {
  const current = Object.entries(versions).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  if (current === request.token) return { status: 'skipped', detail: 'version already AWSCURRENT' };
  await dependencies.secretsManager.send(
    new UpdateSecretVersionStageCommand({
      SecretId: request.secretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: request.token,
      ...(current === undefined ? {} : { RemoveFromVersionId: current }),
    }),
  );
  return { status: 'done', detail: `AWSCURRENT moved to ${request.token}` };
}
