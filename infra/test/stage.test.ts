import { REGION_AVAILABILITY_ZONES } from '@sep/spec';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AUDIT_TIMESTAMP_INDEX } from '../src/constructs/storage';
import { OUTPUT_KEYS } from '../src/secure-environment-outputs';
import { ENVIRONMENT_TAG_KEYS } from '../src/tags';
import {
  ALL_FEATURES_OFF_INPUT,
  type CfnResource,
  DEFAULT_SPEC_INPUT,
  PROD_ALL_FEATURES_INPUT,
  resources,
  synthesizeApp,
} from './fixtures';

/**
 * SPEC section 4, read as a specification of the synthesized stage. One app,
 * three stages (default ephemeral, prod with every feature, every feature off).
 *
 * Why this file stays over ~400 lines (issue #13): every describe below reads the same synthesized
 * app, and jest gives each test file its own module registry, so fixtures.ts cannot share one synth
 * between files. Splitting by concern would synthesize these three stages once per file, several
 * times the slowest work of infra's tests on a 2-core machine.
 */
const fixture = synthesizeApp([DEFAULT_SPEC_INPUT, PROD_ALL_FEATURES_INPUT, ALL_FEATURES_OFF_INPUT]);
const [ephemeral, prod, bare] = fixture.templates as [Template, Template, Template];
const all = [ephemeral, prod, bare];

/** A property the test expects to be there; fails loudly when it is not. */
function prop<T>(resource: CfnResource, name: string): T {
  const value = resource.Properties?.[name];
  if (value === undefined) throw new Error(`${resource.Type} has no ${name}`);
  return value as T;
}

const ofType = (template: Template, type: string) => resources(template).filter(([, r]) => r.Type === type);

