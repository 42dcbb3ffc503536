import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ValidationError } from '../../shared/errors';
import { auditAndAlertClients, COMMON_ENV, mockAuditAndAlerts } from '../../shared/handler.test-support';
import { loadConfig } from './config';
import { createPiiScannerHandler } from './handler';

const s3 = mockClient(S3Client);
const { documents, sns } = mockAuditAndAlerts();

const env = {
  ...COMMON_ENV,
  DATA_CLASSIFICATION: 'internal',
  DATA_BUCKET_NAME: 'data-dev',
};
const context = { getRemainingTimeInMillis: () => 60_000, functionName: 'pii-scanner-dev' };

function handlerFor(overrides: Record<string, string> = {}) {
  return createPiiScannerHandler(loadConfig({ ...env, ...overrides }), {
    s3: new S3Client({ region: 'us-east-1' }),
    ...auditAndAlertClients(),
  });
}

/** What the SDK hands back: a Node stream with the SDK's transform helpers. */
function body(bytes: Buffer) {
  return Object.assign(Readable.from([bytes]), { transformToByteArray: async () => new Uint8Array(bytes) });
}

function objectEvent(key = 'uploads/report.csv') {
  return {
    version: '0',
    id: 'evt-1',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: 'data-dev' }, object: { key, size: 10, etag: 'abc', 'version-id': 'v1' } },
  };
}

function serveObject(bytes: Buffer) {
  s3.on(HeadObjectCommand).resolves({ ContentLength: bytes.length, ETag: '"abc"', VersionId: 'v1' });
  s3.on(GetObjectCommand).callsFake((input: { Range?: string }) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
    const slice = match ? bytes.subarray(Number(match[1]), Number(match[2]) + 1) : bytes;
    return { Body: body(slice), ContentLength: slice.length };
  });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'Owner', Value: 'team-a' }] });
  s3.on(PutObjectTaggingCommand).resolves({});
  // Also after a test's reset of the audit and alert mocks.
  documents.on(PutCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
}

function putTags(): Record<string, string> {
  const tagSet = s3.commandCalls(PutObjectTaggingCommand)[0]?.args[0].input.Tagging?.TagSet ?? [];
  return Object.fromEntries(tagSet.map((t) => [t.Key, t.Value]));
}

function auditItem() {
  return documents.commandCalls(PutCommand)[0]?.args[0].input.Item;
}

function sideEffects() {
  return {
    s3: s3.calls().length,
    dynamodb: documents.calls().length,
    sns: sns.calls().length,
  };
}

beforeEach(() => {
  s3.reset();
});

