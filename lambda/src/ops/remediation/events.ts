import { z } from 'zod';
import { ValidationError, zodFieldErrors } from '../../shared/errors';

/**
 * EventBridge events the remediation function accepts, reduced to one resource to act on.
 * GuardDuty's "high" band starts at 7.0; Config events are acted on only when the new
 * result is NON_COMPLIANT. Everything else is a clear "skip", never a guess.
 */

/** GuardDuty severities 7.0–8.9 are High, 9.0+ Critical. */
export const MIN_GUARDDUTY_SEVERITY = 7;

export type RemediationTarget =
  | { readonly kind: 'access-key'; readonly userName: string; readonly accessKeyId: string }
  | { readonly kind: 's3-bucket'; readonly bucketName: string }
  | { readonly kind: 'instance'; readonly instanceId: string }
  | { readonly kind: 'security-group'; readonly groupId: string };

export interface RemediationRequest {
  /** EventBridge event id: with the target, the idempotency key of the audit entry. */
  readonly eventId: string;
  readonly source: 'guardduty' | 'config';
  readonly account: string;
  readonly region: string;
  /** GuardDuty finding type or Config rule name, for notifications. */
  readonly reason: string;
  readonly findingId?: string;
  readonly severity?: number;
  /** What to act on, or why nothing will be done. */
  readonly target: RemediationTarget | { readonly kind: 'none'; readonly skipReason: string };
}

const envelope = {
  id: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account ID'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region'),
};

const accessKeyIdSchema = z.string().regex(/^[A-Z0-9]{16,128}$/, 'must be an access key ID');

const guardDutySchema = z.object({
  ...envelope,
  source: z.literal('aws.guardduty'),
  'detail-type': z.literal('GuardDuty Finding'),
  detail: z.object({
    id: z.string().min(1),
    type: z.string().min(1),
    severity: z.number().min(0).max(10),
    resource: z.object({
      resourceType: z.string().min(1),
      accessKeyDetails: z
        .object({
          accessKeyId: z.string().optional(),
          userName: z.string().optional(),
          userType: z.string().optional(),
        })
        .optional(),
      s3BucketDetails: z.array(z.object({ name: z.string().min(3) })).optional(),
      instanceDetails: z.object({ instanceId: z.string().optional() }).optional(),
    }),
  }),
});

const configSchema = z.object({
  ...envelope,
  source: z.literal('aws.config'),
  'detail-type': z.literal('Config Rules Compliance Change'),
  detail: z.object({
    resourceId: z.string().min(1),
    resourceType: z.string().min(1),
    configRuleName: z.string().min(1),
    newEvaluationResult: z.object({ complianceType: z.string().min(1) }),
  }),
});

export function parseRemediationEvent(event: unknown): RemediationRequest {
  const source =
    typeof event === 'object' && event !== null ? (event as { source?: unknown }).source : undefined;
  if (source === 'aws.guardduty') return fromGuardDuty(event);
  if (source === 'aws.config') return fromConfig(event);
  throw new ValidationError('invalid remediation event', [
    { path: 'source', message: 'must be "aws.guardduty" or "aws.config"' },
  ]);
}

function fromGuardDuty(event: unknown): RemediationRequest {
  const parsed = guardDutySchema.safeParse(event);
  if (!parsed.success) {
    throw new ValidationError('invalid GuardDuty finding event', zodFieldErrors(parsed.error.issues));
  }
  const { detail } = parsed.data;
  const base = {
    eventId: parsed.data.id,
    source: 'guardduty' as const,
    account: parsed.data.account,
    region: parsed.data.region,
    reason: detail.type,
    findingId: detail.id,
    severity: detail.severity,
  };
  if (detail.severity < MIN_GUARDDUTY_SEVERITY) {
    return {
      ...base,
      target: { kind: 'none', skipReason: `severity ${detail.severity} is below ${MIN_GUARDDUTY_SEVERITY}` },
    };
  }
  const { resource } = detail;
  switch (resource.resourceType) {
    case 'AccessKey': {
      const key = resource.accessKeyDetails;
      if (key?.userType !== undefined && key.userType !== 'IAMUser') {
        return {
          ...base,
          target: {
            kind: 'none',
            skipReason: `principal type ${key.userType} has no access key to deactivate`,
          },
        };
      }
      const fields = [];
      const keyId = accessKeyIdSchema.safeParse(key?.accessKeyId);
      if (!keyId.success)
        fields.push({
          path: 'detail.resource.accessKeyDetails.accessKeyId',
          message: 'must be an access key ID',
        });
      if (key?.userName === undefined || key.userName.length === 0) {
        fields.push({ path: 'detail.resource.accessKeyDetails.userName', message: 'is required' });
      }
      if (!keyId.success || key?.userName === undefined || fields.length > 0) {
        throw new ValidationError('invalid GuardDuty finding event', fields);
      }
      return { ...base, target: { kind: 'access-key', userName: key.userName, accessKeyId: keyId.data } };
    }
    case 'S3Bucket': {
      const bucket = resource.s3BucketDetails?.[0]?.name;
      if (bucket === undefined) {
        throw new ValidationError('invalid GuardDuty finding event', [
          { path: 'detail.resource.s3BucketDetails', message: 'must name at least one bucket' },
        ]);
      }
      return { ...base, target: { kind: 's3-bucket', bucketName: bucket } };
    }
    case 'Instance': {
      const instanceId = resource.instanceDetails?.instanceId;
      if (instanceId === undefined || !/^i-[0-9a-f]{8,17}$/.test(instanceId)) {
        throw new ValidationError('invalid GuardDuty finding event', [
          { path: 'detail.resource.instanceDetails.instanceId', message: 'must be an EC2 instance ID' },
        ]);
      }
      return { ...base, target: { kind: 'instance', instanceId } };
    }
    default:
      return {
        ...base,
        target: { kind: 'none', skipReason: `no automated remediation for ${resource.resourceType}` },
      };
  }
}

function fromConfig(event: unknown): RemediationRequest {
  const parsed = configSchema.safeParse(event);
  if (!parsed.success) {
    throw new ValidationError('invalid Config compliance-change event', zodFieldErrors(parsed.error.issues));
  }
  const { detail } = parsed.data;
  const base = {
    eventId: parsed.data.id,
    source: 'config' as const,
    account: parsed.data.account,
    region: parsed.data.region,
    reason: detail.configRuleName,
  };
  if (detail.newEvaluationResult.complianceType !== 'NON_COMPLIANT') {
    return {
      ...base,
      target: { kind: 'none', skipReason: `compliance is ${detail.newEvaluationResult.complianceType}` },
    };
  }
  if (detail.resourceType === 'AWS::S3::Bucket') {
    return { ...base, target: { kind: 's3-bucket', bucketName: detail.resourceId } };
  }
  if (detail.resourceType === 'AWS::EC2::SecurityGroup') {
    if (!/^sg-[0-9a-f]{8,17}$/.test(detail.resourceId)) {
      throw new ValidationError('invalid Config compliance-change event', [
        { path: 'detail.resourceId', message: 'must be a security group ID' },
      ]);
    }
    return { ...base, target: { kind: 'security-group', groupId: detail.resourceId } };
  }
  return {
    ...base,
    target: { kind: 'none', skipReason: `no automated remediation for ${detail.resourceType}` },
  };
}
