import { LONGEST_PLACEHOLDER_VALUES, physicalName } from '@sep/spec';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AlertTopic } from './alert-topic';
import { nagCheckedStack, testKey, unsuppressedFindings } from './governance-test-kit';
import { SecurityMonitoring } from './monitoring';

const suffix = 'pr123';
const stack = nagCheckedStack();
const alertsKey = testKey(stack, 'AlertsKey');
const logsKey = testKey(stack, 'LogsKey');
const alerts = new AlertTopic(stack, 'Alerts', {
  topicName: physicalName('alertTopic', { suffix }),
  encryptionKey: alertsKey,
  emailAddresses: ['secops@example.com', 'oncall@example.com'],
});
const accessLogGroup = new logs.LogGroup(stack, 'AccessLogs', {
  encryptionKey: logsKey,
  retention: logs.RetentionDays.THREE_MONTHS,
});
const monitoring = new SecurityMonitoring(stack, 'Monitoring', {
  environmentSuffix: suffix,
  alertTopic: alerts.topic,
  api: {
    restApi: apigateway.RestApi.fromRestApiAttributes(stack, 'Api', {
      restApiId: 'abc123',
      rootResourceId: 'root',
      restApiName: physicalName('restApi', { suffix }),
    }),
    stageName: 'v1',
    accessLogGroup,
  },
  functions: [
    {
      label: 'pii-scanner',
      function: lambda.Function.fromFunctionArn(
        stack,
        'Scanner',
        'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-pii-scanner',
      ),
    },
    {
      label: 'compliance-evaluator',
      function: lambda.Function.fromFunctionArn(
        stack,
        'Evaluator',
        'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-compliance-evaluator',
      ),
    },
  ],
  trailLogGroup: logs.LogGroup.fromLogGroupName(stack, 'Trail', '/sep/account/cloudtrail'),
  keys: [alertsKey, logsKey],
  buckets: [s3.Bucket.fromBucketName(stack, 'Data', 'sep-data-pr123-111111111111-us-east-1')],
  complianceChangeRule: events.Rule.fromEventRuleArn(
    stack,
    'ComplianceRule',
    'arn:aws:events:us-east-1:111111111111:rule/sep-pr123-config-compliance',
  ),
  webAclMetricName: 'sep-pr123-api-waf',
});
const template = Template.fromStack(stack);

describe('SecurityMonitoring', () => {
  const alarmNames = () =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmName,
    );

  it('raises an alarm for every security signal, each named through physicalName', () => {
    expect(alarmNames().sort()).toEqual(
      [
        'api-403',
        'api-4xx',
        'api-5xx',
        'kms-access-denied',
        's3-access-denied',
        'config-noncompliant',
        'waf-blocked-requests',
        'pii-scanner-errors',
        'pii-scanner-throttles',
        'compliance-evaluator-errors',
        'compliance-evaluator-throttles',
      ]
        .map((part) => physicalName('alarm', { suffix, part }))
        .sort(),
    );
    expect(monitoring.alarms).toHaveLength(11);
    for (const name of alarmNames()) {
      expect(name.slice(`sep-${suffix}-`.length).length).toBeLessThanOrEqual(
        LONGEST_PLACEHOLDER_VALUES.alarm?.length ?? 0,
      );
    }
  });

  it('sends every alarm to the alert topic', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlertsTopic/) }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('counts 403s from the JSON access log', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterName: 'sep-pr123-api-403',
      FilterPattern: '{ ($.status = "403") || ($.status = 403) }',
      LogGroupName: { Ref: Match.stringLikeRegexp('^AccessLogs') },
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'SEP/pr123', MetricName: 'api-403' })],
    });
  });

  it("counts KMS AccessDenied on the trail only for this environment's keys", () => {
    const filter = template.findResources('AWS::Logs::MetricFilter', {
      Properties: { FilterName: 'sep-pr123-kms-access-denied' },
    });
    const [resource] = Object.values(filter);
    expect(resource?.Properties.LogGroupName).toBe('/sep/account/cloudtrail');
    const pattern = JSON.stringify(resource?.Properties.FilterPattern);
    expect(pattern).toContain('$.eventSource = \\"kms.amazonaws.com\\"');
    expect(pattern).toContain('$.errorCode = \\"AccessDenied*\\"');
    expect(pattern).toContain('AlertsKey');
    expect(pattern).toContain('LogsKey');
  });

  it("counts S3 AccessDenied only on this environment's buckets", () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterName: 'sep-pr123-s3-access-denied',
      FilterPattern: Match.stringLikeRegexp(
        '\\$.eventSource = "s3.amazonaws.com".*\\$.requestParameters.bucketName = "sep-data-pr123-111111111111-us-east-1"',
      ),
    });
  });

  it('watches the compliance-change rule, the web ACL and API Gateway metrics', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'sep-pr123-config-noncompliant',
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Dimensions: [{ Name: 'RuleName', Value: 'sep-pr123-config-compliance' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'sep-pr123-waf-blocked-requests',
      Namespace: 'AWS/WAFV2',
      Dimensions: Match.arrayWith([{ Name: 'WebACL', Value: 'sep-pr123-api-waf' }]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'sep-pr123-api-5xx',
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Threshold: 1,
    });
  });

  it('builds a named dashboard', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'sep-pr123-security' });
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321 or NIST80053R5 finding', () => {
    expect(unsuppressedFindings(stack)).toEqual([]);
  });
});
