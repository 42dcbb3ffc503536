import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { auditAndAlertClients, COMMON_ENV, mockAuditAndAlerts } from '../../shared/handler.test-support';
import { loadConfig } from './config';
import { createDocumentApiHandler } from './handler';

const s3 = mockClient(S3Client);
const { documents, sns } = mockAuditAndAlerts();

const env = {
  ...COMMON_ENV,
  DATA_CLASSIFICATION: 'internal',
  DATA_BUCKET_NAME: 'data-dev',
  DATA_KEY_ARN: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  MAX_DOCUMENT_BYTES: '1024',
};
const context = { getRemainingTimeInMillis: () => 15_000 };

function api(overrides: Record<string, string> = {}) {
  return createDocumentApiHandler(loadConfig({ ...env, ...overrides }), {
    s3: new S3Client({ region: 'us-east-1' }),
    ...auditAndAlertClients(),
  });
}

function post(body: unknown, extra: { isBase64Encoded?: boolean; headers?: Record<string, string> } = {}) {
  return {
    httpMethod: 'POST',
    resource: '/documents',
    pathParameters: null,
    headers: extra.headers ?? { 'Content-Type': 'application/json' },
    isBase64Encoded: extra.isBase64Encoded ?? false,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function getFindings(documentId: string) {
  return {
    httpMethod: 'GET',
    resource: '/documents/{documentId}/findings',
    pathParameters: { documentId },
    headers: {},
    isBase64Encoded: false,
    body: null,
  };
}

function parse(result: { body: string }) {
  return JSON.parse(result.body);
}

function noSideEffects() {
  expect(s3.calls()).toHaveLength(0);
  expect(documents.calls()).toHaveLength(0);
  expect(sns.calls()).toHaveLength(0);
}

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({ ETag: '"e1"', VersionId: 'v1' });
});

