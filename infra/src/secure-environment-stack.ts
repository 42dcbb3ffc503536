import type { EnvironmentSpec } from '@sep/spec';
import { physicalName, REGION_AVAILABILITY_ZONES } from '@sep/spec';
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ACCOUNT_TRAIL_LOG_GROUP_NAME } from './account-names';
import { HumanAccessRoles } from './constructs/access';
import { AlertTopic } from './constructs/alert-topic';
import { API_STAGE_NAME, SecureApi } from './constructs/api';
import { AuditLogArchive } from './constructs/archive';
import { VaultedBackups } from './constructs/backup';
import { EnvironmentCompliance } from './constructs/compliance';
import type { EnvironmentFunction } from './constructs/compute';
import { AuroraDatabase } from './constructs/database';
import { EnvironmentKeys } from './constructs/encryption';
import { SecurityMonitoring } from './constructs/monitoring';
import { IsolatedNetwork } from './constructs/network';
import { DatabaseSecret } from './constructs/secrets';
import { EnvironmentStorage } from './constructs/storage';
import { kindPolicy, LOG_RETENTION_DAYS } from './kind-policy';
import { suppressCdkHelpers } from './nag/cdk-helpers';
import { addEnvironmentFunctions } from './secure-environment-functions';
import { addEnvironmentOutputs, type SecureEnvironmentOutputs } from './secure-environment-outputs';
import { applyEnvironmentTags, tagCdkHelpers } from './tags';

export interface SecureEnvironmentStackProps extends StackProps {
  /** The validated spec (parseEnvironmentSpec) this environment is built from. */
  readonly spec: EnvironmentSpec;
}

/**
 * One secure environment: keys, buckets and tables, the isolated network, the
 * functions, the API, alerting and monitoring, Config rules and remediation,
 * secrets, the optional database and the human roles, switched by the spec.
 */
export class SecureEnvironmentStack extends Stack {
  public readonly spec: EnvironmentSpec;
  public readonly keys: EnvironmentKeys;
  public readonly storage: EnvironmentStorage;
  public readonly network: IsolatedNetwork;
  public readonly api: SecureApi;
  public readonly functions: Record<string, EnvironmentFunction>;
  public readonly alertTopic: sns.ITopic;
  public readonly compliance: EnvironmentCompliance;
  public readonly database?: AuroraDatabase;
  public readonly databaseSecret?: DatabaseSecret;
  public readonly access: HumanAccessRoles;
  public readonly outputs: SecureEnvironmentOutputs;
  /** Security features switched on, for the outputs and the portal. */
  public readonly securityFeatures: string[];

  /**
   * The region's zones from the spec's table, never a context lookup: with an explicit account CDK
   * would otherwise ask the CLI to look them up (credentials, `cdk.context.json`), which the
   * pipeline's synth in CodeBuild cannot do.
   */
  public override get availabilityZones(): string[] {
    return [...REGION_AVAILABILITY_ZONES[this.spec.region]];
  }

