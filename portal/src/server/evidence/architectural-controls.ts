import type { EnvironmentSpecInput } from '@sep/spec';
import type { ArchitecturalControlId } from './pci-requirements';

/**
 * What the stage builds for an environment, read from its spec (kind and features), so the bundle
 * says which control this environment has rather than what the platform can do. The figures are
 * infra's `kindPolicy` (`infra/src/kind-policy.ts`; `architectural-controls.test.ts` compares them).
 */
export const ARCHIVE_RETENTION_DAYS = { ephemeral: 90, staging: 400, prod: 400 } as const;
/** Object Lock (governance mode) retention of prod's security-log buckets. */
export const AUDIT_LOCK_DAYS = 365;
/** PCI DSS v4.0 10.5.1: twelve months of audit log history. */
const REQUIRED_RETENTION_DAYS = 365;

export type ControlStatus = 'in-place' | 'not-in-place' | 'not-applicable';

export interface ControlEvaluation {
  readonly id: ArchitecturalControlId;
  readonly title: string;
  readonly status: ControlStatus;
  /** What in the spec or kind makes it so. */
  readonly evidence: string;
}

type Spec = Pick<EnvironmentSpecInput, 'kind'> & {
  readonly features?: { readonly waf?: boolean | undefined } | undefined;
};

export function evaluateControl(id: ArchitecturalControlId, spec: Spec): ControlEvaluation {
  const { kind } = spec;
  const waf = spec.features?.waf ?? true;
  switch (id) {
    case 'isolated-vpc':
      return {
        id,
        title: 'Isolated VPC per environment',
        status: 'in-place',
        evidence:
          'Every stage builds its own VPC (private isolated subnets for data, VPC endpoints instead of an internet route for AWS APIs, flow logs to an encrypted bucket); no VPC is shared between environments.',
      };
    case 'kms-key-per-purpose':
      return {
        id,
        title: 'One customer-managed KMS key per purpose, rotation on',
        status: 'in-place',
        evidence:
          'The stage creates one customer-managed key per purpose (data, logs, lambda, secrets: infra KEY_PURPOSES), each with automatic rotation and a kms:ViaService condition.',
      };
    case 'tls-only-buckets':
      return {
        id,
        title: 'Buckets refuse requests without TLS 1.2+',
        status: 'in-place',
        evidence: 'Every bucket of the stage has enforceSSL and minimumTLSVersion 1.2 in its bucket policy.',
      };
    case 'audit-object-lock':
      return kind === 'prod'
        ? {
            id,
            title: 'Object Lock on audit data',
            status: 'in-place',
            evidence: `kind prod: the audit-archive and flow-log buckets have S3 Object Lock in governance mode for ${AUDIT_LOCK_DAYS} days.`,
          }
        : {
            id,
            title: 'Object Lock on audit data',
            status: 'not-applicable',
            evidence: `kind ${kind}: Object Lock is prod only (a locked object would block this environment's teardown); versioning protects its logs.`,
          };
    case 'log-retention-12-months': {
      const days = ARCHIVE_RETENTION_DAYS[kind];
      return {
        id,
        title: 'Audit logs kept at least 12 months',
        status: days >= REQUIRED_RETENTION_DAYS ? 'in-place' : 'not-in-place',
        evidence:
          days >= REQUIRED_RETENTION_DAYS
            ? `kind ${kind}: security logs are archived to S3 for ${days} days (the first 90 immediately available in CloudWatch and S3 Standard).`
            : `kind ${kind}: security logs are kept ${days} days; an ephemeral environment must not hold cardholder data.`,
      };
    }
    case 'waf-on-api':
      return {
        id,
        title: 'WAFv2 web ACL in front of the API',
        status: waf ? 'in-place' : 'not-in-place',
        evidence: waf
          ? 'features.waf is on: the API stage is associated with a WAFv2 web ACL (AWS managed rule groups and a rate limit).'
          : 'features.waf is off in this environment spec: no web ACL protects the API.',
      };
    case 'least-privilege-roles':
      return {
        id,
        title: 'Least-privilege IAM roles',
        status: 'in-place',
        evidence:
          'Roles are granted through grant* methods on named resources (no wildcard actions); human-assumable roles are limited to the spec allowedCidrs.',
      };
    case 'mfa-on-version-deletes':
      return kind === 'prod'
        ? {
            id,
            title: 'MFA required to delete object versions',
            status: 'in-place',
            evidence: 'kind prod: the data bucket policy denies version deletes without MFA.',
          }
        : {
            id,
            title: 'MFA required to delete object versions',
            status: 'not-applicable',
            evidence: `kind ${kind}: prod only.`,
          };
  }
}
