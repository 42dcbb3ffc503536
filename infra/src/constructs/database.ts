import type { EnvironmentKind } from '@sep/spec';
import { physicalName } from '@sep/spec';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { kindPolicy } from '../kind-policy';
import { acrossPacks, suppress } from '../nag/suppressions';
import { encryptedLogGroup } from './log-group';

/** Logs Aurora MySQL exports to CloudWatch (all four: AwsSolutions-RDS16). */
export const DATABASE_LOG_TYPES = ['audit', 'error', 'general', 'slowquery'] as const;

/** Automated backup retention by kind: a day for throwaway data, the Aurora maximum (35) for prod. */
export const BACKUP_RETENTION_DAYS: Record<EnvironmentKind, number> = {
  ephemeral: 1,
  staging: 7,
  prod: 35,
};

const MYSQL_PORT = 3306;

export interface AuroraDatabaseProps {
  /** The environment's suffix: cluster identifier, log groups and the SSM parameter are named from it. */
  readonly environmentSuffix: string;

  /**
   * Decides protection and removal: `prod` turns on deletion protection and
   * retains the cluster; other kinds delete it. Backup retention follows
   * {@link BACKUP_RETENTION_DAYS}.
   */
  readonly kind: EnvironmentKind;

  /** The environment's VPC. */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets of the cluster's subnet group: one per AZ, so the writer and the reader sit in different zones.
   *
   * @default { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** CMK encrypting storage, snapshots and backups. */
  readonly storageEncryptionKey: kms.IKey;

  /** CMK encrypting the exported log groups (its policy must let CloudWatch Logs use it). */
  readonly logsEncryptionKey: kms.IKey;

  /**
   * Master credentials (`username` and `password` JSON). The cluster attaches
   * itself to the secret, which then also holds host, port and engine for the
   * rotation function.
   */
  readonly credentials: secretsmanager.ISecret;

  /**
   * Security groups whose members may connect on the MySQL port. Nothing else may.
   *
   * @default [] - no client yet; add with `connections.allowDefaultPortFrom`
   */
  readonly clientSecurityGroups?: readonly ec2.ISecurityGroup[];

  /**
   * Serverless v2 capacity range in ACUs.
   *
   * @default { min: 0.5, max: 4 }
   */
  readonly capacity?: { readonly min: number; readonly max: number };

  /**
   * Turn on MySQL's general query log. It records every statement with its
   * literal values, which can put cardholder data into CloudWatch, so it is off
   * unless an investigation needs it; the log group and export exist either way.
   *
   * @default false
   */
  readonly generalLog?: boolean;

  /**
   * Retention of the exported log groups.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Aurora MySQL Serverless v2 for one environment: isolated subnets across
 * AZs (writer + reader), CMK storage encryption, TLS 1.2+ required by the
 * cluster parameter group, IAM authentication, all logs exported to KMS log
 * groups, backups and deletion protection by kind, and the endpoint published
 * in SSM Parameter Store.
 *
 * The endpoint parameter is a plain `String`: CloudFormation cannot create a
 * `SecureString`, and the host name is not a secret (it resolves only inside
 * the VPC and the security group admits only listed clients). Everything secret
 * (user, password) lives in Secrets Manager under the secrets CMK, which is
 * where consumers read it.
 */
export class AuroraDatabase extends Construct {
  public readonly cluster: rds.DatabaseCluster;
  public readonly securityGroup: ec2.SecurityGroup;
  /** SSM parameter holding the writer endpoint's host name. */
  public readonly endpointParameter: ssm.StringParameter;
  public readonly logGroups: Record<(typeof DATABASE_LOG_TYPES)[number], logs.LogGroup>;

  constructor(scope: Construct, id: string, props: AuroraDatabaseProps) {
    super(scope, id);
    const suffix = props.environmentSuffix;
    const policy = kindPolicy(props.kind);
    const prod = policy.deletionProtection;
    const removalPolicy = policy.dataRemovalPolicy;
    const clusterIdentifier = physicalName('databaseCluster', { suffix });
    const engine = rds.DatabaseClusterEngine.auroraMysql({
      version: rds.AuroraMysqlEngineVersion.VER_3_10_0,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Aurora MySQL of ${suffix}: MySQL/TLS from listed clients only, no egress`,
      allowAllOutbound: false,
    });
    for (const client of props.clientSecurityGroups ?? []) {
      this.securityGroup.addIngressRule(
        client,
        ec2.Port.tcp(MYSQL_PORT),
        'MySQL over TLS from a listed client',
      );
    }

    const parameterGroup = new rds.ParameterGroup(this, 'ClusterParameters', {
      engine,
      description: `Aurora MySQL cluster parameters of ${suffix}: TLS 1.2+ only, audit log on`,
      parameters: {
        require_secure_transport: 'ON',
        tls_version: 'TLSv1.2,TLSv1.3',
        // Connections and privilege/schema changes, not row data.
        server_audit_logging: '1',
        server_audit_events: 'CONNECT,QUERY_DCL,QUERY_DDL',
        slow_query_log: '1',
        long_query_time: '2',
        general_log: props.generalLog === true ? '1' : '0',
        log_output: 'FILE',
      },
    });

    // RDS would create these on first export, unencrypted and kept forever;
    // creating them first (same names) gives them the logs CMK and retention.
    const logGroups = {} as Record<(typeof DATABASE_LOG_TYPES)[number], logs.LogGroup>;
    for (const logType of DATABASE_LOG_TYPES) {
      logGroups[logType] = encryptedLogGroup(this, `${logType}LogGroup`, {
        logGroupName: physicalName('databaseLogGroup', { suffix, part: logType }),
        encryptionKey: props.logsEncryptionKey,
        retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
        removalPolicy,
      });
    }
    this.logGroups = logGroups;

    const capacity = props.capacity ?? { min: 0.5, max: 4 };
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      clusterIdentifier,
      engine,
      credentials: rds.Credentials.fromSecret(props.credentials),
      writer: rds.ClusterInstance.serverlessV2('Writer', { autoMinorVersionUpgrade: true }),
      readers: [
        rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true, autoMinorVersionUpgrade: true }),
      ],
      serverlessV2MinCapacity: capacity.min,
      serverlessV2MaxCapacity: capacity.max,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      port: MYSQL_PORT,
      parameterGroup,
      storageEncrypted: true,
      storageEncryptionKey: props.storageEncryptionKey,
      iamAuthentication: true,
      deletionProtection: prod,
      removalPolicy,
      backup: { retention: Duration.days(BACKUP_RETENTION_DAYS[props.kind]), preferredWindow: '03:00-04:00' },
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      cloudwatchLogsExports: [...DATABASE_LOG_TYPES],
      monitoringInterval: Duration.minutes(1),
      copyTagsToSnapshot: true,
    });
    for (const logGroup of Object.values(logGroups)) this.cluster.node.addDependency(logGroup);

    this.endpointParameter = new ssm.StringParameter(this, 'EndpointParameter', {
      parameterName: physicalName('databaseEndpointParameter', { suffix }),
      description: `Writer endpoint host of ${clusterIdentifier} (not secret; credentials are in Secrets Manager)`,
      stringValue: this.cluster.clusterEndpoint.hostname,
      tier: ssm.ParameterTier.STANDARD,
    });

    this.suppressAcceptedFindings(prod);
  }

  private suppressAcceptedFindings(deletionProtected: boolean): void {
    // applyToChildren: the writer/reader instances and the monitoring role are
    // children the DatabaseCluster L2 creates; the findings are theirs.
    suppress(
      this.cluster,
      [
        {
          ruleId: 'AwsSolutions-RDS11',
          reason:
            'The default MySQL port is kept on purpose: a different port hides nothing from a scanner inside the VPC, while the cluster sits in isolated subnets with no route to the internet and its security group admits only listed client security groups.',
        },
        {
          ruleId: 'AwsSolutions-RDS14',
          reason:
            'Backtrack rewinds the cluster in place, destroying the later state of an audited system of record; recovery uses point-in-time restore into a new cluster from the automated backups (retention by environment kind), which keeps the original for investigation.',
        },
        {
          ruleId: 'AwsSolutions-IAM4',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
          ],
          reason:
            'Enhanced Monitoring requires a role RDS assumes to write OS metrics to the RDSOSMetrics log group; AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy for exactly that (logs actions on RDSOSMetrics only) and is attached to this dedicated role alone.',
        },
        {
          ruleId: 'NIST.800.53.R5-RDSInBackupPlan',
          reason:
            'Aurora is backed up per cluster, not per instance: the rule inspects the serverless instances, which AWS Backup cannot select. The cluster has continuous automated backups with point-in-time restore, retained by environment kind (35 days in prod, where an AWS Backup plan also vaults the cluster).',
        },
        ...(deletionProtected
          ? []
          : acrossPacks(
              [
                'AwsSolutions-RDS10',
                'PCI.DSS.321-RDSInstanceDeletionProtectionEnabled',
                'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
              ],
              'Deletion protection is on for prod only: ephemeral and staging environments must be destroyable by their pipeline and by the TTL sweeper (SPEC section 3).',
            ).map((suppression) => ({ ...suppression, kinds: ['ephemeral', 'staging'] as const }))),
      ],
      { applyToChildren: true },
    );
  }
}
