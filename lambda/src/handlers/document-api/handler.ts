import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { disallowedTypes } from '../../pii/policy';
import { scanText } from '../../pii/scanner';
import type { AlertPublisher } from '../../shared/alerts';
import type { AuditWriter } from '../../shared/audit';
import { classifyAwsError } from '../../shared/errors';
import { createAlertPublisher, createHandlerServices } from '../../shared/handler-services';
import { errorResponse, jsonResponse } from '../../shared/http';
import type { Logger } from '../../shared/logger';
import type { DocumentApiConfig } from './config';
import { DOCUMENT_ID_PATTERN, type DocumentRequest, parseDocumentBody } from './request';

/** Seed 003's budget: the whole flow answers within 15 s. Stop AWS calls with this much to spare. */
const RESPONSE_RESERVE_MS = 1000;
const SCAN_ACTION = 'pii-scan';

export interface DocumentApiClients {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
}

export function defaultClients(): DocumentApiClients {
  return { s3: new S3Client({}), dynamodb: new DynamoDBClient({}), sns: new SNSClient({}) };
}

type ApiEvent = Pick<
  APIGatewayProxyEvent,
  'httpMethod' | 'resource' | 'pathParameters' | 'body' | 'isBase64Encoded' | 'headers'
> & {
  readonly requestContext?: {
    readonly requestId?: string;
    readonly identity?: { readonly userArn?: string | null; readonly caller?: string | null };
  };
};

interface Services {
  readonly config: DocumentApiConfig;
  readonly s3: S3Client;
  readonly audit: AuditWriter;
  readonly alerts: AlertPublisher;
  readonly logger: Logger;
}

/** Maps an AWS failure to a response without leaking its message. */
function awsFailure(error: unknown, logger: Logger, stage: string): APIGatewayProxyResult {
  const kind = classifyAwsError(error);
  logger.error(`${stage} failed`, { kind, error });
  if (kind === 'throttled') {
    return {
      ...errorResponse({ statusCode: 503, code: 'throttled', message: 'the service is busy, retry shortly' }),
      headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '2' },
    };
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return errorResponse({
      statusCode: 504,
      code: 'timeout',
      message: `${stage} did not finish within the time budget`,
    });
  }
  return errorResponse({ statusCode: 502, code: 'storage_unavailable', message: `${stage} failed` });
}

async function postDocument(
  services: Services,
  event: ApiEvent,
  deadline: number,
): Promise<APIGatewayProxyResult> {
  const { config, logger } = services;
  const parsed = parseDocumentBody(event, config.MAX_DOCUMENT_BYTES);
  if (!parsed.ok) {
    return errorResponse({
      statusCode: parsed.statusCode,
      code: parsed.code,
      message: parsed.message,
      ...(parsed.fields ? { fields: parsed.fields } : {}),
    });
  }
  const document: DocumentRequest = parsed.document;
  const documentId = document.documentId ?? randomUUID();
  const key = `documents/${documentId}`;
  // Scan before storing (in memory, milliseconds): the response and the audit need the findings,
  // and the scan of the request body is the scan of exactly the bytes stored.
  const scan = scanText(document.content, { maxFindingsPerType: 20 });
  const found = scan.types.map((t) => t.type);
  const notAllowed = disallowedTypes(config.DATA_CLASSIFICATION, found);
  const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  let versionKey: string;
  try {
    const put = await services.s3.send(
      new PutObjectCommand({
        Bucket: config.DATA_BUCKET_NAME,
        Key: key,
        Body: document.content,
        ContentType: `${document.contentType}; charset=utf-8`,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: config.DATA_KEY_ARN,
        SSEKMSEncryptionContext: Buffer.from(
          JSON.stringify({ environment: config.ENVIRONMENT_SUFFIX, documentId }),
        ).toString('base64'),
        // A document ID is written once: a second POST with the same ID is a conflict, not an overwrite.
        IfNoneMatch: '*',
      }),
      { abortSignal: signal },
    );
    versionKey = put.VersionId ?? put.ETag ?? documentId;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 412 || (error as Error).name === 'PreconditionFailed') {
      return errorResponse({
        statusCode: 409,
        code: 'document_exists',
        message: `document "${documentId}" already exists`,
      });
    }
    return awsFailure(error, logger, 'storing the document');
  }
  const findings = scan.types.map((t) => ({
    type: t.type,
    count: t.count,
    occurrences: t.findings.map((f) => ({ offset: f.offset, length: f.length, masked: f.masked })),
  }));
  const actor =
    event.requestContext?.identity?.userArn ?? event.requestContext?.identity?.caller ?? 'api-caller';
  try {
    if (notAllowed.length > 0) {
      await services.alerts.publish({
        subject: `PII not allowed for ${config.DATA_CLASSIFICATION} data posted`,
        details: {
          document: documentId,
          object: `s3://${config.DATA_BUCKET_NAME}/${key}`,
          notAllowed,
          findings,
        },
      });
    }
    await services.audit.record({
      entity: `document#${documentId}`,
      action: SCAN_ACTION,
      idempotencyKey: versionKey,
      actor,
      outcome: 'success',
      details: {
        object: `s3://${config.DATA_BUCKET_NAME}/${key}`,
        contentType: document.contentType,
        bytes: Buffer.byteLength(document.content, 'utf8'),
        verdict: scan.total > 0 ? 'pii' : 'clean',
        totalFindings: scan.total,
        notAllowed,
        alerted: notAllowed.length > 0,
        findings,
      },
    });
  } catch (error) {
    return awsFailure(error, logger, 'recording the findings');
  }
  return jsonResponse(201, {
    documentId,
    verdict: scan.total > 0 ? 'pii' : 'clean',
    totalFindings: scan.total,
    findings,
  });
}

