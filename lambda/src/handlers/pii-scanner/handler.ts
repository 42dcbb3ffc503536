import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { createAlertPublisher, createHandlerServices } from '../../shared/handler-services';
import type { PiiScannerConfig } from './config';
import { parseScanEvent } from './event';
import { type ScanObjectOutcome, scanObject } from './scan-object';

/** Time kept back from the Lambda timeout for tagging, alerting and auditing after a scan. */
export const POST_SCAN_RESERVE_MS = 4000;

export interface PiiScannerClients {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
}

export function defaultClients(): PiiScannerClients {
  return { s3: new S3Client({}), dynamodb: new DynamoDBClient({}), sns: new SNSClient({}) };
}

/** Builds the handler from parsed config and clients (tests pass mocked clients). */
export function createPiiScannerHandler(config: PiiScannerConfig, clients: PiiScannerClients) {
  const { logger, audit } = createHandlerServices({
    functionName: 'pii-scanner',
    config,
    dynamodb: clients.dynamodb,
  });
  const alerts = createAlertPublisher(config, clients.sns);
  return async (
    event: unknown,
    context?: Pick<Context, 'getRemainingTimeInMillis' | 'functionName'>,
  ): Promise<ScanObjectOutcome> => {
    // Validation first: a bad event throws here, before any AWS call.
    const request = parseScanEvent(event);
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
    return scanObject(
      {
        s3: clients.s3,
        audit,
        alerts,
        logger,
        dataBucketName: config.DATA_BUCKET_NAME,
        dataClassification: config.DATA_CLASSIFICATION,
        actor: context?.functionName ?? 'pii-scanner',
      },
      { request, deadline: Date.now() + Math.max(0, remaining - POST_SCAN_RESERVE_MS) },
    );
  };
}
