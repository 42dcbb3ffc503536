import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { parseConfigRuleEvent } from '../../ops/compliance/config-event';
import { type EvaluationOutcome, evaluateAndReport } from '../../ops/compliance/evaluator';
import { createHandlerServices } from '../../shared/handler-services';
import type { ComplianceEvaluatorConfig } from './config';

export interface ComplianceEvaluatorClients {
  readonly config: ConfigServiceClient;
  readonly dynamodb: DynamoDBClient;
}

export function defaultClients(): ComplianceEvaluatorClients {
  return { config: new ConfigServiceClient({}), dynamodb: new DynamoDBClient({}) };
}

/** Builds the handler from parsed config and clients (tests pass mocked clients). */
export function createComplianceEvaluatorHandler(
  config: ComplianceEvaluatorConfig,
  clients: ComplianceEvaluatorClients,
) {
  const { logger, audit } = createHandlerServices({
    functionName: 'compliance-evaluator',
    config,
    dynamodb: clients.dynamodb,
  });
  const expectations = {
    environmentSuffix: config.ENVIRONMENT_SUFFIX,
    dataKeyArn: config.DATA_KEY_ARN,
    logsKeyArn: config.LOGS_KEY_ARN,
    requiredLogRetentionDays: config.REQUIRED_LOG_RETENTION_DAYS,
  };
  return async (
    event: unknown,
    context?: Pick<Context, 'functionName' | 'awsRequestId'>,
  ): Promise<EvaluationOutcome> => {
    // Validation first: a bad event throws here, before any AWS call.
    const request = parseConfigRuleEvent(event);
    return evaluateAndReport(
      {
        config: clients.config,
        audit,
        logger,
        expectations,
        actor: context?.functionName ?? 'compliance-evaluator',
      },
      { request, requestId: context?.awsRequestId ?? 'local' },
    );
  };
}
