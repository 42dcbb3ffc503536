import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ARCHIVE_RETENTION_DAYS } from '../kind-policy';
import { suppress } from '../nag/suppressions';

/** Daily recovery points kept this long: as long as PITR reaches back. */
export const DAILY_BACKUP_DAYS = 35;

export interface VaultedBackupsProps {
  readonly environmentSuffix: string;
  /** Encrypts the vault's recovery points (the data key, which already encrypts the sources). */
  readonly encryptionKey: kms.IKey;
  /** What the plan backs up: table and cluster resources. */
  readonly resources: readonly backup.BackupResource[];
}

/**
 * Prod's vaulted backups: PITR and Aurora's automated backups live and die with the table and
 * the cluster (and their account's permissions); a KMS-encrypted AWS Backup vault keeps recovery
 * points apart from them, retained with the vault, with a daily rule (35 days) and a monthly rule
 * kept for the archive period, so a deleted or corrupted table is recoverable a year later.
 */
export class VaultedBackups extends Construct {
  public readonly vault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: VaultedBackupsProps) {
    super(scope, id);
    const suffix = props.environmentSuffix;
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
      // Nobody deletes a recovery point before its lifecycle does.
      blockRecoveryPointDeletion: true,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: events.Schedule.cron({ hour: '5', minute: '0' }),
          deleteAfter: Duration.days(DAILY_BACKUP_DAYS),
        }),
        new backup.BackupPlanRule({
          ruleName: 'monthly',
          scheduleExpression: events.Schedule.cron({ day: '1', hour: '5', minute: '0' }),
          moveToColdStorageAfter: Duration.days(30),
          deleteAfter: Duration.days(ARCHIVE_RETENTION_DAYS),
        }),
      ],
    });
    const role = new iam.Role(this, 'Role', {
      description: `AWS Backup creates and restores the recovery points of ${suffix}`,
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
    });
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BackupCopiesEncryptedSources',
        principals: [role],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
      }),
    );
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BackupGrantsForRecoveryPoints',
        principals: [role],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
    this.plan.addSelection('Selection', {
      resources: [...props.resources],
      role,
      allowRestores: false,
    });
    suppress(role, [
      {
        ruleId: 'AwsSolutions-IAM4',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
        ],
        reason:
          'AWS Backup documents these AWS-maintained policies for its service role: they list the per-service snapshot and restore calls (DynamoDB, RDS) AWS keeps current; the role is assumable by AWS Backup only and selected by this plan alone.',
      },
    ]);
  }
}
