// Security alarms, metric filters and the dashboard of one environment.
import { physicalName } from '@sep/spec';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { pascal } from './ids';

/** A function to watch, with the short label used in alarm names (`<label>-errors`). */
export interface MonitoredFunction {
  /** Short, stable label such as `pii-scanner`; becomes part of alarm names. */
  readonly label: string;
  /** The function whose `Errors` and `Throttles` metrics are watched. */
  readonly function: lambda.IFunction;
}

/** The REST API to watch. */
export interface MonitoredApi {
  /** The API; its name is the `ApiName` dimension of the `AWS/ApiGateway` metrics. */
  readonly restApi: apigateway.IRestApi;
  /** Stage whose metrics are watched. */
  readonly stageName: string;
  /**
   * Access-log group of the stage. Its records must be JSON with a `status`
   * field (as `AccessLogFormat.jsonWithStandardFields()` writes): the 403
   * filter matches `$.status`.
   */
  readonly accessLogGroup: logs.ILogGroup;
}

export interface SecurityMonitoringProps {
  /** The environment's suffix; every alarm, filter and the dashboard are named from it. */
  readonly environmentSuffix: string;

  /** Where every alarm sends its ALARM state. */
  readonly alertTopic: sns.ITopic;

  /**
   * The API: 4XX and 5XX alarms from API Gateway metrics, 403 alarm from the access log.
   *
   * @default - no API alarms
   */
  readonly api?: MonitoredApi;

  /**
   * Functions whose `Errors` and `Throttles` each get an alarm.
   *
   * @default []
   */
  readonly functions?: readonly MonitoredFunction[];

  /**
   * The account's CloudTrail log group (account-security stack). With it, the
   * construct counts `AccessDenied` on this environment's keys and buckets.
   * The S3 filter sees only what the trail records: the account trail logs S3
   * data events for the environments' data buckets.
   *
   * @default - no KMS/S3 AccessDenied alarms
   */
  readonly trailLogGroup?: logs.ILogGroup;

  /**
   * This environment's KMS keys, matched by ARN in CloudTrail records.
   *
   * @default []
   */
  readonly keys?: readonly kms.IKey[];

  /**
   * This environment's buckets, matched by name in CloudTrail records.
   *
   * @default []
   */
  readonly buckets?: readonly s3.IBucket[];

  /**
   * The EventBridge rule that matches NON_COMPLIANT Config evaluations of this
   * environment's rules; each time it fires counts as a policy violation.
   *
   * @default - no Config non-compliance alarm
   */
  readonly complianceChangeRule?: events.IRule;

  /**
   * The WAFv2 web ACL's CloudWatch metric name (`VisibilityConfig.metricName`),
   * which is the value of the `WebACL` dimension of `AWS/WAFV2` metrics.
   *
   * @default - no WAF alarm
   */
  readonly webAclMetricName?: string;

  /**
   * Blocked WAF requests in 5 minutes that raise the alarm. Blocks are the WAF
   * working; a burst means someone is probing the API.
   *
   * @default 50
   */
  readonly wafBlockedThreshold?: number;

  /**
   * API 403 responses in 5 minutes that raise the unauthorized-access alarm.
   *
   * @default 5
   */
  readonly forbiddenThreshold?: number;

