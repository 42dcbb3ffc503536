import type { EnvironmentSpec } from '@sep/spec';
import { physicalName, REGION_AVAILABILITY_ZONES } from '@sep/spec';
import { CfnOutput, Duration, Fn, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { ACCOUNT_TRAIL_LOG_GROUP_NAME } from './account-names';
import { HumanAccessRoles } from './constructs/access';
import { API_STAGE_NAME, SecureApi } from './constructs/api';
import { AuditLogArchive } from './constructs/archive';
import { VaultedBackups } from './constructs/backup';
import { EnvironmentCompliance } from './constructs/compliance';
import { EnvironmentFunction } from './constructs/compute';
import { AuroraDatabase } from './constructs/database';
import { EnvironmentKeys } from './constructs/encryption';
import { AlertTopic, SecurityMonitoring } from './constructs/monitoring';
import { IsolatedNetwork } from './constructs/network';
import { DatabaseSecret } from './constructs/secrets';
import { EnvironmentStorage } from './constructs/storage';
import { kindPolicy, LOG_RETENTION_DAYS } from './kind-policy';
import { suppressCdkHelpers } from './nag/cdk-helpers';
import { PACK_NAMES } from './nag/report';
import { suppress } from './nag/suppressions';
import { applyEnvironmentTags, tagCdkHelpers } from './tags';

export interface SecureEnvironmentStackProps extends StackProps {
  /** The validated spec (parseEnvironmentSpec) this environment is built from. */
  readonly spec: EnvironmentSpec;
}

/** The stack outputs (SPEC section 4), as CfnOutput objects for `envFromCfnOutputs`. */
export interface SecureEnvironmentOutputs {
  readonly apiUrl: CfnOutput;
  readonly apiKeyId: CfnOutput;
  readonly apiKeySecretArn: CfnOutput;
  readonly dataBucketName: CfnOutput;
  readonly dataKeyArn: CfnOutput;
  readonly logsKeyArn: CfnOutput;
  readonly lambdaKeyArn: CfnOutput;
  readonly secretsKeyArn: CfnOutput;
  readonly vpcId: CfnOutput;
  readonly subnetIds: CfnOutput;
  readonly alertTopicArn: CfnOutput;
  readonly auditTableName: CfnOutput;
  readonly transactionsTableName: CfnOutput;
  /** `none` when the waf feature is off. */
  readonly webAclArn: CfnOutput;
  /** `none` when the database feature is off. */
  readonly databaseEndpointParameterName: CfnOutput;
  readonly encryptedResourceCount: CfnOutput;
  readonly securityFeatures: CfnOutput;
  readonly complianceSummary: CfnOutput;
}

/** Output keys, in the order of SPEC section 4. */
export const OUTPUT_KEYS = [
  'apiUrl',
  'apiKeyId',
  'apiKeySecretArn',
  'dataBucketName',
  'dataKeyArn',
  'logsKeyArn',
  'lambdaKeyArn',
  'secretsKeyArn',
  'vpcId',
  'subnetIds',
  'alertTopicArn',
  'auditTableName',
  'transactionsTableName',
  'webAclArn',
  'databaseEndpointParameterName',
  'encryptedResourceCount',
  'securityFeatures',
  'complianceSummary',
] as const satisfies readonly (keyof SecureEnvironmentOutputs)[];

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
    const { data: dataKey, logs: logsKey, lambda: lambdaKey, secrets: secretsKey } = this.keys;

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

    const quarantineGroup = new ec2.SecurityGroup(this, 'QuarantineSecurityGroup', {
      vpc,
      description: `Quarantine of ${suffix}: no ingress, no egress (remediation moves compromised ENIs here)`,
      allowAllOutbound: false,
    });

    const common = {
      ENVIRONMENT_SUFFIX: suffix,
      AUDIT_TABLE_NAME: auditTable.tableName,
      ALERT_TOPIC_ARN: this.alertTopic.topicArn,
      DATA_CLASSIFICATION: spec.dataClassification,
      LOG_LEVEL: spec.kind === 'prod' ? 'info' : 'debug',
    };
    const auditWrite = new iam.PolicyStatement({
      sid: 'AuditTrail',
      actions: ['dynamodb:PutItem'],
      resources: [auditTable.tableArn],
    });
    const alert = new iam.PolicyStatement({
      sid: 'Alerts',
      actions: ['sns:Publish'],
      resources: [this.alertTopic.topicArn],
    });
    const fnBase = {
      environmentSuffix: suffix,
      vpc,
      vpcSubnets: { subnetGroupName: 'workload' },
      securityGroups: [this.network.workloadSecurityGroup],
      lambdaKey,
      logsKey,
      logRetention: policy.logRetention,
      removalPolicy: policy.removalPolicy,
    };
    const envBuckets = [
      dataBucket,
      this.storage.flowLogBucket,
      this.storage.auditLogBucket,
      this.storage.accessLogBucket,
    ];

    const functions: Record<string, EnvironmentFunction> = {};
    functions.piiScanner = new EnvironmentFunction(this, 'PiiScanner', {
      ...fnBase,
      handlerName: 'pii-scanner',
      nameKind: 'piiScannerFunction',
      description: 'Scans new objects of the data bucket for PII and tags them',
      environment: { ...common, DATA_BUCKET_NAME: dataBucket.bucketName },
      statements: [
        new iam.PolicyStatement({
          sid: 'ScanAndTagObjects',
          actions: ['s3:GetObject', 's3:GetObjectTagging', 's3:PutObjectTagging'],
          resources: [dataBucket.arnForObjects('*')],
        }),
        auditWrite,
        alert,
      ],
      keyUses: [{ key: dataKey, use: 'decrypt' }],
      timeout: DOCUMENT_TIMEOUT,
      memorySize: 512,
    });
    new events.Rule(this, 'ScanNewObjects', {
      ruleName: physicalName('eventRule', { suffix, part: 'pii-scan' }),
      description: `Objects created in the data bucket of ${suffix} go to the PII scanner`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [dataBucket.bucketName] } },
      },
      targets: [new targets.LambdaFunction(functions.piiScanner.function, { retryAttempts: 2 })],
    });

    if (features.documentPipeline) {
      functions.documentApi = new EnvironmentFunction(this, 'DocumentApi', {
        ...fnBase,
        handlerName: 'document-api',
        nameKind: 'documentApiFunction',
        description: 'Document API: validate, encrypt under the data key, scan, audit (seed 003)',
        environment: {
          ...common,
          DATA_BUCKET_NAME: dataBucket.bucketName,
          DATA_KEY_ARN: dataKey.keyArn,
          MAX_DOCUMENT_BYTES: '1048576',
        },
        statements: [
          new iam.PolicyStatement({
            sid: 'StoreDocuments',
            actions: ['s3:PutObject', 's3:GetObject'],
            resources: [dataBucket.arnForObjects('*')],
          }),
          new iam.PolicyStatement({
            sid: 'AuditTrailAndFindings',
            actions: ['dynamodb:PutItem', 'dynamodb:Query'],
            resources: [auditTable.tableArn, `${auditTable.tableArn}/index/by-timestamp`],
          }),
          alert,
        ],
        keyUses: [{ key: dataKey, use: 'encryptDecrypt' }],
        timeout: DOCUMENT_TIMEOUT,
        memorySize: 512,
      });
    }

    functions.complianceEvaluator = new EnvironmentFunction(this, 'ComplianceEvaluator', {
      ...fnBase,
      handlerName: 'compliance-evaluator',
      nameKind: 'complianceEvaluatorFunction',
      description: 'AWS Config custom rule: KMS encryption and 90-day retention of this environment',
      environment: {
        ...common,
        DATA_KEY_ARN: dataKey.keyArn,
        LOGS_KEY_ARN: logsKey.keyArn,
        REQUIRED_LOG_RETENTION_DAYS: String(LOG_RETENTION_DAYS),
      },
      statements: [auditWrite, alert],
      timeout: CONTROL_TIMEOUT,
    });

    functions.remediation = new EnvironmentFunction(this, 'Remediation', {
      ...fnBase,
      handlerName: 'remediation',
      nameKind: 'remediationFunction',
      description:
        'Remediates high-severity GuardDuty findings and Config non-compliance of this environment',
      environment: {
        ...common,
        // Every kind acts: each action is reversible and audited (lambda remediation README), so prod
        // needs no approval step to contain a high-severity finding.
        DRY_RUN: 'false',
        QUARANTINE_SECURITY_GROUP_ID: quarantineGroup.securityGroupId,
      },
      statements: [
        // Actions and scopes from @sep/lambda's remediation/permissions.ts (REQUIRED_ACTIONS, RESOURCE_SCOPE).
        new iam.PolicyStatement({
          sid: 'InspectNetwork',
          actions: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'QuarantineInterfaces',
          actions: ['ec2:ModifyNetworkInterfaceAttribute'],
          resources: [
            this.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' }),
            this.formatArn({
              service: 'ec2',
              resource: 'security-group',
              resourceName: quarantineGroup.securityGroupId,
            }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'RememberPreQuarantineGroups',
          actions: ['ec2:CreateTags'],
          resources: [this.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
          conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['sep:pre-quarantine-groups'] } },
        }),
        new iam.PolicyStatement({
          sid: 'RevokeOpenIngressOfThisEnvironment',
          actions: ['ec2:RevokeSecurityGroupIngress'],
          resources: [this.formatArn({ service: 'ec2', resource: 'security-group', resourceName: '*' })],
          conditions: { StringEquals: { 'aws:ResourceTag/Environment': suffix } },
        }),
        new iam.PolicyStatement({
          sid: 'InspectUsers',
          actions: ['iam:ListUserTags', 'iam:ListAccessKeys'],
          resources: [this.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' })],
        }),
        new iam.PolicyStatement({
          sid: 'DisableKeysOfThisEnvironmentsUsers',
          actions: ['iam:UpdateAccessKey'],
          resources: [this.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' })],
          conditions: { StringEquals: { 'iam:ResourceTag/Environment': suffix } },
        }),
        new iam.PolicyStatement({
          sid: 'RestoreBucketPublicAccessBlock',
          actions: ['s3:GetBucketTagging', 's3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
          resources: envBuckets.map((bucket) => bucket.bucketArn),
        }),
        auditWrite,
        alert,
      ],
      timeout: CONTROL_TIMEOUT,
    });

    const needsSecret = features.database || spec.existingDatabaseSecretArn !== undefined;
    // Only the rotation function talks MySQL: it alone gets a group with the database port.
    const databaseClientGroup = features.database
      ? new ec2.SecurityGroup(this, 'DatabaseClientSecurityGroup', {
          vpc,
          description: `Database clients of ${suffix}: HTTPS to AWS endpoints and MySQL to the cluster only`,
          allowAllOutbound: false,
        })
      : undefined;
    databaseClientGroup?.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to VPC endpoints (no internet route exists)',
    );
    if (needsSecret) {
      functions.secretRotation = new EnvironmentFunction(this, 'SecretRotation', {
        ...fnBase,
        securityGroups: databaseClientGroup === undefined ? fnBase.securityGroups : [databaseClientGroup],
        handlerName: 'secret-rotation',
        nameKind: 'secretRotationFunction',
        description: 'Rotates the database credentials every 30 days (Secrets Manager four-step rotation)',
        environment: { ...common },
        statements: [auditWrite, alert],
        keyUses: [{ key: secretsKey, use: 'encryptDecrypt' }],
        timeout: CONTROL_TIMEOUT,
      });
    }
    this.functions = functions;
    this.suppressObjectLevelFindings(functions);

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

    if (needsSecret && functions.secretRotation !== undefined) {
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
      complianceEvaluator: functions.complianceEvaluator.function,
      remediationFunction: features.guardDutyRemediation ? functions.remediation.function : undefined,
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
    this.outputs = this.addOutputs();
  }

  /**
   * Object keys are chosen at run time (document IDs, uploaded keys), so object
   * permissions name `<data bucket ARN>/*` of this one bucket; ENIs and
   * instances are created at run time and the remediation statement holds them
   * to this environment's tag.
   */
  private suppressObjectLevelFindings(functions: Record<string, EnvironmentFunction>): void {
    const objects = { regex: '/^Resource::<StorageDataBucket[0-9A-F]{8}\\.Arn>\\/\\*$/' };
    for (const name of ['piiScanner', 'documentApi'] as const) {
      const fn = functions[name];
      if (fn === undefined) continue;
      suppress(fn.policy, [
        {
          ruleId: 'AwsSolutions-IAM5',
          appliesTo: [objects],
          reason:
            'Object keys are created at run time (document IDs, uploaded keys); the statement names only the objects of this environment data bucket and only the object actions the function calls.',
        },
      ]);
    }
    const remediation = functions.remediation;
    if (remediation !== undefined) {
      suppress(remediation.policy, [
        {
          ruleId: 'AwsSolutions-IAM5',
          appliesTo: [
            // Region and account are literals with an explicit env, pseudo parameters without one.
            { regex: `/^Resource::arn:<AWS::Partition>:ec2:${REGION}:${ACCOUNT}:network-interface\\/\\*$/` },
            { regex: `/^Resource::arn:<AWS::Partition>:ec2:${REGION}:${ACCOUNT}:security-group\\/\\*$/` },
            { regex: `/^Resource::arn:<AWS::Partition>:iam::${ACCOUNT}:user\\/\\*$/` },
          ],
          reason:
            'GuardDuty and Config findings name ENIs, security groups and IAM users unknown at deploy time; revoking ingress and disabling keys are conditioned on the Environment tag of this suffix, tagging is limited to the one pre-quarantine tag key, ENIs can only be moved to this environment quarantine group, and the function re-checks ownership before acting (lambda remediation/permissions.ts).',
        },
      ]);
    }
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

  private addOutputs(): SecureEnvironmentOutputs {
    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    const vpc = this.network.vpc;
    return {
      apiUrl: out(
        'ApiUrl',
        this.api.restApi.url,
        'Invoke URL of the API stage (SigV4-sign and send x-api-key)',
      ),
      apiKeyId: out(
        'ApiKeyId',
        this.api.apiKey.keyId,
        'ID of the API key (its value is in the API key secret)',
      ),
      apiKeySecretArn: out('ApiKeySecretArn', this.api.apiKeySecret.ref, 'Secret holding the API key value'),
      dataBucketName: out(
        'DataBucketName',
        this.storage.dataBucket.bucketName,
        'Data bucket (SSE-KMS, versioned)',
      ),
      dataKeyArn: out('DataKeyArn', this.keys.data.keyArn, 'KMS key: data'),
      logsKeyArn: out('LogsKeyArn', this.keys.logs.keyArn, 'KMS key: logs, alerts, dead letters'),
      lambdaKeyArn: out('LambdaKeyArn', this.keys.lambda.keyArn, 'KMS key: Lambda environment'),
      secretsKeyArn: out('SecretsKeyArn', this.keys.secrets.keyArn, 'KMS key: secrets'),
      vpcId: out('VpcId', vpc.vpcId, 'Isolated VPC'),
      subnetIds: out(
        'SubnetIds',
        Fn.join(',', vpc.selectSubnets({ subnetGroupName: 'workload' }).subnetIds),
        'Workload subnets (isolated)',
      ),
      alertTopicArn: out('AlertTopicArn', this.alertTopic.topicArn, 'Security alert topic'),
      auditTableName: out('AuditTableName', this.storage.auditTable.tableName, 'Audit table'),
      transactionsTableName: out(
        'TransactionsTableName',
        this.storage.transactionsTable.tableName,
        'Transactions table',
      ),
      webAclArn: out(
        'WebAclArn',
        this.api.webAcl?.attrArn ?? 'none',
        'WAFv2 web ACL of the API (none: waf off)',
      ),
      databaseEndpointParameterName: out(
        'DatabaseEndpointParameterName',
        this.database?.endpointParameter.parameterName ?? 'none',
        'SSM parameter holding the Aurora endpoint (none: database off)',
      ),
      encryptedResourceCount: out(
        'EncryptedResourceCount',
        Lazy.string({ produce: () => String(countEncryptedResources(this)) }),
        'Resources encrypted at rest with a customer-managed key or, where AWS requires, SSE-S3',
      ),
      securityFeatures: out('SecurityFeatures', this.securityFeatures.join(','), 'Enabled security features'),
      complianceSummary: out(
        'ComplianceSummary',
        `packs=${PACK_NAMES.join(',')};configRules=${this.compliance.configRuleNames.length};kind=${this.spec.kind}`,
        'Static compliance packs and the number of AWS Config rules of this environment',
      ),
    };
  }
}

const MYSQL_PORT = 3306;

/** A region or account in a nag finding id: literal, or the pseudo parameter of an environment-agnostic synth. */
const REGION = '(?:[a-z0-9-]+|<AWS::Region>)';
const ACCOUNT = '(?:\\d{12}|<AWS::AccountId>)';

/** Seed 003: the document functions time out after 15 seconds. */
const DOCUMENT_TIMEOUT = Duration.seconds(15);
/** Config evaluations, remediation and rotation make several AWS calls in sequence. */
const CONTROL_TIMEOUT = Duration.seconds(60);

/** Encrypted-at-rest resources of the stack, counted from the L1 properties. */
export function countEncryptedResources(scope: IConstruct): number {
  return scope.node.findAll().filter((node) => {
    if (node instanceof s3.CfnBucket) return node.bucketEncryption !== undefined;
    if (node instanceof dynamodb.CfnTable) return node.sseSpecification !== undefined;
    if (node instanceof logs.CfnLogGroup) return node.kmsKeyId !== undefined;
    if (node instanceof sns.CfnTopic) return node.kmsMasterKeyId !== undefined;
    if (node instanceof sqs.CfnQueue) return node.kmsMasterKeyId !== undefined;
    if (node instanceof secretsmanager.CfnSecret) return node.kmsKeyId !== undefined;
    if (node instanceof lambda.CfnFunction) return node.kmsKeyArn !== undefined;
    if (node instanceof rds.CfnDBCluster) return node.storageEncrypted === true;
    return false;
  }).length;
}