  constructor(scope: Construct, id: string, props: SecureEnvironmentStackProps) {
    const { spec } = props;
    const policy = kindPolicy(spec.kind);
    super(scope, id, {
      ...props,
      stackName: physicalName('environmentStack', { suffix: spec.environmentSuffix }),
      terminationProtection: policy.deletionProtection,
      description: `Secure environment ${spec.environmentSuffix} (${spec.kind}) — Secure Environment Portal`,
    });
    this.spec = spec;
    const suffix = spec.environmentSuffix;
    const features = spec.features;
    const privateApi = features.apiEndpointType === 'PRIVATE';

    this.keys = new EnvironmentKeys(this, 'Keys', {
      environmentSuffix: suffix,
      removalPolicy: policy.dataRemovalPolicy,
      logGroupPatterns: [
        `/sep/${suffix}/*`,
        physicalName('wafLogGroup', { suffix }),
        physicalName('databaseLogGroup', { suffix, part: '*' }),
      ],
    });
    const { data: dataKey, logs: logsKey, secrets: secretsKey } = this.keys;

    this.storage = new EnvironmentStorage(this, 'Storage', {
      environmentSuffix: suffix,
      policy,
      dataKey,
      logsKey,
    });
    EnvironmentKeys.allowService({
      key: logsKey,
      service: 'delivery.logs.amazonaws.com',
      use: 'encryptDecrypt',
      sid: 'FlowLogDeliveryToTheFlowLogBucket',
    });

    this.network = new IsolatedNetwork(this, 'Network', {
      environmentSuffix: suffix,
      region: spec.region,
      policy,
      flowLogBucket: this.storage.flowLogBucket,
      logsKey,
      networkFirewall: features.networkFirewall,
      executeApiEndpoint: privateApi,
    });
    const { vpc } = this.network;
    const { dataBucket, auditTable } = this.storage;

    this.alertTopic = new AlertTopic(this, 'Alerts', {
      topicName: physicalName('alertTopic', { suffix }),
      encryptionKey: logsKey,
      emailAddresses: spec.alertEmails,
    }).topic;

    const envBuckets = [
      dataBucket,
      this.storage.flowLogBucket,
      this.storage.auditLogBucket,
      this.storage.accessLogBucket,
    ];
    const { functions, complianceEvaluator, remediation, databaseClientGroup } = addEnvironmentFunctions(
      this,
      {
        spec,
        policy,
        keys: this.keys,
        storage: this.storage,
        network: this.network,
        alertTopic: this.alertTopic,
        envBuckets,
      },
    );
    this.functions = functions;

    this.restrictEndpoints(envBuckets);

    this.api = new SecureApi(this, 'Api', {
      environmentSuffix: suffix,
      policy,
      endpointType: features.apiEndpointType,
      executeApiEndpoint: this.network.interfaceEndpoints.ExecuteApi,
      documentFunction: functions.documentApi?.function,
      logsKey,
      secretsKey,
      waf: features.waf,
    });

    // The rotation function exists exactly when a secret is needed: the database feature, or an imported secret.
    if (functions.secretRotation !== undefined) {
      this.databaseSecret = new DatabaseSecret(this, 'DatabaseSecret', {
        environmentSuffix: suffix,
        kind: spec.kind,
        encryptionKey: secretsKey,
        existingSecretArn: spec.existingDatabaseSecretArn,
        rotationFunction: functions.secretRotation.function,
        rotateImmediately: features.database,
      });
    }
    if (features.database && this.databaseSecret !== undefined) {
      this.database = new AuroraDatabase(this, 'Database', {
        environmentSuffix: suffix,
        kind: spec.kind,
        vpc,
        vpcSubnets: { subnetGroupName: 'workload' },
        storageEncryptionKey: dataKey,
        logsEncryptionKey: logsKey,
        credentials: this.databaseSecret.secret,
        clientSecurityGroups: databaseClientGroup === undefined ? [] : [databaseClientGroup],
        logRetention: policy.logRetention,
      });
      this.databaseSecret.rotationSchedule?.node.addDependency(this.database.cluster);
      databaseClientGroup?.addEgressRule(
        ec2.Peer.securityGroupId(this.database.securityGroup.securityGroupId),
        // Aurora MySQL's default port (kept, see AwsSolutions-RDS11): a literal reviewers can read.
        ec2.Port.tcp(MYSQL_PORT),
        'MySQL (TLS enforced by the cluster) to the environment database only',
      );
    }

    // Security logs CloudWatch keeps 90 days go to the audit bucket for the archive period (flow
    // logs and CloudTrail already land in S3).
    if (policy.archiveRetentionDays > LOG_RETENTION_DAYS) {
      new AuditLogArchive(this, 'AuditArchive', {
        auditBucket: this.storage.auditLogBucket,
        logsKey,
        logGroups: {
          Api: this.api.accessLogGroup,
          ...(this.api.wafLogGroup === undefined ? {} : { Waf: this.api.wafLogGroup }),
          ...(this.database === undefined ? {} : { DatabaseAudit: this.database.logGroups.audit }),
          ...(this.network.firewallLogGroup === undefined ? {} : { Firewall: this.network.firewallLogGroup }),
        },
      });
    }
    if (policy.vaultedBackups) {
      new VaultedBackups(this, 'Backups', {
        environmentSuffix: suffix,
        encryptionKey: dataKey,
        resources: [
          backup.BackupResource.fromDynamoDbTable(auditTable),
          backup.BackupResource.fromDynamoDbTable(this.storage.transactionsTable),
          ...(this.database === undefined
            ? []
            : [backup.BackupResource.fromRdsDatabaseCluster(this.database.cluster)]),
        ],
      });
    }

    this.compliance = new EnvironmentCompliance(this, 'Compliance', {
      environmentSuffix: suffix,
      requiredTagValues: {
        Owner: spec.owner,
        Project: spec.project,
        CostCenter: spec.costCenter,
        DataClassification: spec.dataClassification,
        ComplianceLevel: spec.complianceLevel,
      },
      alertTopic: this.alertTopic,
      complianceEvaluator: complianceEvaluator.function,
      remediationFunction: features.guardDutyRemediation ? remediation.function : undefined,
      guardDutyFindings: features.guardDutyRemediation,
      checkWafAssociation: features.waf,
      checkDatabase: features.database,
    });

    const allFunctions = Object.values(functions);
    new SecurityMonitoring(this, 'Monitoring', {
      environmentSuffix: suffix,
      alertTopic: this.alertTopic,
      api: { restApi: this.api.restApi, stageName: API_STAGE_NAME, accessLogGroup: this.api.accessLogGroup },
      functions: allFunctions.map((fn) => ({
        label: fn.node.id.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase()),
        function: fn.function,
      })),
      trailLogGroup: logs.LogGroup.fromLogGroupName(this, 'AccountTrail', ACCOUNT_TRAIL_LOG_GROUP_NAME),
      keys: Object.values(this.keys.all()),
      buckets: envBuckets,
      complianceChangeRule: this.compliance.complianceChangeRule,
      webAclMetricName: this.api.webAclMetricName,
    });