  /**
   * API 4XX responses (all client errors) in 5 minutes that raise an alarm.
   *
   * @default 25
   */
  readonly clientErrorThreshold?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Metric filters, alarms and the dashboard of one environment: unauthorized
 * access (API 403s and 4XX, KMS/S3 AccessDenied on this environment's
 * resources), policy violations (Config non-compliance), WAF blocks, Lambda
 * errors and throttles, API 5XX. Every alarm notifies the alert topic.
 */
export class SecurityMonitoring extends Construct {
  /** Every alarm, in creation order. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;

  private readonly suffix: string;
  private readonly namespace: string;
  private readonly alarmAction: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: SecurityMonitoringProps) {
    super(scope, id);
    this.suffix = props.environmentSuffix;
    this.namespace = physicalName('metricNamespace', { suffix: this.suffix });
    this.alarmAction = new cloudwatchActions.SnsAction(props.alertTopic);
    const metricWidgets: cloudwatch.IWidget[] = [];

    if (props.api !== undefined) {
      const { restApi, stageName, accessLogGroup } = props.api;
      const dimensions = { ApiName: restApi.restApiName, Stage: stageName };
      const apiMetric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/ApiGateway',
          metricName,
          dimensionsMap: dimensions,
          statistic: cloudwatch.Stats.SUM,
          period: FIVE_MINUTES,
        });
      const forbidden = this.countFilter({
        name: 'api-403',
        logGroup: accessLogGroup,
        // API Gateway writes $context.status as a string in JSON access logs; match both forms.
        pattern: '{ ($.status = "403") || ($.status = 403) }',
      });
      this.addAlarm({
        name: 'api-403',
        metric: forbidden,
        threshold: props.forbiddenThreshold ?? 5,
        description:
          'Unauthorized access: API requests refused with 403 (missing/invalid API key, IAM signature or WAF block)',
      });
      this.addAlarm({
        name: 'api-4xx',
        metric: apiMetric('4XXError'),
        threshold: props.clientErrorThreshold ?? 25,
        description: 'API client errors (4XX) above the expected rate',
      });
      this.addAlarm({
        name: 'api-5xx',
        metric: apiMetric('5XXError'),
        threshold: 1,
        description: 'API server errors (5XX)',
      });
      metricWidgets.push(
        new cloudwatch.GraphWidget({
          title: 'API responses',
          left: [apiMetric('4XXError'), apiMetric('5XXError'), forbidden],
          width: 12,
        }),
      );
    }

    if (props.trailLogGroup !== undefined) {
      const keyArns = (props.keys ?? []).map((key) => key.keyArn);
      const bucketNames = (props.buckets ?? []).map((bucket) => bucket.bucketName);
      const denied = '(($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation"))';
      const trailWidgets: cloudwatch.IMetric[] = [];
      if (keyArns.length > 0) {
        const keyMatch = keyArns.map((arn) => `($.resources[0].ARN = "${arn}")`).join(' || ');
        const metric = this.countFilter({
          name: 'kms-access-denied',
          logGroup: props.trailLogGroup,
          pattern: `{ ($.eventSource = "kms.amazonaws.com") && ${denied} && (${keyMatch}) }`,
        });
        this.addAlarm({
          name: 'kms-access-denied',
          metric,
          threshold: 1,
          description: "Unauthorized access: KMS refused a request on one of this environment's keys",
        });
        trailWidgets.push(metric);
      }
      if (bucketNames.length > 0) {
        const bucketMatch = bucketNames
          .map((name) => `($.requestParameters.bucketName = "${name}")`)
          .join(' || ');
        const metric = this.countFilter({
          name: 's3-access-denied',
          logGroup: props.trailLogGroup,
          pattern: `{ ($.eventSource = "s3.amazonaws.com") && ${denied} && (${bucketMatch}) }`,
        });
        this.addAlarm({
          name: 's3-access-denied',
          metric,
          threshold: 1,
          description: "Unauthorized access: S3 refused a request on one of this environment's buckets",
        });
        trailWidgets.push(metric);
      }
      if (trailWidgets.length > 0) {
        metricWidgets.push(
          new cloudwatch.GraphWidget({ title: 'AccessDenied', left: trailWidgets, width: 12 }),
        );
      }
    }

    if (props.complianceChangeRule !== undefined) {
      const metric = new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'TriggeredRules',
        dimensionsMap: { RuleName: props.complianceChangeRule.ruleName },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
      });
      this.addAlarm({
        name: 'config-noncompliant',
        metric,
        threshold: 1,
        description:
          'Policy violation: an AWS Config rule of this environment found a resource NON_COMPLIANT',
      });
      metricWidgets.push(
        new cloudwatch.GraphWidget({ title: 'Config non-compliance', left: [metric], width: 12 }),
      );
    }

    if (props.webAclMetricName !== undefined) {
      const metric = new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.webAclMetricName, Region: Stack.of(this).region, Rule: 'ALL' },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
      });
      this.addAlarm({
        name: 'waf-blocked-requests',
        metric,
        threshold: props.wafBlockedThreshold ?? 50,
        description: 'WAF blocked an unusual number of requests: the API is being probed',
      });
      metricWidgets.push(
        new cloudwatch.GraphWidget({ title: 'WAF blocked requests', left: [metric], width: 12 }),
      );
    }

    const functionMetrics: cloudwatch.IMetric[] = [];
    for (const { label, function: fn } of props.functions ?? []) {
      const errors = fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
      const throttles = fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
      this.addAlarm({
        name: `${label}-errors`,
        metric: errors,
        threshold: 1,
        description: `${label}: invocation errors`,
      });
      this.addAlarm({
        name: `${label}-throttles`,
        metric: throttles,
        threshold: 1,
        description: `${label}: throttled invocations (reserved concurrency exhausted)`,
      });
      functionMetrics.push(errors, throttles);
    }
    if (functionMetrics.length > 0) {
      metricWidgets.push(
        new cloudwatch.GraphWidget({
          title: 'Lambda errors and throttles',
          left: functionMetrics,
          width: 24,
        }),
      );
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: physicalName('dashboard', { suffix: this.suffix }),
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Security alarms', alarms: this.alarms, width: 24 })],
        metricWidgets,
      ],
    });
  }

  /** A metric filter counting matching events, named `sep-<suffix>-<name>`. */
  private countFilter(options: {
    name: string;
    logGroup: logs.ILogGroup;
    pattern: string;
  }): cloudwatch.Metric {
    const filter = new logs.MetricFilter(this, `${pascal(options.name)}Filter`, {
      logGroup: options.logGroup,
      filterName: physicalName('metricFilter', { suffix: this.suffix, part: options.name }),
      filterPattern: logs.FilterPattern.literal(options.pattern),
      metricNamespace: this.namespace,
      metricName: options.name,
      metricValue: '1',
      defaultValue: 0,
    });
    return filter.metric({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES });
  }

  private addAlarm(options: {
    name: string;
    metric: cloudwatch.IMetric;
    threshold: number;
    description: string;
  }): void {
    const alarm = new cloudwatch.Alarm(this, `${pascal(options.name)}Alarm`, {
      alarmName: physicalName('alarm', { suffix: this.suffix, part: options.name }),
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means nothing happened: for counts of bad events that is not a breach.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.alarmAction);
    this.alarms.push(alarm);
  }
}
