import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import type { MysqlTls } from '../../ops/rotation/database';
import { runRotationStep, type StepResult } from '../../ops/rotation/rotation';
import { classifyAwsError } from '../../shared/errors';
import { createAlertPublisher, createHandlerServices } from '../../shared/handler-services';
import type { SecretRotationConfig } from './config';
import { parseRotationEvent } from './event';

export interface SecretRotationClients {
  readonly secretsManager: SecretsManagerClient;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
}

export function defaultClients(): SecretRotationClients {
  return {
    secretsManager: new SecretsManagerClient({}),
    dynamodb: new DynamoDBClient({}),
    sns: new SNSClient({}),
  };
}

/** In AWS: verify the server against the RDS/Aurora CA bundle mysql2 ships (Node's default minimum, TLS 1.2). */
export const AWS_TLS: MysqlTls = { ssl: 'Amazon RDS' };

export const ROTATION_AUDIT_ACTION = 'rotate-secret';

/** Builds the handler from parsed config and clients; tests pass mocked clients and their own CA. */
export function createSecretRotationHandler(
  config: SecretRotationConfig,
  clients: SecretRotationClients,
  options: { readonly tls?: MysqlTls } = {},
) {
  const { logger, audit } = createHandlerServices({
    functionName: 'secret-rotation',
    config,
    dynamodb: clients.dynamodb,
  });
  const alerts = createAlertPublisher(config, clients.sns);
  const dependencies = {
    secretsManager: clients.secretsManager,
    tls: options.tls ?? AWS_TLS,
    logger,
    ...(config.EXCLUDE_CHARACTERS === undefined ? {} : { excludeCharacters: config.EXCLUDE_CHARACTERS }),
  };
  return async (event: unknown, context?: Pick<Context, 'functionName'>): Promise<StepResult> => {
    // Validation first: a bad event throws here, before any AWS call.
    const request = parseRotationEvent(event);
    const actor = context?.functionName ?? 'secret-rotation';
    const log = logger.child({ secretId: request.secretId, step: request.step, token: request.token });
    let result: StepResult;
    try {
      result = await runRotationStep(dependencies, request);
    } catch (error) {
      const errorName = error instanceof Error ? error.name : 'unknown';
      const message = error instanceof Error ? error.message : String(error);
      log.error('rotation step failed', { error, kind: classifyAwsError(error) });
      const audited = await audit.record({
        entity: request.secretId,
        action: ROTATION_AUDIT_ACTION,
        idempotencyKey: `${request.token}:${request.step}:failed`,
        actor,
        outcome: 'failure',
        details: { step: request.step, token: request.token, error: errorName, message },
      });
      // Secrets Manager retries failed steps: alert on the first failure of this step only.
      if (audited.recorded) {
        await alerts.publish({
          subject: `Secret rotation failed at ${request.step}`,
          details: { secretId: request.secretId, step: request.step, error: errorName, message },
        });
      }
      throw error;
    }
    await audit.record({
      entity: request.secretId,
      action: ROTATION_AUDIT_ACTION,
      idempotencyKey: `${request.token}:${request.step}`,
      actor,
      outcome: result.status === 'done' ? 'success' : 'skipped',
      details: { step: request.step, token: request.token, detail: result.detail },
    });
    log.info('rotation step', { status: result.status, detail: result.detail });
    return result;
  };
}
