import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { parseRemediationEvent } from '../../ops/remediation/events';
import { type RemediationOutcome, remediate } from '../../ops/remediation/remediate';
import { createAlertPublisher, createHandlerServices } from '../../shared/handler-services';
import type { RemediationConfig } from './config';

export interface RemediationClients {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly ec2: EC2Client;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
}

export function defaultClients(): RemediationClients {
  return {
    iam: new IAMClient({}),
    s3: new S3Client({}),
    ec2: new EC2Client({}),
    dynamodb: new DynamoDBClient({}),
    sns: new SNSClient({}),
  };
}

/** Builds the handler from parsed config and clients (tests pass mocked clients). */
export function createRemediationHandler(config: RemediationConfig, clients: RemediationClients) {
  const { logger, audit } = createHandlerServices({
    functionName: 'remediation',
    config,
    dynamodb: clients.dynamodb,
    logFields: { dryRun: config.DRY_RUN },
  });
  const alerts = createAlertPublisher(config, clients.sns);
  // The alert topic lives in this environment's partition, so do the resources it protects.
  const partition = config.ALERT_TOPIC_ARN.split(':')[1] ?? 'aws';
  return async (event: unknown, context?: Pick<Context, 'functionName'>): Promise<RemediationOutcome> => {
    // Validation first: a bad event throws here, before any AWS call.
    const request = parseRemediationEvent(event);
    return remediate(
      {
        iam: clients.iam,
        s3: clients.s3,
        ec2: clients.ec2,
        audit,
        alerts,
        logger,
        environmentSuffix: config.ENVIRONMENT_SUFFIX,
        dryRun: config.DRY_RUN,
        quarantineGroupId: config.QUARANTINE_SECURITY_GROUP_ID,
        partition,
        actor: context?.functionName ?? 'remediation',
      },
      { request },
    );
  };
}
