import { belongsToEnvironment } from '../tags';
import type { ConfigurationItem } from './config-event';
import { isSameKmsKey } from './kms-key';

export const EVALUATED_RESOURCE_TYPES = ['AWS::S3::Bucket', 'AWS::Logs::LogGroup'] as const;
export const COMPLIANCE_TYPES = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'] as const;
export type ComplianceType = (typeof COMPLIANCE_TYPES)[number];

/** Config drops annotations longer than this. */
export const MAX_ANNOTATION_LENGTH = 256;

/** Statuses for which there is no live resource to judge. */
const GONE_STATUSES = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded', 'ResourceNotRecorded']);

export interface ComplianceExpectations {
  /** Environment whose resources this rule judges (tag `Environment`). */
  readonly environmentSuffix: string;
  /** The environment's data CMK: S3 buckets must default-encrypt with it. */
  readonly dataKeyArn: string;
  /** The environment's logs CMK: log groups must be encrypted with it. */
  readonly logsKeyArn: string;
  /** Minimum CloudWatch Logs retention; "never expire" satisfies it. */
  readonly requiredLogRetentionDays: number;
}

export interface Verdict {
  readonly complianceType: ComplianceType;
  /** Human summary for the Config console, at most 256 characters. */
  readonly annotation: string;
  /** Every failed check, for the audit trail (empty unless NON_COMPLIANT). */
  readonly failures: readonly string[];
}

export function evaluateConfigurationItem(options: {
  readonly item: ConfigurationItem;
  readonly eventLeftScope: boolean;
  readonly expectations: ComplianceExpectations;
}): Verdict {
  const { item, expectations } = options;
  if (options.eventLeftScope) return notApplicable('resource left the rule scope');
  if (GONE_STATUSES.has(item.configurationItemStatus)) {
    return notApplicable(`resource status is ${item.configurationItemStatus}`);
  }
  if (!belongsToEnvironment(item.tags, expectations.environmentSuffix)) {
    return notApplicable(`resource is not tagged Environment=${expectations.environmentSuffix}`);
  }
  let failures: string[];
  if (item.resourceType === 'AWS::S3::Bucket') failures = s3BucketFailures(item, expectations);
  else if (item.resourceType === 'AWS::Logs::LogGroup') failures = logGroupFailures(item, expectations);
  else return notApplicable(`resource type ${item.resourceType} is not evaluated by this rule`);
  if (failures.length === 0) {
    return { complianceType: 'COMPLIANT', annotation: 'all checks passed', failures };
  }
  return { complianceType: 'NON_COMPLIANT', annotation: truncate(failures.join('; ')), failures };
}

function notApplicable(reason: string): Verdict {
  return { complianceType: 'NOT_APPLICABLE', annotation: truncate(reason), failures: [] };
}

function truncate(text: string): string {
  return text.length <= MAX_ANNOTATION_LENGTH ? text : `${text.slice(0, MAX_ANNOTATION_LENGTH - 1)}…`;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** S3: default SSE-KMS with the data CMK, a TLS-only bucket policy, all four public-access blocks on. */
export function s3BucketFailures(item: ConfigurationItem, expectations: ComplianceExpectations): string[] {
  const supplementary = item.supplementaryConfiguration ?? {};
  const failures: string[] = [];

  const rules = asArray(asRecord(supplementary.ServerSideEncryptionConfiguration)?.rules);
  const encryptedWithDataKey = rules.some((rule) => {
    const defaults = asRecord(asRecord(rule)?.applyServerSideEncryptionByDefault);
    const algorithm = defaults?.sseAlgorithm;
    const keyId = defaults?.kmsMasterKeyID;
    return (
      (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') &&
      typeof keyId === 'string' &&
      isSameKmsKey(keyId, expectations.dataKeyArn)
    );
  });
  if (!encryptedWithDataKey)
    failures.push("default encryption is not SSE-KMS with the environment's data key");

  const bucketArn = item.ARN ?? `arn:aws:s3:::${item.resourceName ?? item.resourceId}`;
  if (!denyInsecureTransport(asRecord(supplementary.BucketPolicy)?.policyText, bucketArn)) {
    failures.push('bucket policy does not deny requests without TLS (aws:SecureTransport=false)');
  }

  const block = asRecord(supplementary.PublicAccessBlockConfiguration);
  const blockFlags = ['blockPublicAcls', 'ignorePublicAcls', 'blockPublicPolicy', 'restrictPublicBuckets'];
  const off = blockFlags.filter((flag) => block?.[flag] !== true);
  if (off.length > 0) failures.push(`public access block not fully on (${off.join(', ')})`);
  return failures;
}

/**
 * True when the policy has a Deny for everyone on s3:* (or all actions) covering the bucket and its
 * objects under `aws:SecureTransport = false` — what CDK's `enforceSSL` writes.
 */
export function denyInsecureTransport(policyText: unknown, bucketArn: string): boolean {
  let policy: unknown = policyText;
  if (typeof policyText === 'string') {
    try {
      policy = JSON.parse(policyText);
    } catch {
      return false;
    }
  }
  const statements = asArray(asRecord(policy)?.Statement);
  return statements.some((raw) => {
    const statement = asRecord(raw);
    if (statement?.Effect !== 'Deny') return false;
    const principal = statement.Principal;
    const everyone = principal === '*' || asArray(asRecord(principal)?.AWS).some((entry) => entry === '*');
    const actions = asArray(statement.Action);
    const allActions = actions.some((action) => action === 's3:*' || action === '*');
    const resources = asArray(statement.Resource);
    const coversBucket = resources.some((r) => r === bucketArn || r === '*');
    const coversObjects = resources.some((r) => r === `${bucketArn}/*` || r === '*');
    const bool = asRecord(asRecord(statement.Condition)?.Bool);
    const insecure = bool?.['aws:SecureTransport'];
    const onInsecure =
      insecure === 'false' || insecure === false || (Array.isArray(insecure) && insecure.includes('false'));
    return everyone && allActions && coversBucket && coversObjects && onInsecure;
  });
}

/** Log groups: encrypted with the logs CMK, retention at least the required days (or never expiring). */
export function logGroupFailures(item: ConfigurationItem, expectations: ComplianceExpectations): string[] {
  const configuration = item.configuration ?? {};
  const failures: string[] = [];
  // Config has reported this type with both camelCase and CloudFormation-style names.
  const keyId = configuration.kmsKeyId ?? configuration.KmsKeyId;
  if (typeof keyId !== 'string' || !isSameKmsKey(keyId, expectations.logsKeyArn)) {
    failures.push("log group is not encrypted with the environment's logs key");
  }
  const retention = configuration.retentionInDays ?? configuration.RetentionInDays;
  if (retention !== undefined && retention !== null) {
    if (typeof retention !== 'number' || retention < expectations.requiredLogRetentionDays) {
      failures.push(
        `retention ${String(retention)} days is below the required ${expectations.requiredLogRetentionDays}`,
      );
    }
  }
  return failures;
}