    this.access = new HumanAccessRoles(this, 'Access', {
      environmentSuffix: suffix,
      allowedCidrs: spec.allowedCidrs,
      crossAccountAuditor: spec.crossAccountAuditor,
      resources: {
        logGroups: allFunctions.map((fn) => fn.logGroup).concat([this.api.accessLogGroup]),
        auditTable,
        auditTableKey: dataKey,
        dataBucket,
        dataKey,
        functions: allFunctions.map((fn) => fn.function),
        configRuleArns: this.compliance.configRuleNames.map((name) =>
          this.formatArn({ service: 'config', resource: 'config-rule', resourceName: name }),
        ),
      },
    });

    this.securityFeatures = [
      'kms-cmk-rotation',
      'tls-only-buckets',
      'isolated-vpc',
      'vpc-flow-logs',
      'vpc-endpoints',
      'api-key',
      'iam-sigv4-authorization',
      'request-validation',
      'dynamodb-pitr',
      'config-rules',
      'security-alarms',
      ...(features.waf ? ['waf'] : []),
      ...(features.networkFirewall ? ['network-firewall'] : []),
      ...(features.database ? ['aurora-tls'] : []),
      // An imported secret (ephemeral only, the spec refuses it elsewhere) is rotated by its owner.
      ...(this.databaseSecret === undefined
        ? []
        : [
            spec.existingDatabaseSecretArn === undefined
              ? 'secret-rotation-30d'
              : 'imported-secret-owner-rotated',
          ]),
      ...(policy.lockAuditLogs ? ['audit-log-object-lock'] : []),
      ...(policy.vaultedBackups ? ['vaulted-backups'] : []),
      ...(spec.crossAccountAuditor === undefined ? [] : ['cross-account-auditor']),
      ...(features.guardDutyRemediation ? ['guardduty-remediation'] : []),
      ...(privateApi ? ['private-api'] : []),
      ...(policy.mfaOnVersionDeletes ? ['mfa-version-deletes'] : []),
      ...(policy.deletionProtection ? ['termination-protection'] : []),
    ];

    applyEnvironmentTags(this, spec);
    tagCdkHelpers(this, spec);
    suppressCdkHelpers(this);
    this.outputs = addEnvironmentOutputs(this);
  }

  private restrictEndpoints(buckets: readonly s3.IBucket[]): void {
    const network = this.network;
    network.restrictS3Endpoint(buckets);
    network.restrictDynamoDbEndpoint([
      this.storage.auditTable.tableArn,
      this.storage.transactionsTable.tableArn,
    ]);
    network.restrictInterfaceEndpoint('Kms', {
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: Object.values(this.keys.all()).map((key) => key.keyArn),
    });
    network.restrictInterfaceEndpoint('Sns', {
      actions: ['sns:Publish'],
      resources: [this.alertTopic.topicArn],
    });
  }
}

const MYSQL_PORT = 3306;
