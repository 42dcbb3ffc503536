import { LONGEST_PLACEHOLDER_VALUES, platformAccessRoleArn, smokeTestRoleArn } from '@sep/spec';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ACCOUNT_CONFIG_RULES, CIS_METRIC_FILTERS } from './account-checks';
import { ACCOUNT_TRAIL_LOG_GROUP_NAME } from './account-names';
import { AccountSecurityStack, type AccountSecurityStackProps } from './account-security-stack';
import { KEY_ADMIN_ACTIONS } from './constructs/key-actions';
import { applyCompliancePacks } from './nag/packs';

const env = { account: '111111111111', region: 'us-east-1' };

function build(props: Omit<AccountSecurityStackProps, 'env'> = {}) {
  const app = new App();
  const stack = new AccountSecurityStack(app, 'AccountSecurity', {
    env,
    alertEmails: ['secops@example.com'],
    ...props,
  });
  // The same packs as every environment stage (AwsSolutions, PCI DSS 3.2.1, NIST 800-53 R5, Sep).
  const collector = applyCompliancePacks(stack);
  return { stack, template: Template.fromStack(stack), collector };
}

function unsuppressed(stack: AccountSecurityStack): string[] {
  const annotations = Annotations.fromStack(stack);
  const any = Match.stringLikeRegexp('.*');
  return [...annotations.findError('*', any), ...annotations.findWarning('*', any)].map(
    (finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`,
  );
}

describe('AccountSecurityStack', () => {
  const { stack, template, collector } = build();

  it('is termination-protected', () => {
    expect(stack.terminationProtection).toBe(true);
  });

  it('trails to S3 and CloudWatch Logs with KMS and log file validation', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'sep-account-trail',
      IsLogging: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] },
      S3BucketName: { Ref: Match.stringLikeRegexp('^TrailBucket') },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailLogGroup'), 'Arn'] },
      IncludeGlobalServiceEvents: true,
    });
  });

  it('logs every region of the account (CIS 3.1), with the CIS metric filters on its log group', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
    });
    template.resourceCountIs('AWS::Logs::MetricFilter', CIS_METRIC_FILTERS.length);
    template.allResourcesProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^TrailLogGroup') },
    });
  });

  it('gives its buckets the same secure defaults as every environment bucket (TLS 1.2, no ACL)', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets).length).toBeGreaterThanOrEqual(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.AccessControl).toBeUndefined();
      expect(bucket.Properties.OwnershipControls).toEqual({
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      });
    }
    for (const policy of Object.values(template.findResources('AWS::S3::BucketPolicy'))) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"s3:TlsVersion":1.2');
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });

  it('logs S3 object events of the environments data buckets for their AccessDenied alarms', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      AdvancedEventSelectors: Match.arrayWith([
        {
          Name: 'S3 object events of environment data buckets',
          FieldSelectors: Match.arrayWith([
            {
              Field: 'resources.ARN',
              StartsWith: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::sep-data-']] }],
            },
          ]),
        },
      ]),
    });
  });

  it('keeps the trail 90 days in CloudWatch and at least 365 days in S3, whatever the kind', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: ACCOUNT_TRAIL_LOG_GROUP_NAME,
      RetentionInDays: 90,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] },
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'sep-trail-111111111111-us-east-1',
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: 400,
            Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }],
          }),
        ],
      },
    });
    expect(() => build({ archiveRetentionDays: 200 })).toThrow(/at least 365/);
  });

  it('creates one metric filter and alarm per CIS / Security Hub control CloudWatch.1-14, on the trail log group', () => {
    expect(CIS_METRIC_FILTERS.map((filter) => filter.control)).toEqual(
      Array.from({ length: 14 }, (_, index) => `CloudWatch.${index + 1}`),
    );
    template.resourceCountIs('AWS::Logs::MetricFilter', 14);
    for (const { name, pattern } of CIS_METRIC_FILTERS) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterName: `sep-account-${name}`,
        FilterPattern: pattern,
        LogGroupName: { Ref: Match.stringLikeRegexp('^TrailLogGroup') },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `sep-account-${name}`,
        MetricName: name,
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertsTopic') }],
      });
    }
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern:
        '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    });
  });

  it('records with service-role/AWS_ConfigRole and delivers to the KMS archive', () => {
    template.resourceCountIs('AWS::Config::ConfigurationRecorder', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWS_ConfigRole'],
          ],
        },
      ],
    });
    template.hasResourceProperties('AWS::Config::DeliveryChannel', {
      S3KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] },
    });
  });

  it('adds the periodic account-wide Config rules, once, after the recorder', () => {
    template.resourceCountIs('AWS::Config::ConfigRule', ACCOUNT_CONFIG_RULES.length);
    for (const rule of Object.values(template.findResources('AWS::Config::ConfigRule'))) {
      expect(rule.Properties.MaximumExecutionFrequency).toBe('TwentyFour_Hours');
      expect(rule.Properties.ConfigRuleName).toMatch(/^sep-account-/);
      expect(rule.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ConfigRecorder/)]));
    }
  });

  it('keeps rule and alarm parts within the placeholder budgets of the physical-name table', () => {
    for (const { name } of ACCOUNT_CONFIG_RULES) {
      expect(name.length).toBeLessThanOrEqual(LONGEST_PLACEHOLDER_VALUES.rule?.length ?? 0);
    }
    for (const { name } of CIS_METRIC_FILTERS) {
      expect(name.length).toBeLessThanOrEqual(LONGEST_PLACEHOLDER_VALUES.alarm?.length ?? 0);
    }
  });

  it('alerts on NON_COMPLIANT evaluations of the account rules', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'sep-account-config-noncompliance',
      EventPattern: {
        source: ['aws.config'],
        detail: {
          configRuleName: stack.configRuleNames,
          newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlertsTopic') } })],
    });
  });

  it("sets the account's API Gateway CloudWatch Logs role once, for every environment's stage logging", () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'sep-account-us-east-1-apigw-logs',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'apigateway.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ],
      },
    });
  });

  it('never creates a GuardDuty detector', () => {
    template.resourceCountIs('AWS::GuardDuty::Detector', 0);
  });

  it('rotates its keys and lists key administration explicitly, without kms:*', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
      const statements = key.Properties.KeyPolicy.Statement as Array<{
        Action: string | string[];
        Sid: string;
      }>;
      for (const action of statements.flatMap((statement) => [statement.Action].flat())) {
        expect(action).not.toContain('*');
      }
      expect(statements[0]).toMatchObject({
        Sid: 'KeyAdministrationByTheAccount',
        Action: [...KEY_ADMIN_ACTIONS],
      });
    }
  });

  it('scopes the CloudWatch Logs and CloudTrail key grants to this trail', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchLogsEncryptsTheTrailLogGroup',
            Condition: {
              ArnEquals: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    Match.arrayWith([Match.stringLikeRegexp(':log-group:/sep/account/cloudtrail$')]),
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321, NIST80053R5 or Sep finding', () => {
    expect(unsuppressed(stack)).toEqual([]);
  });

  it('runs the Sep pack on its policies (key, trail bucket, topic, managed policies) and suppresses none', () => {
    const sep = collector.report('account-security').packs.find((pack) => pack.pack === 'Sep');
    expect(sep?.rulesChecked).toBe(2);
    expect(sep?.checksPassed).toBeGreaterThan(10);
    expect([...(sep?.suppressed ?? []), ...(sep?.errors ?? [])]).toEqual([]);
  });
});

describe('AccountSecurityStack without a recorder', () => {
  const { stack, template } = build({ createConfigRecorder: false });

  it('creates no recorder, no delivery channel, and still the periodic rules', () => {
    template.resourceCountIs('AWS::Config::ConfigurationRecorder', 0);
    expect(
      Template.fromStack(build({ configureApiGatewayLogging: false }).stack).findResources(
        'AWS::ApiGateway::Account',
      ),
    ).toEqual({});
    template.resourceCountIs('AWS::Config::DeliveryChannel', 0);
    template.resourceCountIs('AWS::Config::ConfigRule', ACCOUNT_CONFIG_RULES.length);
    expect(unsuppressed(stack)).toEqual([]);
  });
});

describe('AccountSecurityStack with the platform roles', () => {
  const portal = 'arn:aws:iam::999999999999:role/sep-delivery-portal';
  const sweeper = 'arn:aws:iam::999999999999:role/sep-delivery-ttl-sweeper';
  const smoke = 'arn:aws:iam::999999999999:role/sep-delivery-smoke-test';
  const { stack, template } = build({
    platformAccess: {
      pipelineAccount: '999999999999',
      readerRoleArns: [portal, sweeper],
      smokeTestRoleArn: smoke,
    },
  });
  const trustOf = (roleName: string) =>
    Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }))[0]
      ?.Properties.AssumeRolePolicyDocument.Statement as unknown[];

  it('names the roles by region, as the portal, the sweeper and the smoke test compute them', () => {
    expect(platformAccessRoleArn(env)).toBe('arn:aws:iam::111111111111:role/sep-account-us-east-1-platform');
    expect(smokeTestRoleArn(env)).toBe('arn:aws:iam::111111111111:role/sep-account-us-east-1-smoke');
    expect(trustOf('sep-account-us-east-1-platform')).toHaveLength(1);
    expect(trustOf('sep-account-us-east-1-smoke')).toHaveLength(1);
  });

  it('trusts the pipeline account only for the portal and sweeper roles (aws:PrincipalArn)', () => {
    expect(trustOf('sep-account-us-east-1-platform')).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: {
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::999999999999:root']] },
        },
        Condition: { ArnEquals: { 'aws:PrincipalArn': [portal, sweeper] } },
      },
    ]);
    expect(trustOf('sep-account-us-east-1-smoke')).toEqual([
      expect.objectContaining({ Condition: { ArnEquals: { 'aws:PrincipalArn': [smoke] } } }),
    ]);
  });

  it('reads environment stacks and Config compliance, and deletes only stacks tagged ephemeral', () => {
    const statements = Object.values(
      template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Description: Match.stringLikeRegexp('portal and the TTL sweeper') },
      }),
    )[0]?.Properties.PolicyDocument.Statement as {
      Sid: string;
      Action: string[];
      Resource: unknown;
      Condition?: unknown;
    }[];
    const bySid = Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
    expect(bySid.ReadWithoutResourceTypes?.Resource).toBe('*');
    expect([...(bySid.ReadWithoutResourceTypes?.Action ?? [])].sort()).toEqual([
      'cloudformation:DescribeStackDriftDetectionStatus',
      'config:DescribeComplianceByConfigRule',
      'config:DescribeConfigRules',
    ]);
    expect(JSON.stringify(bySid.ReadEnvironmentStacks?.Resource)).toContain(':stack/sep-*-environment/*');
    // The evidence bundle reads this stack's AuditTrailArn output: DescribeStacks on this stack only.
    expect(bySid.ReadAccountSecurityOutputs?.Action).toBe('cloudformation:DescribeStacks');
    expect(bySid.ReadAccountSecurityOutputs?.Resource).toEqual({ Ref: 'AWS::StackId' });
    expect(bySid.DeleteEphemeralEnvironmentStacks?.Action).toBe('cloudformation:DeleteStack');
    expect(bySid.DeleteEphemeralEnvironmentStacks?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/EnvironmentKind': 'ephemeral' },
    });
    // No wildcard actions in what the project writes.
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
    }
  });

  it('outputs the trail ARN for the evidence bundle', () => {
    const outputs = template.findOutputs('AuditTrailArn');
    expect(outputs.AuditTrailArn?.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Trail/), 'Arn'] });
  });

  it('lets the smoke test read API keys and call the smoke routes of this region only', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadEnvironmentApiKeys', Action: 'apigateway:GET' }),
          Match.objectLike({ Sid: 'InvokeSmokeRoutes', Action: 'execute-api:Invoke' }),
        ]),
      },
    });
    expect(JSON.stringify(template.toJSON())).toContain(':us-east-1::/apikeys/*');
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321, NIST80053R5 or Sep finding', () => {
    expect(unsuppressed(stack)).toEqual([]);
  });
});