describe('KMS: one rotating customer-managed key per purpose, explicit key policies', () => {
  it('creates four keys (data, logs, lambda, secrets) with rotation and aliases carrying the suffix', () => {
    ephemeral.resourceCountIs('AWS::KMS::Key', 4);
    ephemeral.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const purpose of ['data', 'logs', 'lambda', 'secrets']) {
      ephemeral.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/sep/pr123/${purpose}` });
    }
  });

  it('never grants kms:* and scopes service principals by encryption context or source account', () => {
    for (const [, key] of ofType(prod, 'AWS::KMS::Key')) {
      const statements = prop<{ Statement: Record<string, unknown>[] }>(key, 'KeyPolicy').Statement;
      for (const statement of statements) {
        expect([statement.Action].flat()).not.toContain('kms:*');
        const principal = statement.Principal as { Service?: unknown } | undefined;
        if (principal?.Service !== undefined) expect(statement.Condition).toBeDefined();
      }
    }
  });

  it('retains keys in prod and deletes them in ephemeral environments', () => {
    prod.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    ephemeral.allResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});

describe('S3: data, access-log, flow-log and audit buckets', () => {
  it('blocks public access, versions and enforces TLS on every bucket', () => {
    for (const template of all) {
      template.allResourcesProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
      for (const [, policy] of ofType(template, 'AWS::S3::BucketPolicy')) {
        expect(JSON.stringify(policy.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      }
    }
  });

  it('encrypts with a CMK and bucket key, except the access-log bucket S3 requires to be SSE-S3', () => {
    const buckets = ofType(ephemeral, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(4);
    const algorithms = buckets.map(([, bucket]) => {
      const encryption = prop<{ ServerSideEncryptionConfiguration: Record<string, unknown>[] }>(
        bucket,
        'BucketEncryption',
      );
      const rule = encryption.ServerSideEncryptionConfiguration[0] as {
        ServerSideEncryptionByDefault: { SSEAlgorithm: string };
      };
      return rule.ServerSideEncryptionByDefault.SSEAlgorithm;
    });
    expect(algorithms.sort()).toEqual(['AES256', 'aws:kms', 'aws:kms', 'aws:kms']);
  });

  it('moves noncurrent data versions to Glacier after 30 days and logs access', () => {
    ephemeral.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'sep-data-pr123-111111111111-us-east-1',
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'data/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }],
          }),
        ]),
      },
    });
  });

  it('denies uploads without SSE-KMS or with another key, and prod denies version deletes without MFA', () => {
    const policies = (template: Template) =>
      ofType(template, 'AWS::S3::BucketPolicy').map(([, policy]) => JSON.stringify(policy.Properties));
    expect(policies(ephemeral).some((p) => p.includes('DenyUploadsWithoutSseKms'))).toBe(true);
    expect(policies(ephemeral).some((p) => p.includes('DenyUploadsWithAnotherKey'))).toBe(true);
    expect(policies(ephemeral).some((p) => p.includes('DenyVersionDeletesWithoutMfa'))).toBe(false);
    expect(policies(prod).some((p) => p.includes('DenyVersionDeletesWithoutMfa'))).toBe(true);
  });

  it('keeps audit-relevant objects 400 days in staging/prod and 90 in ephemeral environments', () => {
    const expirations = (template: Template) =>
      ofType(template, 'AWS::S3::Bucket').flatMap(([, bucket]) =>
        prop<{ Rules: { ExpirationInDays?: number }[] }>(bucket, 'LifecycleConfiguration')
          .Rules.map((rule) => rule.ExpirationInDays)
          .filter((days) => days !== undefined),
      );
    expect(new Set(expirations(prod))).toEqual(new Set([400]));
    expect(new Set(expirations(ephemeral))).toEqual(new Set([90]));
  });

  it('archives API access, WAF, Aurora audit and firewall logs to the audit bucket through KMS Firehose in staging/prod only', () => {
    prod.resourceCountIs('AWS::Logs::SubscriptionFilter', 4);
    prod.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: Match.objectLike({ KeyType: 'CUSTOMER_MANAGED_CMK' }),
      ExtendedS3DestinationConfiguration: Match.objectLike({ Prefix: 'cloudwatch/' }),
    });
    ephemeral.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
  });

  it('empties and deletes buckets only for ephemeral environments, retains them in prod', () => {
    expect(ofType(ephemeral, 'Custom::S3AutoDeleteObjects').length).toBe(4);
    expect(ofType(prod, 'Custom::S3AutoDeleteObjects').length).toBe(0);
    prod.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('keeps the write deny of an emptied ephemeral bucket until the bucket is gone (late log deliveries)', () => {
    // The auto-delete handler denies s3:PutObject, then empties: the policy holding that deny must
    // outlive the emptying, or access and flow logs refill the bucket before it is deleted.
    const policies = ofType(ephemeral, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(4);
    for (const [, policy] of policies) expect(policy.DeletionPolicy).toBe('Retain');
  });
});

describe('Network: isolated 3-AZ VPC, endpoints, HTTPS-only security groups', () => {
  it('has no internet gateway and no NAT', () => {
    for (const template of all) {
      template.resourceCountIs('AWS::EC2::InternetGateway', 0);
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
    }
  });

  it('uses the three explicit zones of the region (no lookups)', () => {
    const zones = new Set(
      ofType(ephemeral, 'AWS::EC2::Subnet').map(([, subnet]) => subnet.Properties?.AvailabilityZone),
    );
    expect([...zones].sort()).toEqual([...REGION_AVAILABILITY_ZONES['us-east-1']]);
  });

  it('logs ALL traffic to the flow-log bucket', () => {
    ephemeral.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 's3' });
  });

  it('has gateway endpoints for S3 and DynamoDB and an interface endpoint per service the functions call', () => {
    const serviceNames = (template: Template) =>
      ofType(template, 'AWS::EC2::VPCEndpoint').map(([, endpoint]) =>
        JSON.stringify(endpoint.Properties?.ServiceName),
      );
    const names = serviceNames(ephemeral).join(' ');
    for (const service of [
      '.s3',
      '.dynamodb',
      '.kms',
      '.secretsmanager',
      '.lambda',
      '.logs',
      '.sns',
      '.sts',
      '.xray',
      '.config',
      '.ec2',
    ]) {
      expect(names).toContain(service);
    }
    expect(names).not.toContain('execute-api');
    expect(serviceNames(prod).join(' ')).toContain('execute-api');
  });

  it('scopes the S3, DynamoDB, KMS and SNS endpoint policies to this environment', () => {
    const policies = ofType(ephemeral, 'AWS::EC2::VPCEndpoint')
      .map(([, endpoint]) => endpoint.Properties?.PolicyDocument)
      .filter((document) => document !== undefined);
    expect(policies.length).toBeGreaterThanOrEqual(4);
    for (const policy of policies) {
      expect(JSON.stringify(policy)).toContain('aws:PrincipalAccount');
    }
  });

  it('opens only HTTPS and never ingress from 0.0.0.0/0', () => {
    for (const template of all) {
      for (const [, group] of ofType(template, 'AWS::EC2::SecurityGroup')) {
        for (const rule of (group.Properties?.SecurityGroupIngress as
          | Record<string, unknown>[]
          | undefined) ?? []) {
          expect(rule.FromPort).toBe(443);
          expect(rule.ToPort).toBe(443);
          expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        }
        for (const rule of (group.Properties?.SecurityGroupEgress as Record<string, unknown>[] | undefined) ??
          []) {
          // 255.255.255.255/32 ICMP is CDK's "no egress" marker.
          if (rule.CidrIp === '255.255.255.255/32') continue;
          // MySQL only towards the database security group (the rotation function's group).
          if (rule.DestinationSecurityGroupId !== undefined) expect(rule.FromPort).toBe(3306);
          else expect(rule.FromPort).toBe(443);
        }
      }
    }
  });

  it('lets only the rotation function reach the database, on the MySQL port, besides HTTPS', () => {
    const groupsWithMysql = ofType(prod, 'AWS::EC2::SecurityGroup').filter(([, group]) =>
      ((group.Properties?.SecurityGroupEgress as Record<string, unknown>[] | undefined) ?? []).some(
        (rule) => rule.FromPort === 3306,
      ),
    );
    expect(groupsWithMysql.map(([id]) => id)).toEqual([
      expect.stringMatching(/^DatabaseClientSecurityGroup/),
    ]);
    expect(ofType(ephemeral, 'AWS::EC2::SecurityGroup').some(([id]) => id.startsWith('DatabaseClient'))).toBe(
      false,
    );
  });

  it('locks the default security group down', () => {
    ephemeral.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  it('routes workload egress through Network Firewall with a TLS SNI allowlist when the feature is on', () => {
    ephemeral.resourceCountIs('AWS::NetworkFirewall::Firewall', 0);
    prod.resourceCountIs('AWS::NetworkFirewall::Firewall', 1);
    prod.hasResourceProperties('AWS::NetworkFirewall::RuleGroup', {
      Type: 'STATEFUL',
      RuleGroup: Match.objectLike({
        RulesSource: {
          RulesSourceList: Match.objectLike({ GeneratedRulesType: 'ALLOWLIST', TargetTypes: ['TLS_SNI'] }),
        },
      }),
    });
    expect(
      ofType(prod, 'AWS::EC2::Route').filter(([, route]) => route.Properties?.VpcEndpointId !== undefined),
    ).toHaveLength(3);
  });
});

describe('Compute: Lambda functions from lambda/dist, least privilege, encrypted, in the VPC', () => {
  const functions = (template: Template) =>
    ofType(template, 'AWS::Lambda::Function').filter(([, fn]) =>
      String((fn.Properties?.FunctionName as string | undefined) ?? '').startsWith('sep-'),
    );

  it('runs every environment function on Node.js 24 in the VPC with KMS env, DLQ, reserved concurrency and tracing', () => {
    for (const template of all) {
      const list = functions(template);
      expect(list.length).toBeGreaterThanOrEqual(3);
      for (const [, fn] of list) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          VpcConfig: expect.anything(),
          KmsKeyArn: expect.anything(),
          DeadLetterConfig: expect.anything(),
          ReservedConcurrentExecutions: expect.any(Number),
          LoggingConfig: expect.objectContaining({ LogGroup: expect.anything() }),
        });
        expect(JSON.stringify(fn.Properties?.Code)).toContain('S3Key');
      }
    }
  });

  it('gives the document function a 15 s timeout', () => {
    ephemeral.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sep-pr123-document-api',
      Timeout: 15,
    });
  });

  it('gives each function its own role', () => {
    const roles = functions(prod).map(([, fn]) => JSON.stringify(fn.Properties?.Role));
    expect(new Set(roles).size).toBe(roles.length);
  });

  it('keeps function logs 90 days in KMS-encrypted log groups, like every other log group', () => {
    for (const template of all) {
      template.allResourcesProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 90,
        KmsKeyId: Match.anyValue(),
      });
    }
  });

  it('uses no deprecated logRetention helper', () => {
    for (const template of all) template.resourceCountIs('Custom::LogRetention', 0);
  });
});

describe('API: key and IAM authorization on every method, plan, validation, logs, WAF', () => {
  it('requires an API key and SigV4 on every method', () => {
    for (const template of all) {
      const methods = ofType(template, 'AWS::ApiGateway::Method');
      expect(methods.length).toBeGreaterThan(0);
      for (const [, method] of methods) {
        if (method.Properties?.HttpMethod === 'OPTIONS') continue;
        expect(method.Properties).toMatchObject({ ApiKeyRequired: true, AuthorizationType: 'AWS_IAM' });
        expect(method.Properties?.RequestValidatorId).toBeDefined();
      }
    }
  });

  it('validates document bodies against a JSON-schema model', () => {
    ephemeral.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({ required: ['contentType', 'content'] }),
    });
  });

  it('has a usage plan with throttle and quota', () => {
    ephemeral.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: Match.anyValue(), BurstLimit: Match.anyValue() },
      Quota: { Limit: Match.anyValue(), Period: 'DAY' },
    });
  });

  it('writes JSON access logs, logs errors, never traces data', () => {
    ephemeral.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: Match.objectLike({ Format: Match.stringLikeRegexp('"status"') }),
      MethodSettings: [Match.objectLike({ DataTraceEnabled: false, LoggingLevel: 'ERROR' })],
      TracingEnabled: true,
    });
  });

  it('keeps the API key value in Secrets Manager and never in the template', () => {
    const key = ofType(ephemeral, 'AWS::ApiGateway::ApiKey')[0]?.[1];
    expect(JSON.stringify(key?.Properties?.Value)).toContain('resolve:secretsmanager');
  });

  it('protects the API with a WAF web ACL (SQLi, common, bad inputs, rate) with logging, when waf is on', () => {
    const [, acl] = ofType(ephemeral, 'AWS::WAFv2::WebACL')[0] ?? [];
    const rules = (acl?.Properties?.Rules ?? []) as { Name: string; Statement: Record<string, unknown> }[];
    expect(rules.map((rule) => rule.Name)).toEqual(
      expect.arrayContaining([
        'AWSManagedRulesSQLiRuleSet',
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
      ]),
    );
    expect(rules.some((rule) => rule.Statement.RateBasedStatement !== undefined)).toBe(true);
    ephemeral.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    ephemeral.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
    bare.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it("lets exactly the account's smoke-test role call a REGIONAL API's smoke route", () => {
    const smokeStatement = (route: string) =>
      Match.objectLike({
        Statement: [
          Match.objectLike({
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: `execute-api:/v1/${route}`,
            Condition: {
              ArnEquals: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    Match.arrayWith([Match.stringLikeRegexp(':role/sep-account-us-east-1-smoke$')]),
                  ],
                },
              },
            },
          }),
        ],
      });
    ephemeral.hasResourceProperties('AWS::ApiGateway::RestApi', { Policy: smokeStatement('POST/documents') });
    // Without the document pipeline the API serves GET /health, and that is the route the smoke test calls.
    bare.hasResourceProperties('AWS::ApiGateway::RestApi', { Policy: smokeStatement('GET/health') });
  });

  it('is PRIVATE behind the execute-api endpoint when asked', () => {
    prod.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: Match.anyValue() },
      Policy: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny' })]) }),
    });
  });
});

describe('Audit and data: DynamoDB tables', () => {
  it('encrypts both tables with the data CMK, with PITR and contributor insights', () => {
    for (const template of all) {
      template.resourceCountIs('AWS::DynamoDB::Table', 2);
      template.allResourcesProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        ContributorInsightsSpecification: { Enabled: true },
      });
    }
  });

  it('indexes the audit table by day and timestamp (ARCHITECTURE.md)', () => {
    ephemeral.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'sep-pr123-audit',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: AUDIT_TIMESTAMP_INDEX,
          KeySchema: [
            { AttributeName: 'auditDay', KeyType: 'HASH' },
            { AttributeName: 'timestamp', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
    ephemeral.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'sep-pr123-transactions',
      KeySchema: [{ AttributeName: 'transactionId', KeyType: 'HASH' }],
    });
  });

  it('protects tables from deletion in prod only', () => {
    prod.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    ephemeral.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('Secrets and database', () => {
  it('rotates database credentials every 30 days when the database is on', () => {
    prod.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: Match.objectLike({ AutomaticallyAfterDays: 30 }),
    });
    prod.resourceCountIs('AWS::RDS::DBCluster', 1);
    bare.resourceCountIs('AWS::RDS::DBCluster', 0);
  });
});

describe('kind: termination protection and removal', () => {
  it('protects the prod stack from termination only', () => {
    const [defaultStage, prodStage] = fixture.stages;
    expect(prodStage?.stack.terminationProtection).toBe(true);
    expect(defaultStage?.stack.terminationProtection).toBe(false);
    expect(prodStage?.stack.stackName).toBe('sep-prod-environment');
  });
});

describe('Tags: every taggable resource carries the six environment tags', () => {
  it('tags every resource that has Tags', () => {
    for (const template of all) {
      for (const [logicalId, resource] of resources(template)) {
        const tags = resource.Properties?.Tags;
        if (tags === undefined || !Array.isArray(tags)) continue;
        const keys = (tags as { Key: string }[]).map((tag) => tag.Key);
        for (const key of ENVIRONMENT_TAG_KEYS) {
          expect({ logicalId, has: keys.includes(key) }).toEqual({ logicalId, has: true });
        }
      }
    }
  });

  it('tags the prod environment with its spec values', () => {
    prod.hasResourceProperties('AWS::S3::Bucket', {
      Tags: Match.arrayWith([
        { Key: 'CostCenter', Value: 'cc-1234' },
        { Key: 'Environment', Value: 'prod' },
        { Key: 'Owner', Value: 'alice@example.com' },
      ]),
    });
  });
});

describe('Outputs: every output of SPEC section 4', () => {
  it('declares every output in every spec', () => {
    for (const [index, template] of all.entries()) {
      const outputs = template.toJSON().Outputs as Record<string, unknown>;
      const stage = fixture.stages[index];
      for (const key of OUTPUT_KEYS) {
        const output = stage?.outputs[key];
        expect(output).toBeDefined();
        expect(Object.keys(outputs)).toContain(output?.node.id);
      }
    }
  });

  it('declares nothing else: no auto-named output (such as the RestApi endpoint) beside the documented ones', () => {
    for (const [index, template] of all.entries()) {
      const declared = OUTPUT_KEYS.map((key) => fixture.stages[index]?.outputs[key]?.node.id);
      expect(Object.keys(template.toJSON().Outputs as Record<string, unknown>).sort()).toEqual(
        [...declared].sort(),
      );
    }
  });

  it('counts encrypted resources and lists enabled features', () => {
    const outputs = prod.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Number(outputs.EncryptedResourceCount?.Value)).toBeGreaterThan(20);
    expect(String(outputs.SecurityFeatures?.Value)).toContain('network-firewall');
    expect(String((bare.toJSON().Outputs as Record<string, { Value: unknown }>).WebAclArn?.Value)).toBe(
      'none',
    );
  });
});
