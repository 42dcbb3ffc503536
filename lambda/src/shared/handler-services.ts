import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { AlertPublisher } from './alerts';
import { AuditWriter } from './audit';
import type { CommonEnvironment } from './config';
import { createLogger, type LogFields, type Logger } from './logger';

/**
 * The logger and audit writer every environment handler builds once at cold start from the
 * common variables, tagged with the function and environment so each log line and audit entry
 * says where it came from.
 */
export function createHandlerServices(options: {
  readonly functionName: string;
  readonly config: CommonEnvironment;
  readonly dynamodb: DynamoDBClient;
  /** Extra fields on every log line (e.g. `dryRun`). */
  readonly logFields?: LogFields;
}): { readonly logger: Logger; readonly audit: AuditWriter } {
  const { config } = options;
  return {
    logger: createLogger({
      level: config.LOG_LEVEL,
      fields: {
        function: options.functionName,
        environment: config.ENVIRONMENT_SUFFIX,
        ...options.logFields,
      },
    }),
    audit: new AuditWriter({
      tableName: config.AUDIT_TABLE_NAME,
      environmentSuffix: config.ENVIRONMENT_SUFFIX,
      client: options.dynamodb,
    }),
  };
}

/** The environment's alert topic publisher (SNS), for handlers that raise alerts. */
export function createAlertPublisher(config: CommonEnvironment, sns: SNSClient): AlertPublisher {
  return new AlertPublisher({
    client: sns,
    topicArn: config.ALERT_TOPIC_ARN,
    environmentSuffix: config.ENVIRONMENT_SUFFIX,
  });
}
