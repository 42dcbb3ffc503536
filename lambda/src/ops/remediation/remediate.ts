import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AlertPublisher } from '../../shared/alerts';
import type { AuditOutcome, AuditWriter } from '../../shared/audit';
import { classifyAwsError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { belongsToEnvironment, environmentTagValue } from '../tags';
import { inspectAccessKey } from './access-key';
import { reversalOf } from './actions';
import { inspectBucketPublicAccess } from './bucket-public-access';
import type { RemediationRequest, RemediationTarget } from './events';
import type { ArnContext, Inspection } from './inspection';
import { inspectInstanceQuarantine } from './instance-quarantine';
import { inspectSecurityGroupIngress } from './security-group-ingress';

export interface RemediationDependencies {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly ec2: EC2Client;
  readonly audit: AuditWriter;
  readonly alerts: AlertPublisher;
  readonly logger: Logger;
  /** Only resources tagged `Environment=<this>` are touched. */
  readonly environmentSuffix: string;
  /** Read, decide, audit and notify, but change nothing. */
  readonly dryRun: boolean;
  /** The environment's rule-less security group that compromised instances are moved to. */
  readonly quarantineGroupId: string;
  /** `aws`, `aws-cn`, `aws-us-gov`: for the ARNs written to the audit trail. */
  readonly partition: string;
  /** Recorded as the audit actor. */
  readonly actor: string;
}

export interface RemediationOutcome {
  readonly outcome: AuditOutcome;
  readonly action?: string;
  readonly entity?: string;
  /** Why this outcome, in one sentence. */
  readonly reason: string;
}

/**
 * Reads the resource (its tags and its current state) and only then decides. Nothing is
 * changed unless the resource carries this environment's tag, still needs the change and
 * DRY_RUN is off. Every decision is audited once per event; changes and dry runs are
 * notified. Throttling propagates (Lambda retries; every step is idempotent); access
 * denied is audited, alerted and reported without a retry that could not succeed.
 */
export async function remediate(
  dependencies: RemediationDependencies,
  options: { readonly request: RemediationRequest },
): Promise<RemediationOutcome> {
  const { request } = options;
  const { logger, audit } = dependencies;
  const trigger = {
    source: request.source,
    reason: request.reason,
    ...(request.findingId === undefined ? {} : { findingId: request.findingId }),
    ...(request.severity === undefined ? {} : { severity: request.severity }),
  };
  const { target } = request;
  if (target.kind === 'none') {
    await audit.record({
      entity: `event#${request.eventId}`,
      action: 'remediate',
      idempotencyKey: request.eventId,
      actor: dependencies.actor,
      outcome: 'skipped',
      details: { ...trigger, skipReason: target.skipReason },
    });
    logger.info('nothing to remediate', { eventId: request.eventId, reason: target.skipReason });
    return { outcome: 'skipped', reason: target.skipReason };
  }

  const arn: ArnContext = {
    partition: dependencies.partition,
    account: request.account,
    region: request.region,
  };
  let inspection: Inspection;
  try {
    inspection = await inspect(dependencies, target, arn);
  } catch (error) {
    return handleAwsFailure(dependencies, {
      request,
      trigger,
      error,
      step: 'inspect',
      action: 'remediate',
      entity: `event#${request.eventId}`,
    });
  }

  const record = (outcome: AuditOutcome, extra: Record<string, string>) =>
    audit.record({
      entity: inspection.entity,
      action: inspection.action,
      idempotencyKey: request.eventId,
      actor: dependencies.actor,
      outcome,
      details: {
        ...trigger,
        ...inspection.details,
        ...extra,
        dryRun: dependencies.dryRun,
        ...(outcome === 'skipped' ? {} : { reversal: reversalOf(inspection.action) }),
      },
    });
  const base = { action: inspection.action, entity: inspection.entity };

  if (inspection.state === 'missing') {
    await record('skipped', { skipReason: inspection.summary });
    return { ...base, outcome: 'skipped', reason: inspection.summary };
  }
  if (!belongsToEnvironment(inspection.tags, dependencies.environmentSuffix)) {
    const found = environmentTagValue(inspection.tags);
    const reason = `resource is not tagged Environment=${dependencies.environmentSuffix} (found ${found === null ? 'no Environment tag' : `Environment=${found}`})`;
    logger.warn('refused: resource of another environment', { entity: inspection.entity, found });
    await record('skipped', { skipReason: reason });
    return { ...base, outcome: 'skipped', reason };
  }
  if (inspection.state === 'already-remediated') {
    await record('skipped', { skipReason: inspection.summary });
    return { ...base, outcome: 'skipped', reason: inspection.summary };
  }
  if (dependencies.dryRun) {
    await record('dry-run', { plannedAction: inspection.summary });
    await dependencies.alerts.publish({
      subject: `DRY RUN remediation: ${inspection.action}`,
      details: { ...trigger, entity: inspection.entity, wouldDo: inspection.summary, ...inspection.details },
    });
    return { ...base, outcome: 'dry-run', reason: `would ${inspection.summary}` };
  }
  try {
    await inspection.apply();
  } catch (error) {
    return handleAwsFailure(dependencies, { request, trigger, error, step: 'apply', ...base });
  }
  await record('success', { performedAction: inspection.summary });
  await dependencies.alerts.publish({
    subject: `Remediated: ${inspection.action}`,
    details: { ...trigger, entity: inspection.entity, done: inspection.summary, ...inspection.details },
  });
  logger.info('remediated', { entity: inspection.entity, action: inspection.action });
  return { ...base, outcome: 'success', reason: inspection.summary };
}

function inspect(
  dependencies: RemediationDependencies,
  target: RemediationTarget,
  arn: ArnContext,
): Promise<Inspection> {
  switch (target.kind) {
    case 'access-key':
      return inspectAccessKey({
        iam: dependencies.iam,
        userName: target.userName,
        accessKeyId: target.accessKeyId,
        arn,
      });
    case 's3-bucket':
      return inspectBucketPublicAccess({ s3: dependencies.s3, bucketName: target.bucketName, arn });
    case 'instance':
      return inspectInstanceQuarantine({
        ec2: dependencies.ec2,
        instanceId: target.instanceId,
        quarantineGroupId: dependencies.quarantineGroupId,
        arn,
      });
    case 'security-group':
      return inspectSecurityGroupIngress({ ec2: dependencies.ec2, groupId: target.groupId, arn });
  }
}

async function handleAwsFailure(
  dependencies: RemediationDependencies,
  options: {
    readonly request: RemediationRequest;
    readonly trigger: Record<string, string | number>;
    readonly error: unknown;
    readonly step: 'inspect' | 'apply';
    readonly action: string;
    readonly entity: string;
  },
): Promise<RemediationOutcome> {
  const kind = classifyAwsError(options.error);
  const errorName = options.error instanceof Error ? options.error.name : 'unknown';
  dependencies.logger.error('remediation call failed', {
    step: options.step,
    kind,
    entity: options.entity,
    error: options.error,
  });
  if (kind === 'not-found') {
    const reason = `resource not found during ${options.step} (${errorName})`;
    await dependencies.audit.record({
      entity: options.entity,
      action: options.action,
      idempotencyKey: options.request.eventId,
      actor: dependencies.actor,
      outcome: 'skipped',
      details: { ...options.trigger, skipReason: reason },
    });
    return { outcome: 'skipped', action: options.action, entity: options.entity, reason };
  }
  // Throttling and unknown failures: nothing written, Lambda retries the whole (idempotent) run.
  if (kind !== 'access-denied') throw options.error;
  const reason = `access denied during ${options.step} (${errorName}): check the function's role`;
  await dependencies.audit.record({
    entity: options.entity,
    action: options.action,
    idempotencyKey: `${options.request.eventId}:failed`,
    actor: dependencies.actor,
    outcome: 'failure',
    details: { ...options.trigger, error: errorName, step: options.step },
  });
  await dependencies.alerts.publish({
    subject: `Remediation FAILED: ${options.action}`,
    details: { ...options.trigger, entity: options.entity, error: errorName, step: options.step },
  });
  return { outcome: 'failure', action: options.action, entity: options.entity, reason };
}
