import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { HumanAccessRoles } from './access';
import { nagCheckedStack, testKey, unsuppressedFindings } from './governance-test-kit';
import { KEY_DESTRUCTION_ACTIONS, LOG_TAMPERING_ACTIONS } from './human-access-statements';

const stack = nagCheckedStack();
const dataKey = testKey(stack, 'DataKey');
const auditKey = testKey(stack, 'AuditKey');
const logGroup = new logs.LogGroup(stack, 'FunctionLogs', {
  encryptionKey: testKey(stack, 'LogsKey'),
  retention: logs.RetentionDays.THREE_MONTHS,
});
const access = new HumanAccessRoles(stack, 'Access', {
  environmentSuffix: 'pr123',
  allowedCidrs: ['10.0.0.0/8', '192.0.2.0/24'],
  crossAccountAuditor: { accountId: '222222222222', externalId: 'sep-audit-7f3c' },
  resources: {
    logGroups: [logGroup],
    auditTable: dynamodb.Table.fromTableName(stack, 'Audit', 'sep-pr123-audit'),
    auditTableKey: auditKey,
    dataBucket: s3.Bucket.fromBucketName(stack, 'Data', 'sep-data-pr123-111111111111-us-east-1'),
    dataKey,
    functions: [
      lambda.Function.fromFunctionArn(
        stack,
        'Fn',
        'arn:aws:lambda:us-east-1:111111111111:function:sep-pr123-pii-scanner',
      ),
    ],
    configRuleArns: ['arn:aws:config:us-east-1:111111111111:config-rule/config-rule-abc123'],
  },
});
const template = Template.fromStack(stack);

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
  Sid?: string;
};
const policyStatements = (logicalIdPrefix: string): Statement[] => {
  const [policy] = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([logicalId]) => logicalId.startsWith(logicalIdPrefix))
    .map(([, resource]) => resource);
  return policy?.Properties.PolicyDocument.Statement ?? [];
};
const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('HumanAccessRoles', () => {
  it('names both roles through physicalName, limits sessions to an hour and uses no inline policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'sep-pr123-us-east-1-operator',
      MaxSessionDuration: 3600,
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'sep-pr123-us-east-1-auditor',
      MaxSessionDuration: 3600,
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.Policies).toBeUndefined();
    }
    const attachments = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
      (policy) => policy.Properties.Roles,
    );
    expect(attachments).toHaveLength(4);
  });

  it('lets the operator be assumed only with MFA and from the allowed CIDRs', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'sep-pr123-us-east-1-operator',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Condition: {
              Bool: { 'aws:MultiFactorAuthPresent': 'true' },
              NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
              IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.0/24'] },
            },
          }),
        ],
      },
    });
  });

  it('lets the cross-account auditor in only with the external ID and from the allowed CIDRs', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'sep-pr123-us-east-1-auditor',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { AWS: { 'Fn::Join': ['', Match.arrayWith([':iam::222222222222:root'])] } },
            Condition: {
              StringEquals: { 'sts:ExternalId': 'sep-audit-7f3c' },
              IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.0/24'] },
            },
          }),
        ],
      },
    });
  });

  it('requires the source IP for every allow, MFA for every data action, and KMS only through the data service', () => {
    const statements = policyStatements('AccessOperatorPolicy');
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      const actions = actionsOf(statement);
      if (actions.every((action) => action.startsWith('kms:'))) {
        // S3 and DynamoDB call KMS on the caller's behalf without aws:SourceIp: the
        // gate is the service call itself, which carries the IP and MFA conditions.
        expect(statement.Condition).toEqual({
          StringEquals: {
            'kms:ViaService': expect.stringMatching(/^(s3|dynamodb)\.us-east-1\.amazonaws\.com$/),
          },
        });
        continue;
      }
      expect(statement.Condition?.IpAddress).toEqual({ 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.0/24'] });
      const touchesData = actions.some((action) =>
        ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 'lambda:InvokeFunction'].includes(action),
      );
      if (touchesData) expect(statement.Condition?.Bool).toEqual({ 'aws:MultiFactorAuthPresent': 'true' });
    }
  });

  it('gives the auditor reads only', () => {
    const actions = policyStatements('AccessAuditorPolicy').flatMap(actionsOf);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      expect(action).toMatch(/:(Describe|Get|Filter|Query|StartQuery|Decrypt)/);
    }
  });

  it('writes no wildcard action and names resources explicitly', () => {
    for (const prefix of ['AccessOperatorPolicy', 'AccessAuditorPolicy', 'AccessGuardrails']) {
      for (const statement of policyStatements(prefix)) {
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        if (statement.Effect === 'Allow') expect(statement.Resource).not.toEqual('*');
      }
    }
  });

  it('denies other regions, key destruction and log tampering to both roles', () => {
    const guardrails = policyStatements('AccessGuardrails');
    const bySid = Object.fromEntries(guardrails.map((statement) => [statement.Sid, statement]));
    expect(bySid.DenyOutsideEnvironmentRegion).toMatchObject({
      Effect: 'Deny',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    });
    expect(actionsOf(bySid.DenyOutsideEnvironmentRegion as Statement)).toEqual(
      expect.arrayContaining(['s3:GetObject', 'logs:FilterLogEvents', 'dynamodb:Query']),
    );
    expect(bySid.DenyKeyDestruction).toMatchObject({ Effect: 'Deny', Action: [...KEY_DESTRUCTION_ACTIONS] });
    expect(bySid.DenyLogTampering).toMatchObject({ Effect: 'Deny', Action: [...LOG_TAMPERING_ACTIONS] });
    expect(LOG_TAMPERING_ACTIONS).toEqual(
      expect.arrayContaining([
        'logs:DeleteLogGroup',
        'logs:PutRetentionPolicy',
        'cloudtrail:DeleteTrail',
        'cloudtrail:StopLogging',
        's3:BypassGovernanceRetention',
      ]),
    );
    expect(access.guardrailPolicy).toBeDefined();
  });

  it('names the roles in the key policies, scoped to the service that uses the key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowOperatorToUseDataKeyThroughS3',
            Condition: Match.objectLike({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }),
          }),
        ]),
      },
    });
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321 or NIST80053R5 finding', () => {
    expect(unsuppressedFindings(stack)).toEqual([]);
  });
});
