import { AUDIT_TRAIL_ARN_OUTPUT, PHYSICAL_NAME_TEMPLATES, physicalName } from '@sep/spec';
import { ArnFormat, Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { AlertTopic, AlertTopicRuleTarget } from './constructs/alert-topic';
import { administeredKey } from './constructs/encryption';
import { CLOUDWATCH_LOGS_KEY_ACTIONS } from './constructs/key-actions';
import { encryptedLogGroup } from './constructs/log-group';
import { PlatformAccess, type PlatformAccessProps } from './constructs/platform-access';
import { SECURE_BUCKET_DEFAULTS } from './constructs/secure-bucket';
import { ARCHIVE_RETENTION_DAYS } from './kind-policy';
import { acrossPacks, suppress } from './nag/suppressions';

/** Account-level names carry no environment suffix. */
const ACCOUNT = { suffix: '' } as const;

/** Name of the CloudTrail log group in every account and region; environment stacks watch it. */
export const ACCOUNT_TRAIL_LOG_GROUP_NAME = physicalName('accountTrailLogGroup', ACCOUNT);

/** Days CloudWatch keeps the trail: the "immediately available" three months of PCI DSS 10.5.1. */
export const HOT_RETENTION = logs.RetentionDays.THREE_MONTHS;
/** Days the S3 archive keeps trail files unless told otherwise: 12 months (PCI DSS 10.5.1) plus margin, as for environments. */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = ARCHIVE_RETENTION_DAYS;
const MIN_ARCHIVE_RETENTION_DAYS = 365;

/**
 * The CIS AWS Foundations metric filters as Security Hub checks them
 * (controls CloudWatch.1 to CloudWatch.14), with their exact patterns:
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html
 */
export const CIS_METRIC_FILTERS = [
  {
    control: 'CloudWatch.1',
    name: 'cis-root-account-usage',
    pattern:
      '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
  },
  {
    control: 'CloudWatch.2',
    name: 'cis-unauthorized-api-calls',
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
  },
  {
    control: 'CloudWatch.3',
    name: 'cis-console-signin-without-mfa',
    pattern: '{($.eventName="ConsoleLogin") && ($.additionalEventData.MFAUsed !="Yes")}',
  },
  {
    control: 'CloudWatch.4',
    name: 'cis-iam-policy-changes',
    pattern:
      '{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}',
  },
  {
    control: 'CloudWatch.5',
    name: 'cis-cloudtrail-changes',
    pattern:
      '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
  },
  {
    control: 'CloudWatch.6',
    name: 'cis-console-auth-failures',
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
  },
  {
    control: 'CloudWatch.7',
    name: 'cis-cmk-disable-or-deletion',
    pattern:
      '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
  },
  {
    control: 'CloudWatch.8',
    name: 'cis-s3-bucket-policy-changes',
    pattern:
      '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
  },
  {
    control: 'CloudWatch.9',
    name: 'cis-config-changes',
    pattern:
      '{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}',
  },
  {
    control: 'CloudWatch.10',
    name: 'cis-security-group-changes',
    pattern:
      '{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}',
  },
  {
    control: 'CloudWatch.11',
    name: 'cis-nacl-changes',
    pattern:
      '{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}',
  },
  {
    control: 'CloudWatch.12',
    name: 'cis-network-gateway-changes',
    pattern:
      '{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}',
  },
  {
    control: 'CloudWatch.13',
    name: 'cis-route-table-changes',
    pattern:
      '{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}',
  },
  {
    control: 'CloudWatch.14',
    name: 'cis-vpc-changes',
    pattern:
      '{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}',
  },
] as const;

/**
 * Periodic AWS Config rules. A periodic rule evaluates the whole account
 * whatever its scope, so these live here, once per account and region, never
 * per environment.
 */
export const ACCOUNT_CONFIG_RULES = [
  {
    name: 'cloudwatch-log-group-encrypted',
    identifier: config.ManagedRuleIdentifiers.CLOUDWATCH_LOG_GROUP_ENCRYPTED,
  },
  { name: 'vpc-flow-logs-enabled', identifier: config.ManagedRuleIdentifiers.VPC_FLOW_LOGS_ENABLED },
  {
    name: 'kms-key-rotation-enabled',
    identifier: config.ManagedRuleIdentifiers.CMK_BACKING_KEY_ROTATION_ENABLED,
  },
  { name: 'cloudtrail-enabled', identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_ENABLED },
  {
    name: 'cloudtrail-encryption-enabled',
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_ENCRYPTION_ENABLED,
  },
  {
    name: 'cloudtrail-log-validation',
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED,
  },
  {
    name: 'cloudtrail-cloudwatch-logs',
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED,
  },
  { name: 'root-account-mfa-enabled', identifier: config.ManagedRuleIdentifiers.ROOT_ACCOUNT_MFA_ENABLED },
  { name: 'iam-root-access-key-check', identifier: config.ManagedRuleIdentifiers.IAM_ROOT_ACCESS_KEY_CHECK },
  {
    name: 'iam-console-mfa-enabled',
    identifier: config.ManagedRuleIdentifiers.MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS,
  },
  {
    name: 's3-account-public-access-blocks',
    identifier: config.ManagedRuleIdentifiers.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC,
  },
  { name: 'guardduty-enabled', identifier: config.ManagedRuleIdentifiers.GUARDDUTY_ENABLED_CENTRALIZED },
  { name: 'securityhub-enabled', identifier: config.ManagedRuleIdentifiers.SECURITYHUB_ENABLED },
] as const;

export interface AccountSecurityStackProps extends StackProps {
  /**
   * Addresses subscribed to the account's security alert topic.
   *
   * @default []
   */
  readonly alertEmails?: readonly string[];

  /**
   * Create the AWS Config recorder and delivery channel (one per account and
   * region). Turn off when the account already records, e.g. through AWS
   * Control Tower or an organization-wide setup; the rules work with either.
   *
   * @default true
   */
  readonly createConfigRecorder?: boolean;

  /**
   * Record global resources (IAM). Keep it on in exactly one region of the account.
   *
   * @default true
   */
  readonly recordGlobalResources?: boolean;

  /**
   * Make the trail multi-region (CIS AWS Foundations 3.1): regions without an
   * environment are logged too, into this region's bucket and log group, where
   * the CIS metric filters watch them. Turn off only when an organization trail
   * already logs every region of the account.
   *
   * @default true
   */
  readonly multiRegionTrail?: boolean;

  /**
   * Include global service events (IAM, STS, sign-in) in this region's trail;
   * the CIS filters on IAM changes and console sign-in need them.
   *
   * @default true
   */
  readonly includeGlobalServiceEvents?: boolean;

  /**
   * Log S3 object-level (data) events of buckets whose name starts with this
   * prefix, so environments can alarm on AccessDenied on their data buckets.
   * `undefined` logs management events only.
   *
   * @default - the data-bucket prefix of the physical-name table (`sep-data-`)
   */
  readonly dataEventBucketPrefix?: string;

  /**
   * Days the S3 archive keeps trail and Config files (at least 365: PCI DSS 10.5.1).
   *
   * @default DEFAULT_ARCHIVE_RETENTION_DAYS (400)
   */
  readonly archiveRetentionDays?: number;

  /**
   * Set the account's API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`),
   * which every environment's API stage needs for execution logging. It is an
   * account-and-region setting, so environments must not own it. Turn off
   * when the account already has one.
   *
   * @default true
   */
  readonly configureApiGatewayLogging?: boolean;

  /**
   * Roles that may decrypt the trail archive in S3 (auditors, incident response).
   *
   * @default [] - nobody reads the archive until named here
   */
  readonly archiveReaderRoleArns?: readonly string[];

  /**
   * The platform's roles in this account and region (the portal's and the TTL sweeper's
   * platform-access role, the pipeline's smoke-test role), trusted by the named roles of the
   * pipeline account only.
   *
   * @default none: the stack is used without the delivery pipeline
   */
  readonly platformAccess?: PlatformAccessProps;
}

/**
 * Account-level security, deployed once per account and region (never per
 * environment): a CloudTrail trail (KMS, log file validation, to S3 and
 * CloudWatch Logs), the CIS / Security Hub CloudWatch.1-14 metric filters and
 * alarms on the trail's log group, an optional AWS Config recorder and
 * delivery channel (`service-role/AWS_ConfigRole`), the periodic Config rules,
 * KMS keys with rotation and explicit policies. Retention does not depend on
 * an environment kind: 90 days in CloudWatch, at least 365 days in S3.
 * It never creates a GuardDuty detector.
 */
export class AccountSecurityStack extends Stack {
  public readonly trail: cloudtrail.CfnTrail;
  public readonly trailLogGroup: logs.LogGroup;
  public readonly trailBucket: s3.Bucket;
  public readonly logsKey: kms.IKey;
  public readonly alertsKey: kms.IKey;
  public readonly alertTopic: sns.ITopic;
  public readonly cisAlarms: cloudwatch.Alarm[] = [];
  public readonly configRuleNames: string[] = [];
  public readonly configRecorder?: config.CfnConfigurationRecorder;
  public readonly platformAccess?: PlatformAccess;
  private readonly archiveBuckets: s3.Bucket[] = [];

  constructor(scope: Construct, id: string, props: AccountSecurityStackProps = {}) {
    super(scope, id, { terminationProtection: true, ...props });
    // Server access logs delivered under a bucket policy, not the LogDeliveryWrite ACL (ACLs stay disabled).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const archiveRetentionDays = props.archiveRetentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS;
    if (archiveRetentionDays < MIN_ARCHIVE_RETENTION_DAYS) {
      throw new Error(
        `archiveRetentionDays must be at least ${MIN_ARCHIVE_RETENTION_DAYS} (PCI DSS 10.5.1 keeps 12 months of audit history); got ${archiveRetentionDays}`,
      );
    }
    const names = { ...ACCOUNT, account: this.account, region: this.region };
    const trailName = physicalName('accountTrail', ACCOUNT);
    const trailArn = this.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    const trailLogGroupArn = this.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: ACCOUNT_TRAIL_LOG_GROUP_NAME,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // --- Keys -------------------------------------------------------------
    this.logsKey = explicitKey(this, 'LogsKey', {
      alias: physicalName('accountLogsKeyAlias', ACCOUNT),
      description:
        'CloudTrail trail (S3 and CloudWatch Logs) and AWS Config delivery of this account and region',
      statements: [
        new iam.PolicyStatement({
          sid: 'CloudTrailEncryptsThisTrail',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:GenerateDataKey'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceArn': trailArn },
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*`,
            },
          },
        }),
        new iam.PolicyStatement({
          sid: 'CloudTrailDescribesKey',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:DescribeKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
        }),
        new iam.PolicyStatement({
          sid: 'CloudWatchLogsEncryptsTheTrailLogGroup',
          principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
          actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
          resources: ['*'],
          conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': trailLogGroupArn } },
        }),
        new iam.PolicyStatement({
          sid: 'ConfigDeliversToTheArchive',
          principals: [new iam.ServicePrincipal('config.amazonaws.com')],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
        ...((props.archiveReaderRoleArns ?? []).length > 0
          ? [
              new iam.PolicyStatement({
                sid: 'ArchiveReadersDecryptThroughS3',
                principals: (props.archiveReaderRoleArns ?? []).map((arn) => new iam.ArnPrincipal(arn)),
                actions: ['kms:Decrypt'],
                resources: ['*'],
                conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
              }),
            ]
          : []),
      ],
    });
    this.alertsKey = explicitKey(this, 'AlertsKey', {
      alias: physicalName('accountAlertsKeyAlias', ACCOUNT),
      description: 'Account security alert topic of this account and region',
      statements: [],
    });

    // --- Archive buckets --------------------------------------------------
    // S3 cannot deliver server access logs to an SSE-KMS bucket: this one uses SSE-S3.
    const accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      ...SECURE_BUCKET_DEFAULTS,
      bucketName: physicalName('accountAccessLogBucket', names),
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [archiveLifecycle(archiveRetentionDays)],
    });
    this.trailBucket = new s3.Bucket(this, 'TrailBucket', {
      ...SECURE_BUCKET_DEFAULTS,
      bucketName: physicalName('accountTrailBucket', names),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.logsKey,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'trail/',
      lifecycleRules: [archiveLifecycle(archiveRetentionDays)],
    });
    this.trailBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailAclCheck',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:GetBucketAcl'],
        resources: [this.trailBucket.bucketArn],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );
    this.trailBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailWrite',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.trailBucket.arnForObjects(`AWSLogs/${this.account}/*`)],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );

    // --- Trail ------------------------------------------------------------
    this.trailLogGroup = encryptedLogGroup(this, 'TrailLogGroup', {
      logGroupName: ACCOUNT_TRAIL_LOG_GROUP_NAME,
      encryptionKey: this.logsKey,
      retention: HOT_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const trailLogsRole = new iam.Role(this, 'TrailLogsRole', {
      roleName: physicalName('accountTrailLogsRole', names),
      description: 'CloudTrail delivers this trail to its CloudWatch Logs log group',
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceArn': trailArn },
      }),
    });
    const trailLogsPolicy = new iam.ManagedPolicy(this, 'TrailLogsPolicy', {
      description: 'Write the trail to its log group only',
      roles: [trailLogsRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          // The log group ARN attribute ends in ':*', which covers its log streams.
          resources: [this.trailLogGroup.logGroupArn],
        }),
      ],
    });

    const prefix = props.dataEventBucketPrefix ?? dataBucketPrefix();
    const dataEventSelectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] =
      prefix === undefined
        ? []
        : [
            {
              name: 'S3 object events of environment data buckets',
              fieldSelectors: [
                { field: 'eventCategory', equalTo: ['Data'] },
                { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
                { field: 'resources.ARN', startsWith: [`arn:${Aws.PARTITION}:s3:::${prefix}`] },
              ],
            },
          ];
    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName,
      isLogging: true,
      s3BucketName: this.trailBucket.bucketName,
      kmsKeyId: this.logsKey.keyArn,
      enableLogFileValidation: true,
      cloudWatchLogsLogGroupArn: this.trailLogGroup.logGroupArn,
      cloudWatchLogsRoleArn: trailLogsRole.roleArn,
      includeGlobalServiceEvents: props.includeGlobalServiceEvents ?? true,
      isMultiRegionTrail: props.multiRegionTrail ?? true,
      advancedEventSelectors: [
        { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] },
        ...dataEventSelectors,
      ],
    });
    // CloudTrail checks bucket policy, key policy and role when the trail is created.
    this.trail.node.addDependency(this.trailBucket, trailLogsPolicy, this.logsKey);
    // Read by the portal's evidence bundle (PCI DSS 10.2: which trail records this account's API calls).
    new CfnOutput(this, AUDIT_TRAIL_ARN_OUTPUT, {
      value: this.trail.attrArn,
      description: "ARN of this account's CloudTrail trail (log file validation on, KMS-encrypted)",
    });

    // --- Alerts and CIS alarms --------------------------------------------
    this.alertTopic = new AlertTopic(this, 'Alerts', {
      topicName: physicalName('accountAlertTopic', ACCOUNT),
      encryptionKey: this.alertsKey,
      emailAddresses: props.alertEmails,
    }).topic;
    const alarmAction = new cloudwatchActions.SnsAction(this.alertTopic);
    const namespace = physicalName('accountMetricNamespace', ACCOUNT);
    for (const { control, name, pattern } of CIS_METRIC_FILTERS) {
      const filter = new logs.MetricFilter(this, `${control}Filter`, {
        logGroup: this.trailLogGroup,
        filterName: physicalName('accountMetricFilter', { ...ACCOUNT, part: name }),
        filterPattern: logs.FilterPattern.literal(pattern),
        metricNamespace: namespace,
        metricName: name,
        metricValue: '1',
      });
      const alarm = new cloudwatch.Alarm(this, `${control}Alarm`, {
        alarmName: physicalName('accountAlarm', { ...ACCOUNT, part: name }),
        alarmDescription: `CIS / Security Hub ${control}: ${name.replace(/^cis-/, '').replaceAll('-', ' ')}`,
        metric: filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(alarmAction);
      this.cisAlarms.push(alarm);
    }

    // --- AWS Config -------------------------------------------------------
    if (props.createConfigRecorder !== false) {
      this.configRecorder = this.addConfigRecorder({
        names,
        archiveRetentionDays,
        accessLogBucket,
        recordGlobalResources: props.recordGlobalResources ?? true,
      });
    }
    for (const { name, identifier } of ACCOUNT_CONFIG_RULES) {
      const configRuleName = physicalName('accountConfigRule', { ...ACCOUNT, part: name });
      const rule = new config.ManagedRule(this, `${name}Rule`, {
        configRuleName,
        identifier,
        maximumExecutionFrequency: config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS,
      });
      if (this.configRecorder !== undefined) rule.node.addDependency(this.configRecorder);
      this.configRuleNames.push(configRuleName);
    }

    new events.Rule(this, 'ComplianceChangeRule', {
      ruleName: physicalName('accountComplianceEventRule', ACCOUNT),
      description: 'NON_COMPLIANT evaluations of the account-wide AWS Config rules',
      eventPattern: {
        source: ['aws.config'],
        detailType: ['Config Rules Compliance Change'],
        detail: {
          configRuleName: [...this.configRuleNames],
          newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
        },
      },
      targets: [
        new AlertTopicRuleTarget(this.alertTopic, {
          message: events.RuleTargetInput.fromObject({
            alert: 'Account-wide AWS Config rule found a resource NON_COMPLIANT',
            rule: events.EventField.fromPath('$.detail.configRuleName'),
            resourceType: events.EventField.fromPath('$.detail.resourceType'),
            resourceId: events.EventField.fromPath('$.detail.resourceId'),
            time: events.EventField.time,
          }),
        }),
      ],
    });

    if (props.configureApiGatewayLogging !== false) this.addApiGatewayLogging(names);
    if (props.platformAccess !== undefined) {
      this.platformAccess = new PlatformAccess(this, 'PlatformAccess', props.platformAccess);
    }

    this.suppressAcceptedFindings({
      accessLogBucket,
      archiveBuckets: [this.trailBucket, ...this.archiveBuckets],
    });
  }

  private addConfigRecorder(options: {
    names: { suffix: string; account: string; region: string };
    archiveRetentionDays: number;
    accessLogBucket: s3.IBucket;
    recordGlobalResources: boolean;
  }): config.CfnConfigurationRecorder {
    const configBucket = new s3.Bucket(this, 'ConfigBucket', {
      ...SECURE_BUCKET_DEFAULTS,
      bucketName: physicalName('accountConfigBucket', options.names),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.logsKey,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: options.accessLogBucket,
      serverAccessLogsPrefix: 'config/',
      lifecycleRules: [archiveLifecycle(options.archiveRetentionDays)],
    });
    this.archiveBuckets.push(configBucket);
    const sourceAccount = { StringEquals: { 'AWS:SourceAccount': this.account } };
    configBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ConfigAclCheck',
        principals: [new iam.ServicePrincipal('config.amazonaws.com')],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [configBucket.bucketArn],
        conditions: sourceAccount,
      }),
    );
    configBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ConfigWrite',
        principals: [new iam.ServicePrincipal('config.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [configBucket.arnForObjects(`AWSLogs/${this.account}/Config/*`)],
        conditions: sourceAccount,
      }),
    );

    const role = new iam.Role(this, 'ConfigRole', {
      roleName: physicalName('accountConfigRole', options.names),
      description: 'AWS Config recorder of this account and region',
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'ConfigDeliveryPolicy', {
      description: 'AWS Config writes snapshots and history to the archive bucket only',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [configBucket.arnForObjects(`AWSLogs/${this.account}/Config/*`)],
        }),
        new iam.PolicyStatement({ actions: ['s3:GetBucketAcl'], resources: [configBucket.bucketArn] }),
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.logsKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
        }),
      ],
    });
    suppress(role, [
      {
        ruleId: 'AwsSolutions-IAM4',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole'],
        reason:
          'AWS_ConfigRole is the AWS-maintained policy for a Config recorder: it lists the read-only Describe/Get/List calls for every supported resource type and is updated by AWS as types are added; a hand-written copy would fall behind. Required by the SPEC and the seeds.',
      },
    ]);
    suppress(deliveryPolicy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [{ regex: '/^Resource::.*\\/AWSLogs\\/.*\\/Config\\/\\*$/g' }],
        reason:
          "AWS Config writes objects under AWSLogs/<account>/Config/ with names it chooses; the pattern is limited to that prefix of this account's Config archive bucket.",
      },
    ]);

    const recorder = new config.CfnConfigurationRecorder(this, 'ConfigRecorder', {
      name: physicalName('accountConfigRecorder', ACCOUNT),
      roleArn: role.roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: options.recordGlobalResources },
    });
    const channel = new config.CfnDeliveryChannel(this, 'ConfigDeliveryChannel', {
      name: physicalName('accountDeliveryChannel', ACCOUNT),
      s3BucketName: configBucket.bucketName,
      s3KmsKeyArn: this.logsKey.keyArn,
      // No SNS topic: the channel would mail every configuration change in the
      // account. Non-compliance reaches people through the environments' rules.
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    // CloudFormation starts the recorder once its delivery channel exists.
    channel.node.addDependency(recorder, configBucket, deliveryPolicy);
    return recorder;
  }

  private addApiGatewayLogging(names: { suffix: string; account: string; region: string }): void {
    const role = new iam.Role(this, 'ApiGatewayLogsRole', {
      roleName: physicalName('accountApiGatewayLogsRole', names),
      description: 'API Gateway writes execution and access logs of every API in this account and region',
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    // The account setting outlives a stack update that replaces the role; keep the role with it.
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    suppress(role, [
      {
        ruleId: 'AwsSolutions-IAM4',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
        ],
        reason:
          'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy API Gateway documents for its account-level logging role; API Gateway creates log groups named by API ID and stage at first use, which a hand-written policy could not name in advance.',
      },
    ]);
    new apigateway.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
  }

  private suppressAcceptedFindings(options: {
    accessLogBucket: s3.Bucket;
    archiveBuckets: s3.Bucket[];
  }): void {
    const replication = acrossPacks(
      ['PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled'],
      'The archive buckets are versioned, KMS-encrypted (the access-log bucket SSE-S3) and retained; cross-region replication of audit logs is an organization-level choice (a log-archive account) outside this per-account stack.',
    );
    // applyToChildren: the findings sit on the Bucket L2's CfnBucket child.
    for (const bucket of options.archiveBuckets) suppress(bucket, replication, { applyToChildren: true });
    suppress(
      options.accessLogBucket,
      [
        ...replication,
        ...acrossPacks(
          ['AwsSolutions-S1', 'PCI.DSS.321-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketLoggingEnabled'],
          "This bucket is the server-access-log destination of the account's archive buckets; logging it into itself would log its own log writes without end.",
        ),
        ...acrossPacks(
          ['PCI.DSS.321-S3DefaultEncryptionKMS', 'NIST.800.53.R5-S3DefaultEncryptionKMS'],
          'S3 server access logging cannot deliver to a bucket encrypted with SSE-KMS (AWS documents SSE-S3 as the only supported default encryption of a target bucket); SSE-S3 (AES-256) is used.',
        ),
      ],
      { applyToChildren: true },
    );
  }
}

/** Trail/Config files: Standard while hot, Glacier after 90 days, deleted after the archive period. */
function archiveLifecycle(archiveRetentionDays: number): s3.LifecycleRule {
  return {
    id: 'archive',
    enabled: true,
    transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(90) }],
    expiration: Duration.days(archiveRetentionDays),
    noncurrentVersionExpiration: Duration.days(archiveRetentionDays),
    abortIncompleteMultipartUploadAfter: Duration.days(7),
  };
}

/** `sep-data-`: the fixed start of every environment's data bucket name. */
function dataBucketPrefix(): string {
  const [prefix] = PHYSICAL_NAME_TEMPLATES.dataBucket.template.split('{suffix}');
  return prefix ?? 'sep-data-';
}

/**
 * A rotating CMK whose policy is exactly: explicit administration for the
 * account, plus the given statements. `kms.Key` always adds `kms:*` for the
 * account root, which the project's policies may not contain.
 */
function explicitKey(
  scope: Stack,
  id: string,
  options: { alias: string; description: string; statements: iam.PolicyStatement[] },
): kms.IKey {
  const { cfnKey, key } = administeredKey(scope, id, {
    description: options.description,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const statement of options.statements) key.addToResourcePolicy(statement);
  new kms.CfnAlias(scope, `${id}Alias`, { aliasName: options.alias, targetKeyId: cfnKey.attrArn });
  return key;
}
