import { type ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import type { AuditWriter } from '../../shared/audit';
import { classifyAwsError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { ConfigRuleRequest, ConfigurationItem } from './config-event';
import { fetchConfigurationItem } from './history';
import { type ComplianceExpectations, evaluateConfigurationItem, type Verdict } from './rules';

export interface EvaluatorDependencies {
  readonly config: ConfigServiceClient;
  readonly audit: AuditWriter;
  readonly logger: Logger;
  readonly expectations: ComplianceExpectations;
  /** Recorded as the audit actor. */
  readonly actor: string;
}

export interface EvaluationOutcome {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly verdict: Verdict;
}

export const EVALUATION_AUDIT_ACTION = 'config-evaluation';

/**
 * Judges one configuration item and reports it to Config with the invocation's result token.
 * The audit entry is keyed by rule and capture time, so a retried invocation records it once.
 * A failed PutEvaluations is audited as a failure (keyed by request id) and rethrown so that
 * Lambda retries and the error alarm sees it.
 */
export async function evaluateAndReport(
  dependencies: EvaluatorDependencies,
  options: { readonly request: ConfigRuleRequest; readonly requestId: string },
): Promise<EvaluationOutcome> {
  const { request } = options;
  const item: ConfigurationItem =
    request.messageType === 'ConfigurationItemChangeNotification'
      ? request.item
      : await fetchConfigurationItem({ client: dependencies.config, summary: request.summary });
  const verdict = evaluateConfigurationItem({
    item,
    eventLeftScope: request.eventLeftScope,
    expectations: dependencies.expectations,
  });
  const entity = item.ARN ?? `${item.resourceType}/${item.resourceId}`;
  const details = {
    configRuleName: request.configRuleName,
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    messageType: request.messageType,
    complianceType: verdict.complianceType,
    failures: [...verdict.failures],
    capturedAt: item.configurationItemCaptureTime,
  };
  try {
    const result = await dependencies.config.send(
      new PutEvaluationsCommand({
        ResultToken: request.resultToken,
        Evaluations: [
          {
            ComplianceResourceType: item.resourceType,
            ComplianceResourceId: item.resourceId,
            ComplianceType: verdict.complianceType,
            Annotation: verdict.annotation,
            OrderingTimestamp: new Date(item.configurationItemCaptureTime),
          },
        ],
      }),
    );
    const failed = result.FailedEvaluations ?? [];
    if (failed.length > 0) {
      throw new Error(`AWS Config rejected ${failed.length} evaluation(s) for ${entity}`);
    }
  } catch (error) {
    dependencies.logger.error('PutEvaluations failed', { entity, kind: classifyAwsError(error), error });
    await dependencies.audit.record({
      entity,
      action: EVALUATION_AUDIT_ACTION,
      idempotencyKey: `${request.configRuleName}@${item.configurationItemCaptureTime}:failed:${options.requestId}`,
      actor: dependencies.actor,
      outcome: 'failure',
      details: {
        ...details,
        error: error instanceof Error ? error.name : 'unknown',
        kind: classifyAwsError(error),
      },
    });
    throw error;
  }
  await dependencies.audit.record({
    entity,
    action: EVALUATION_AUDIT_ACTION,
    idempotencyKey: `${request.configRuleName}@${item.configurationItemCaptureTime}`,
    actor: dependencies.actor,
    outcome: 'success',
    details,
  });
  dependencies.logger.info('evaluated', { entity, complianceType: verdict.complianceType });
  return { resourceType: item.resourceType, resourceId: item.resourceId, verdict };
}
