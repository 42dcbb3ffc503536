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
}

export const LOG_RETENTION_DAYS = 90;
export const ARCHIVE_RETENTION_DAYS = 400;

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
  };
}
