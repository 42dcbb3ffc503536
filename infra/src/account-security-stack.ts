import { AUDIT_TRAIL_ARN_OUTPUT, PHYSICAL_NAME_TEMPLATES, physicalName } from '@sep/spec';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { addApiGatewayLogging } from './account-api-gateway-logging';
import { ACCOUNT_CONFIG_RULES, CIS_METRIC_FILTERS } from './account-checks';
import { addConfigRecorder } from './account-config-recorder';
import { accountAlertsKey, accountLogsKey } from './account-keys';
import { ACCOUNT, ACCOUNT_TRAIL_LOG_GROUP_NAME } from './account-names';
import { AlertTopic, AlertTopicRuleTarget } from './constructs/alert-topic';
import { encryptedLogGroup } from './constructs/log-group';
import { PlatformAccess, type PlatformAccessProps } from './constructs/platform-access';
import { SECURE_BUCKET_DEFAULTS } from './constructs/secure-bucket';
import { ARCHIVE_RETENTION_DAYS } from './kind-policy';
import { acrossPacks, suppress } from './nag/suppressions';

/** Days CloudWatch keeps the trail: the "immediately available" three months of PCI DSS 10.5.1. */
export const HOT_RETENTION = logs.RetentionDays.THREE_MONTHS;
/** Days the S3 archive keeps trail files unless told otherwise: 12 months (PCI DSS 10.5.1) plus margin, as for environments. */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = ARCHIVE_RETENTION_DAYS;
const MIN_ARCHIVE_RETENTION_DAYS = 365;

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

    // --- Keys -------------------------------------------------------------
    this.logsKey = accountLogsKey(this, {
      trailArn,
      archiveReaderRoleArns: props.archiveReaderRoleArns ?? [],
    });
    this.alertsKey = accountAlertsKey(this);

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
      const { recorder, configBucket } = addConfigRecorder(this, {
        names,
        logsKey: this.logsKey,
        lifecycleRule: archiveLifecycle(archiveRetentionDays),
        accessLogBucket,
        recordGlobalResources: props.recordGlobalResources ?? true,
      });
      this.configRecorder = recorder;
      this.archiveBuckets.push(configBucket);
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

    if (props.configureApiGatewayLogging !== false) addApiGatewayLogging(this, names);
    if (props.platformAccess !== undefined) {
      this.platformAccess = new PlatformAccess(this, 'PlatformAccess', props.platformAccess);
    }

    this.suppressAcceptedFindings({
      accessLogBucket,
      archiveBuckets: [this.trailBucket, ...this.archiveBuckets],
    });
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