async function getFindings(
  services: Services,
  documentId: string | undefined,
): Promise<APIGatewayProxyResult> {
  if (documentId === undefined || !DOCUMENT_ID_PATTERN.test(documentId)) {
    return errorResponse({
      statusCode: 400,
      code: 'validation_failed',
      message: 'documentId is invalid',
      fields: [{ path: 'documentId', message: 'must be 1–128 letters, digits, ".", "_" or "-"' }],
    });
  }
  let items: Awaited<ReturnType<AuditWriter['listForEntity']>>;
  try {
    items = await services.audit.listForEntity({ entity: `document#${documentId}`, action: SCAN_ACTION });
  } catch (error) {
    return awsFailure(error, services.logger, 'reading the findings');
  }
  const latest = items[items.length - 1];
  if (latest === undefined) {
    return errorResponse({ statusCode: 404, code: 'not_found', message: `no document "${documentId}"` });
  }
  const details = latest.details as { verdict?: unknown; totalFindings?: unknown; findings?: unknown };
  return jsonResponse(200, {
    documentId,
    scannedAt: latest.timestamp,
    verdict: details.verdict,
    totalFindings: details.totalFindings,
    findings: details.findings,
  });
}

/** Builds the API Gateway proxy handler from parsed config and clients. */
export function createDocumentApiHandler(config: DocumentApiConfig, clients: DocumentApiClients) {
  const { logger, audit } = createHandlerServices({
    functionName: 'document-api',
    config,
    dynamodb: clients.dynamodb,
  });
  const services: Services = {
    config,
    s3: clients.s3,
    logger,
    audit,
    alerts: createAlertPublisher(config, clients.sns),
  };
  return async (
    event: ApiEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<APIGatewayProxyResult> => {
    const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? 15_000) - RESPONSE_RESERVE_MS;
    const route = `${event.httpMethod} ${event.resource}`;
    try {
      if (route === 'POST /documents') return await postDocument(services, event, deadline);
      if (route === 'GET /documents/{documentId}/findings')
        return await getFindings(services, event.pathParameters?.documentId);
      return errorResponse({ statusCode: 404, code: 'not_found', message: `no route ${route}` });
    } catch (error) {
      logger.error('unhandled error', { route, error });
      return errorResponse({ statusCode: 500, code: 'internal_error', message: 'internal error' });
    }
  };
}