describe('pii-scanner handler', () => {
  it('tags a clean object pii=false, audits it and raises no alert', async () => {
    serveObject(Buffer.from('quarterly report: nothing personal here\n'.repeat(100)));
    const outcome = await handlerFor()(objectEvent(), context);
    expect(outcome).toMatchObject({ outcome: 'scanned', verdict: 'clean', alerted: false });
    expect(putTags()).toEqual({ Owner: 'team-a', pii: 'false', 'pii-types': 'none', 'pii-scan': 'complete' });
    expect(s3.commandCalls(PutObjectTaggingCommand)[0]?.args[0].input.VersionId).toBe('v1');
    expect(auditItem()).toMatchObject({
      pk: 's3://data-dev/uploads/report.csv',
      sk: 'pii-scan#v1',
      outcome: 'success',
      actor: 'pii-scanner-dev',
    });
    expect(sns.calls()).toHaveLength(0);
  });

  it('alerts on PII an internal environment may not hold, without raw values anywhere', async () => {
    serveObject(Buffer.from('name,card\njo,4111 1111 1111 1111\nssn 536-90-4399\n'));
    const outcome = await handlerFor()(objectEvent(), context);
    expect(outcome).toMatchObject({ verdict: 'pii', alerted: true });
    expect(putTags()).toMatchObject({ pii: 'true', 'pii-types': 'payment-card+us-ssn' });
    const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain('************1111');
    const everything = JSON.stringify([message, auditItem()]);
    expect(everything).not.toContain('4111 1111 1111 1111');
    expect(everything).not.toContain('536-90-4399');
  });

  it('does not alert on PII a confidential environment may hold, but does on cards', async () => {
    serveObject(Buffer.from('contact jo@example.com'));
    await expect(
      handlerFor({ DATA_CLASSIFICATION: 'confidential' })(objectEvent(), context),
    ).resolves.toMatchObject({ alerted: false });
    s3.reset();
    documents.reset();
    sns.reset();
    serveObject(Buffer.from('card 4111 1111 1111 1111'));
    await expect(
      handlerFor({ DATA_CLASSIFICATION: 'confidential' })(objectEvent(), context),
    ).resolves.toMatchObject({ alerted: true });
  });

  it('tags binary content incomplete and alerts (fail closed)', async () => {
    serveObject(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31]));
    const outcome = await handlerFor({ DATA_CLASSIFICATION: 'restricted' })(objectEvent('scan.pdf'), context);
    expect(outcome).toMatchObject({ verdict: 'incomplete', alerted: true });
    expect(putTags()).toMatchObject({ pii: 'incomplete', 'pii-scan': 'unsupported' });
    expect(auditItem()).toMatchObject({ outcome: 'failure' });
  });

  it('scans gzip objects', async () => {
    serveObject(gzipSync(Buffer.from('log line AKIAIOSFODNN7EXAMPLE\n'.repeat(1000))));
    const outcome = await handlerFor({ DATA_CLASSIFICATION: 'restricted' })(objectEvent('logs.gz'), context);
    expect(outcome).toMatchObject({ verdict: 'pii', alerted: true });
    expect(putTags()).toMatchObject({ 'pii-types': 'aws-access-key-id' });
  });

  it('reads large objects with parallel ranged GETs pinned to the version', async () => {
    const text = Buffer.from(`${'x'.repeat(20 * 1024 * 1024)} SSN 536-90-4399 `);
    serveObject(text);
    const outcome = await handlerFor({ DATA_CLASSIFICATION: 'confidential' })(objectEvent(), context);
    expect(outcome).toMatchObject({ verdict: 'pii', alerted: false });
    const gets = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input);
    expect(gets).toHaveLength(3);
    expect(gets.every((g) => g.VersionId === 'v1' && g.Range?.startsWith('bytes='))).toBe(true);
  });

  it('tags a single-GET body that ends before ContentLength incomplete, never clean', async () => {
    const bytes = Buffer.from('quarterly report: nothing personal here\n'.repeat(100));
    serveObject(bytes);
    // The connection closes early without an error: the body ends 1,000 bytes short.
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: body(bytes.subarray(0, bytes.length - 1000)),
      ContentLength: bytes.length,
    }));
    const outcome = await handlerFor()(objectEvent(), context);
    expect(outcome).toMatchObject({ verdict: 'incomplete', alerted: true });
    expect(putTags()).toMatchObject({ pii: 'incomplete', 'pii-scan': 'failed' });
    expect(auditItem()).toMatchObject({
      outcome: 'failure',
      details: { reason: expect.stringMatching(/ended after 3000 of 4000 bytes/) },
    });
  });

  it('stops for the time budget and tags the object incomplete', async () => {
    // 3 MB with no time left after the post-scan reserve: the first budget check stops it.
    serveObject(Buffer.from('plain text '.repeat(300_000)));
    const outcome = await handlerFor()(objectEvent(), { ...context, getRemainingTimeInMillis: () => 1000 });
    expect(outcome).toMatchObject({ verdict: 'incomplete', alerted: true });
    expect(putTags()).toMatchObject({ pii: 'incomplete', 'pii-scan': 'partial' });
  });

  it('audits a missing object as skipped and tags nothing', async () => {
    s3.on(HeadObjectCommand).rejects(
      Object.assign(new Error('not found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }),
    );
    await expect(handlerFor()(objectEvent(), context)).resolves.toEqual({ outcome: 'missing' });
    expect(auditItem()).toMatchObject({ outcome: 'skipped' });
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it('on access denied: alerts, audits a failure and fails the invocation', async () => {
    s3.on(HeadObjectCommand).rejects(
      Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );
    documents.on(PutCommand).resolves({});
    sns.on(PublishCommand).resolves({});
    await expect(handlerFor()(objectEvent(), context)).rejects.toThrow('denied');
    expect(auditItem()).toMatchObject({ outcome: 'failure', details: { reason: 'access denied' } });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('on throttling: fails the invocation for a retry, writing nothing', async () => {
    s3.on(HeadObjectCommand).rejects(
      Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }),
    );
    await expect(handlerFor()(objectEvent(), context)).rejects.toThrow('slow down');
    expect(documents.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
  });

  it('treats an already-recorded scan (a retry) as success', async () => {
    serveObject(Buffer.from('clean'));
    documents
      .on(PutCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    await expect(handlerFor()(objectEvent(), context)).resolves.toMatchObject({ verdict: 'clean' });
  });

  it.each([
    ['missing detail', { 'detail-type': 'Object Created', source: 'aws.s3', id: 'e' }],
    ['wrong key type', { ...objectEvent(), detail: { bucket: { name: 'data-dev' }, object: { key: 42 } } }],
    ['empty direct invoke', {}],
    ['unknown field', { bucket: 'data-dev', key: 'a', extra: true }],
    ['key too long', { bucket: 'data-dev', key: 'k'.repeat(1025) }],
    ['lone surrogate in key', { bucket: 'data-dev', key: 'bad\ud800key' }],
    ['not an object', 'scan everything'],
  ])('refuses %s with a clear error and no side effect', async (_name, event) => {
    await expect(handlerFor()(event, context)).rejects.toThrow(ValidationError);
    expect(sideEffects()).toEqual({ s3: 0, dynamodb: 0, sns: 0 });
  });

  it('refuses another bucket before touching anything', async () => {
    await expect(handlerFor()({ bucket: 'someone-else', key: 'a' }, context)).rejects.toThrow(
      /only "data-dev"/,
    );
    expect(sideEffects()).toEqual({ s3: 0, dynamodb: 0, sns: 0 });
  });

  it('names every bad environment variable', () => {
    expect(() => loadConfig({ ...env, DATA_CLASSIFICATION: 'secret', ALERT_TOPIC_ARN: 'nope' })).toThrow(
      /ALERT_TOPIC_ARN.*DATA_CLASSIFICATION|DATA_CLASSIFICATION.*ALERT_TOPIC_ARN/,
    );
  });
});
