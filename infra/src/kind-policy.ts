import type { EnvironmentKind } from '@sep/spec';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/** What an environment's `kind` decides (SPEC section 3), in one place. */
export interface KindPolicy {
  /** Removal policy of data stores: buckets, tables, keys, the database. */
  readonly dataRemovalPolicy: RemovalPolicy;
  /** Removal policy of everything else that has one (log groups, queues). */
  readonly removalPolicy: RemovalPolicy;
  /** Empty buckets on stack deletion (a custom resource): ephemeral only. */
  readonly autoDeleteObjects: boolean;
  /** Stack termination protection and table/database deletion protection. */
  readonly deletionProtection: boolean;
  /** Days audit-relevant logs stay in CloudWatch: 90, the seeds' figure. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Days audit-relevant objects (flow logs, access logs, archived audit logs)
   * stay in S3. PCI DSS v4.0 10.5.1 asks for twelve months: 400 days for
   * staging and prod leaves margin; ephemeral environments keep 90.
   */
  readonly archiveRetentionDays: number;
  /** Require MFA on object-version deletes in the data bucket policy. */
  readonly mfaOnVersionDeletes: boolean;
  /**
   * S3 Object Lock (governance mode, {@link AUDIT_LOCK_DAYS}) on the buckets holding security logs
   * (audit archive, flow logs): prod only, because a locked object cannot be deleted before its
   * retention ends, which would block the teardown ephemeral and staging environments offer.
   */
  readonly lockAuditLogs: boolean;
  /** An AWS Backup plan and KMS vault for the tables and the database: prod only (PITR elsewhere). */
  readonly vaultedBackups: boolean;
}

export const LOG_RETENTION_DAYS = 90;
export const ARCHIVE_RETENTION_DAYS = 400;
/** Days a security log stays in S3 Standard before Glacier: the "immediately available" three months of PCI DSS 10.5.1. */
export const HOT_ARCHIVE_DAYS = 90;
/** Object Lock retention of prod security logs: the twelve months of PCI DSS 10.5.1 (the lifecycle deletes at 400). */
export const AUDIT_LOCK_DAYS = 365;

export function kindPolicy(kind: EnvironmentKind): KindPolicy {
  const persistent = kind !== 'ephemeral';
  const prod = kind === 'prod';
  return {
    dataRemovalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: kind === 'ephemeral',
    deletionProtection: prod,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    archiveRetentionDays: persistent ? ARCHIVE_RETENTION_DAYS : LOG_RETENTION_DAYS,
    mfaOnVersionDeletes: prod,
    lockAuditLogs: prod,
    vaultedBackups: prod,
  };
}
