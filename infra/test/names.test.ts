import { MAX_SUFFIX_LENGTH, PHYSICAL_NAME_TEMPLATES, SUFFIX_LENGTH_BINDING } from '@sep/spec';
import type { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_SPEC_INPUT, LONGEST_SUFFIX_INPUT, resources, synthesizeApp } from './fixtures';

/**
 * Physical names: the longest suffix the spec allows synthesizes with every
 * named resource switched on and every name within its AWS limit; two stages
 * with different suffixes in one app share no physical name.
 */

/** Name-bearing properties per resource type, with the AWS limit of that name. */
const NAME_PROPERTIES: Record<string, [property: string, limit: number][]> = {
  'AWS::S3::Bucket': [['BucketName', 63]],
  'AWS::DynamoDB::Table': [['TableName', 255]],
  'AWS::Lambda::Function': [['FunctionName', 64]],
  'AWS::IAM::Role': [['RoleName', 64]],
  'AWS::IAM::ManagedPolicy': [['ManagedPolicyName', 128]],
  'AWS::SQS::Queue': [['QueueName', 80]],
  'AWS::SNS::Topic': [['TopicName', 256]],
  'AWS::Logs::LogGroup': [['LogGroupName', 512]],
  'AWS::Logs::MetricFilter': [['FilterName', 512]],
  'AWS::CloudWatch::Alarm': [['AlarmName', 255]],
  'AWS::CloudWatch::Dashboard': [['DashboardName', 255]],
  'AWS::Events::Rule': [['Name', 64]],
  'AWS::Config::ConfigRule': [['ConfigRuleName', 128]],
  'AWS::KMS::Alias': [['AliasName', 256]],
  'AWS::SecretsManager::Secret': [['Name', 512]],
  'AWS::ApiGateway::RestApi': [['Name', 1024]],
  'AWS::WAFv2::WebACL': [['Name', 128]],
  'AWS::RDS::DBCluster': [['DBClusterIdentifier', 63]],
  'AWS::SSM::Parameter': [['Name', 1011]],
  'AWS::NetworkFirewall::Firewall': [['FirewallName', 128]],
  'AWS::NetworkFirewall::FirewallPolicy': [['FirewallPolicyName', 128]],
  'AWS::NetworkFirewall::RuleGroup': [['RuleGroupName', 128]],
};

function physicalNames(
  template: Template,
): { type: string; property: string; name: string; limit: number }[] {
  return resources(template).flatMap(([, resource]) =>
    (NAME_PROPERTIES[resource.Type] ?? []).flatMap(([property, limit]) => {
      const value = resource.Properties?.[property];
      return typeof value === 'string' ? [{ type: resource.Type, property, name: value, limit }] : [];
    }),
  );
}

const fixture = synthesizeApp([
  LONGEST_SUFFIX_INPUT,
  DEFAULT_SPEC_INPUT,
  { ...DEFAULT_SPEC_INPUT, environmentSuffix: 'pr124' },
]);
const [longest, first, second] = fixture.templates as [Template, Template, Template];

describe('the longest allowed environmentSuffix', () => {
  it('is derived from the physical-name table', () => {
    expect(MAX_SUFFIX_LENGTH).toBe(SUFFIX_LENGTH_BINDING.room);
    expect(PHYSICAL_NAME_TEMPLATES[SUFFIX_LENGTH_BINDING.kind]).toBeDefined();
  });

  it('synthesizes with every name within its AWS limit', () => {
    const names = physicalNames(longest);
    expect(names.length).toBeGreaterThan(30);
    const tooLong = names.filter((entry) => entry.name.length > entry.limit);
    expect(tooLong).toEqual([]);
  });

  it('fills at least one name to exactly its limit (one more character would not fit)', () => {
    const full = physicalNames(longest).filter((entry) => entry.name.length === entry.limit);
    expect(full.length).toBeGreaterThan(0);
  });

  it('keeps the stack name within 128 characters', () => {
    const [stage] = fixture.stages;
    expect(stage?.stack.stackName.length).toBeLessThanOrEqual(128);
  });
});

describe('two environments in one app', () => {
  it('share no physical name', () => {
    const a = new Set(physicalNames(first).map((entry) => `${entry.type}:${entry.name}`));
    const shared = physicalNames(second).filter((entry) => a.has(`${entry.type}:${entry.name}`));
    expect(shared).toEqual([]);
  });

  it('carry their suffix in every physical name', () => {
    for (const entry of physicalNames(second)) expect(entry.name).toContain('pr124');
  });
});
