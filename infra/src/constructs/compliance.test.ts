import { LONGEST_PLACEHOLDER_VALUES, physicalName } from '@sep/spec';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlertTopic } from './alert-topic';
import { EnvironmentCompliance, REQUIRED_TAG_KEYS } from './compliance';
import { nagCheckedStack, testKey, unsuppressedFindings } from './governance-test-kit';

const suffix = 'pr123';
const stack = nagCheckedStack();
const importedFunction = (id: string, name: string) =>
  lambda.Function.fromFunctionAttributes(stack, id, {
    functionArn: `arn:aws:lambda:us-east-1:111111111111:function:${name}`,
    role: iam.Role.fromRoleArn(stack, `${id}Role`, `arn:aws:iam::111111111111:role/${name}`, {
      mutable: true,
    }),
    sameEnvironment: true,
  });
const compliance = new EnvironmentCompliance(stack, 'Compliance', {
  environmentSuffix: suffix,
  requiredTagValues: { Owner: 'alice', Project: 'payments', DataClassification: 'confidential' },
  alertTopic: new AlertTopic(stack, 'Alerts', {
    topicName: physicalName('alertTopic', { suffix }),
    encryptionKey: testKey(stack, 'AlertsKey'),
  }).topic,
  complianceEvaluator: importedFunction('Evaluator', 'sep-pr123-compliance-evaluator'),
  remediationFunction: importedFunction('Remediation', 'sep-pr123-remediation'),
  deadLetterQueue: sqs.Queue.fromQueueArn(
    stack,
    'Dlq',
    'arn:aws:sqs:us-east-1:111111111111:sep-pr123-events-dlq',
  ),
  checkDatabase: true,
});
const template = Template.fromStack(stack);
const configRules = () => Object.values(template.findResources('AWS::Config::ConfigRule'));

describe('EnvironmentCompliance', () => {
  it('scopes every rule to the environment by its Environment tag and names it through physicalName', () => {
    expect(configRules().length).toBeGreaterThanOrEqual(16);
    for (const rule of configRules()) {
      expect(rule.Properties.Scope).toEqual({ TagKey: 'Environment', TagValue: suffix });
      expect(rule.Properties.ConfigRuleName).toMatch(/^sep-pr123-[a-z0-9-]+$/);
      expect(rule.Properties.MaximumExecutionFrequency).toBeUndefined();
    }
    expect(compliance.configRuleNames).toEqual(configRules().map((rule) => rule.Properties.ConfigRuleName));
  });

  it('keeps every rule part within the {rule} budget the suffix limit is derived from', () => {
    const budget = LONGEST_PLACEHOLDER_VALUES.rule?.length ?? 0;
    for (const name of compliance.configRuleNames) {
      expect(name.slice(`sep-${suffix}-`.length).length).toBeLessThanOrEqual(budget);
    }
  });

  it.each([
    'S3_DEFAULT_ENCRYPTION_KMS',
    'S3_BUCKET_SSL_REQUESTS_ONLY',
    'DYNAMODB_PITR_ENABLED',
    'DYNAMODB_TABLE_ENCRYPTED_KMS',
    'LAMBDA_INSIDE_VPC',
    'API_GW_ASSOCIATED_WITH_WAF',
    'SNS_ENCRYPTED_KMS',
    'SECRETSMANAGER_USING_CMK',
    'RDS_STORAGE_ENCRYPTED',
  ])('checks %s', (identifier) => {
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { Owner: 'AWS', SourceIdentifier: identifier },
    });
  });

  it('checks the six required tags, the Environment tag against the suffix', () => {
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'sep-pr123-required-tags',
      InputParameters: {
        tag1Key: 'Environment',
        tag1Value: suffix,
        tag2Key: 'Owner',
        tag2Value: 'alice',
        tag3Key: 'Project',
        tag4Key: 'CostCenter',
        tag5Key: 'DataClassification',
        tag6Key: 'ComplianceLevel',
      },
    });
    expect(REQUIRED_TAG_KEYS).toHaveLength(6);
  });

  it('backs the custom rule with the compliance evaluator, which Config may invoke and which may only put evaluations', () => {
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'sep-pr123-custom-encryption-retention',
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: 'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-compliance-evaluator',
        SourceDetails: Match.arrayWith([
          { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'config.amazonaws.com',
      SourceAccount: '111111111111',
      FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-compliance-evaluator',
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['config:PutEvaluations', 'config:GetResourceConfigHistory'],
            Resource: '*',
          },
        ],
      },
      Roles: ['sep-pr123-compliance-evaluator'],
    });
  });

  it('sends NON_COMPLIANT evaluations of exactly these rules to remediation and SNS', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: physicalName('eventRule', { suffix, part: 'config-compliance' }),
      EventPattern: {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: {
          configRuleName: compliance.configRuleNames,
          newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
        },
      },
      Targets: Match.arrayWith([
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^AlertsTopic') },
          RetryPolicy: Match.anyValue(),
        }),
        Match.objectLike({
          Arn: 'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-remediation',
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:111111111111:sep-pr123-events-dlq' },
        }),
      ]),
    });
  });

  it('sends GuardDuty findings of severity 7 or more to remediation and SNS', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'sep-pr123-guardduty-findings',
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', 7] }] },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-remediation',
    });
  });

  it('grants EventBridge nothing with a wildcard on the alert key (the AlertTopic policies already allow it)', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('kms:GenerateDataKey*');
  });

  it('creates neither a Config recorder nor a GuardDuty detector', () => {
    template.resourceCountIs('AWS::Config::ConfigurationRecorder', 0);
    template.resourceCountIs('AWS::Config::DeliveryChannel', 0);
    template.resourceCountIs('AWS::GuardDuty::Detector', 0);
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321 or NIST80053R5 finding', () => {
    expect(unsuppressedFindings(stack)).toEqual([]);
  });
});