describe('POST /documents', () => {
  it('stores with SSE-KMS and an encryption context, scans, audits, answers 201 with masked findings', async () => {
    const result = await api()(
      post({ documentId: 'doc-1', contentType: 'text/plain', content: 'call (415) 555-2671' }),
      context,
    );
    expect(result.statusCode).toBe(201);
    expect(parse(result)).toEqual({
      documentId: 'doc-1',
      verdict: 'pii',
      totalFindings: 1,
      findings: [
        { type: 'phone', count: 1, occurrences: [{ offset: 5, length: 14, masked: '***-***-2671' }] },
      ],
    });
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'data-dev',
      Key: 'documents/doc-1',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: env.DATA_KEY_ARN,
      IfNoneMatch: '*',
    });
    expect(JSON.parse(Buffer.from(put?.SSEKMSEncryptionContext ?? '', 'base64').toString())).toEqual({
      environment: 'dev',
      documentId: 'doc-1',
    });
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: 'document#doc-1',
      sk: 'pii-scan#v1',
    });
    // internal data may not hold PII: alerted, and nothing raw anywhere.
    const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(JSON.stringify([result.body, message, documents.calls()[0]?.args])).not.toContain('555-2671');
  });

  it('generates a document ID when none is given and raises no alert for clean text', async () => {
    const result = await api()(post({ contentType: 'text/csv', content: 'a,b\n1,2\n' }), context);
    expect(result.statusCode).toBe(201);
    expect(parse(result).documentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sns.calls()).toHaveLength(0);
  });

  it.each([
    ['missing fields', {}, 400, 'validation_failed', ['contentType', 'content']],
    ['wrong types', { contentType: 'text/plain', content: 42 }, 400, 'validation_failed', ['content']],
    [
      'unknown content type',
      { contentType: 'application/pdf', content: 'x' },
      400,
      'validation_failed',
      ['contentType'],
    ],
    [
      'bad document id',
      { documentId: '../etc', contentType: 'text/plain', content: 'x' },
      400,
      'validation_failed',
      ['documentId'],
    ],
    [
      'unknown field',
      { contentType: 'text/plain', content: 'x', owner: 'me' },
      400,
      'validation_failed',
      [''],
    ],
    [
      'oversized content',
      { contentType: 'text/plain', content: 'x'.repeat(1025) },
      413,
      'payload_too_large',
      ['content'],
    ],
    [
      'lone surrogate',
      { contentType: 'text/plain', content: 'bad \ud800 text' },
      400,
      'validation_failed',
      ['content'],
    ],
    [
      'NUL character',
      { contentType: 'text/plain', content: 'a\u0000b' },
      400,
      'validation_failed',
      ['content'],
    ],
  ])('%s → %i %s, field by field, nothing written', async (_name, body, status, code, paths) => {
    const result = await api()(post(body), context);
    expect(result.statusCode).toBe(status);
    const error = parse(result).error;
    expect(error.code).toBe(code);
    expect(error.fields.map((f: { path: string }) => f.path).sort()).toEqual([...paths].sort());
    noSideEffects();
  });

  it.each([
    ['no body', post(''), 400, 'missing_body'],
    ['not JSON', post('{"contentType":'), 400, 'invalid_json'],
    [
      'non-UTF-8 bytes',
      post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), { isBase64Encoded: true }),
      400,
      'invalid_encoding',
    ],
    ['a huge body refused unread', post('x'.repeat(1024 * 6 + 16 * 1024 + 1)), 413, 'payload_too_large'],
    [
      'wrong media type',
      post('{}', { headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    ],
  ])('%s → %i %s, nothing written', async (_name, event, status, code) => {
    const result = await api()(event, context);
    expect(result.statusCode).toBe(status);
    expect(parse(result).error.code).toBe(code);
    noSideEffects();
  });

  it('accepts a base64-encoded UTF-8 body', async () => {
    const body = Buffer.from(JSON.stringify({ contentType: 'text/plain', content: 'naïve café' })).toString(
      'base64',
    );
    const result = await api()(post(body, { isBase64Encoded: true }), context);
    expect(result.statusCode).toBe(201);
  });

  it('answers 409 when the document ID exists (no overwrite)', async () => {
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('precondition'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      }),
    );
    const result = await api()(
      post({ documentId: 'doc-1', contentType: 'text/plain', content: 'x' }),
      context,
    );
    expect(result.statusCode).toBe(409);
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 503 with retry-after when S3 throttles, and audits nothing', async () => {
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('slow'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }),
    );
    const result = await api()(post({ contentType: 'text/plain', content: 'x' }), context);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('2');
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 502 without leaking the AWS message when access is denied', async () => {
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('User arn:aws:iam::1:role/x is not authorized'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const result = await api()(post({ contentType: 'text/plain', content: 'x' }), context);
    expect(result.statusCode).toBe(502);
    expect(result.body).not.toContain('arn:aws');
  });
});

describe('GET /documents/{documentId}/findings', () => {
  it('returns the latest scan from the audit table', async () => {
    documents.on(QueryCommand).resolves({
      Items: [
        {
          pk: 'document#doc-1',
          sk: 'pii-scan#v1',
          timestamp: '2026-11-23T01:00:00.000Z',
          details: {
            verdict: 'pii',
            totalFindings: 1,
            findings: [{ type: 'email', count: 1, occurrences: [] }],
          },
        },
      ],
    });
    const result = await api()(getFindings('doc-1'), context);
    expect(result.statusCode).toBe(200);
    expect(parse(result)).toEqual({
      documentId: 'doc-1',
      scannedAt: '2026-11-23T01:00:00.000Z',
      verdict: 'pii',
      totalFindings: 1,
      findings: [{ type: 'email', count: 1, occurrences: [] }],
    });
  });

  it('404 for an unknown document', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    const result = await api()(getFindings('nope'), context);
    expect(result.statusCode).toBe(404);
  });

  it('400 for an invalid ID without querying', async () => {
    const result = await api()(getFindings('a b'), context);
    expect(result.statusCode).toBe(400);
    expect(documents.calls()).toHaveLength(0);
  });

  it('503 when DynamoDB throttles', async () => {
    documents
      .on(QueryCommand)
      .rejects(Object.assign(new Error('busy'), { name: 'ProvisionedThroughputExceededException' }));
    const result = await api()(getFindings('doc-1'), context);
    expect(result.statusCode).toBe(503);
  });
});

it('404 JSON for unknown routes', async () => {
  const result = await api()({ ...getFindings('x'), httpMethod: 'DELETE' }, context);
  expect(result.statusCode).toBe(404);
  expect(parse(result).error.code).toBe('not_found');
});
