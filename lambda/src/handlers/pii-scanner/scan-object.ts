import type { S3Client } from '@aws-sdk/client-s3';
import type { DataClassification } from '@sep/spec';
import { disallowedTypes } from '../../pii/policy';
import { scanStream } from '../../pii/stream';
import type { ScanResult } from '../../pii/types';
import type { AlertPublisher } from '../../shared/alerts';
import type { AuditDetailValue, AuditWriter } from '../../shared/audit';
import { classifyAwsError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { openObject } from '../../shared/s3-object';
import type { ScanRequest } from './event';
import { scanTags, tagObject } from './tagging';

export interface ScanObjectDependencies {
  readonly s3: S3Client;
  readonly audit: AuditWriter;
  readonly alerts: AlertPublisher;
  readonly logger: Logger;
  readonly dataBucketName: string;
  readonly dataClassification: DataClassification;
  /** Name recorded as the audit actor. */
  readonly actor: string;
}

export interface ScanObjectOptions {
  readonly request: ScanRequest;
  /** Epoch ms by which scanning must stop; tagging, audit and alert happen after it. */
  readonly deadline: number;
}

export type ScanObjectOutcome =
  | {
      readonly outcome: 'scanned';
      readonly verdict: ScanResult['verdict'];
      readonly alerted: boolean;
      readonly result: ScanResult;
    }
  | { readonly outcome: 'missing' };

/** Audit details for a scan: types, counts, masked samples and how far it got — never raw values. */
export function auditDetails(result: ScanResult): { [key: string]: AuditDetailValue } {
  return {
    verdict: result.verdict,
    status: result.status,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
    contentKind: result.contentKind,
    bytesRead: result.bytesRead,
    scannedBytes: result.scannedBytes,
    totalFindings: result.totalFindings,
    elapsedMs: result.elapsedMs,
    types: result.types.map((t) => ({
      type: t.type,
      count: t.count,
      findings: t.findings
        .slice(0, 20)
        .map((f) => ({ offset: f.offset, length: f.length, masked: f.masked })),
    })),
  };
}

/**
 * Scan one object of the data bucket → tag it → alert when PII is not allowed here or the
 * scan is incomplete (fail closed) → audit. A missing object is audited as skipped; access
 * denied is audited and alerted, then rethrown so the invocation fails visibly.
 */
export async function scanObject(
  deps: ScanObjectDependencies,
  options: ScanObjectOptions,
): Promise<ScanObjectOutcome> {
  const { request } = options;
  if (request.bucket !== deps.dataBucketName) {
    throw new Error(
      `refusing to scan bucket "${request.bucket}": this function scans only "${deps.dataBucketName}"`,
    );
  }
  const entity = `s3://${request.bucket}/${request.key}`;
  const log = deps.logger.child({ entity, trigger: request.trigger });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.max(0, options.deadline - Date.now()));
  let result: ScanResult;
  let versionKey: string;
  let versionId: string | undefined;
  try {
    const object = await openObject({
      client: deps.s3,
      bucket: request.bucket,
      key: request.key,
      versionId: request.versionId,
      abortSignal: abort.signal,
    });
    versionId = object.versionId;
    versionKey = object.versionId ?? object.etag ?? request.trigger;
    result = await scanStream({ source: object.body, deadline: options.deadline });
    // Release sockets of a stream the scanner stopped reading.
    abort.abort();
  } catch (error) {
    const kind = classifyAwsError(error);
    const idempotencyKey = request.versionId ?? request.trigger;
    if (kind === 'not-found') {
      await deps.audit.record({
        entity,
        action: 'pii-scan',
        idempotencyKey,
        actor: deps.actor,
        outcome: 'skipped',
        details: { reason: 'object no longer exists' },
      });
      log.info('object missing, nothing to scan');
      return { outcome: 'missing' };
    }
    if (kind === 'access-denied') {
      await deps.alerts.publish({
        subject: 'PII scan could not read an object',
        details: { object: entity, reason: 'access denied', verdict: 'incomplete' },
      });
      await deps.audit.record({
        entity,
        action: 'pii-scan',
        idempotencyKey,
        actor: deps.actor,
        outcome: 'failure',
        details: { reason: 'access denied', verdict: 'incomplete' },
      });
    }
    log.error('scan failed', { kind, error });
    throw error;
  } finally {
    clearTimeout(timer);
  }

  const found = result.types.map((t) => t.type);
  const notAllowed = disallowedTypes(deps.dataClassification, found);
  const dropped = await tagObject({
    client: deps.s3,
    bucket: request.bucket,
    key: request.key,
    // Tag exactly the version that was scanned, not whatever is current now.
    versionId,
    tags: scanTags(result),
  });
  if (dropped.length > 0) log.warn('dropped tags to stay within the 10-tag limit', { dropped });

  const alert = notAllowed.length > 0 || result.verdict === 'incomplete' || result.status !== 'complete';
  if (alert) {
    await deps.alerts.publish({
      subject:
        notAllowed.length > 0
          ? `PII not allowed for ${deps.dataClassification} data found`
          : 'PII scan incomplete: object not fully scanned',
      details: {
        object: entity,
        dataClassification: deps.dataClassification,
        notAllowed,
        ...auditDetails(result),
      },
    });
  }
  await deps.audit.record({
    entity,
    action: 'pii-scan',
    idempotencyKey: versionKey,
    actor: deps.actor,
    outcome: result.status === 'complete' ? 'success' : 'failure',
    details: { ...auditDetails(result), trigger: request.trigger, alerted: alert, notAllowed },
  });
  log.info('scanned', {
    verdict: result.verdict,
    status: result.status,
    totalFindings: result.totalFindings,
    alerted: alert,
  });
  return { outcome: 'scanned', verdict: result.verdict, alerted: alert, result };
}
