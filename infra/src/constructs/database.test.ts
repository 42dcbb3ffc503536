import type { EnvironmentKind } from '@sep/spec';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AuroraDatabase, BACKUP_RETENTION_DAYS, DATABASE_LOG_TYPES } from './database';
import { nagCheckedStack, testKey, unsuppressedFindings } from './governance-test-kit';

function build(kind: EnvironmentKind) {
  const stack = nagCheckedStack();
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    isolatedSubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    isolatedSubnetRouteTableIds: ['rtb-a', 'rtb-b', 'rtb-c'],
  });
  const client = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Client', 'sg-0123456789abcdef0');
  const database = new AuroraDatabase(stack, 'Database', {
    environmentSuffix: 'pr123',
    kind,
    vpc,
    storageEncryptionKey: testKey(stack, 'DataKey'),
    logsEncryptionKey: testKey(stack, 'LogsKey'),
    credentials: secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'Secret',
      'arn:aws:secretsmanager:us-east-1:111111111111:secret:sep/pr123/database/master-AbCdEf',
    ),
    clientSecurityGroups: [client],
  });
  return { stack, database, template: Template.fromStack(stack) };
}

describe('AuroraDatabase (prod)', () => {
  const { stack, template } = build('prod');

  it('runs Aurora MySQL 3 Serverless v2, writer and reader, in the isolated subnets', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'sep-pr123-aurora',
      Engine: 'aurora-mysql',
      EngineVersion: Match.stringLikeRegexp('^8\\.0\\.mysql_aurora\\.3\\.'),
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      PubliclyAccessible: false,
    });
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    });
  });

  it('encrypts storage with the data CMK and enables IAM authentication', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
      EnableIAMDatabaseAuthentication: true,
    });
  });

  it('requires TLS 1.2 or 1.3 in the cluster parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Family: 'aurora-mysql8.0',
      Parameters: Match.objectLike({
        require_secure_transport: 'ON',
        tls_version: 'TLSv1.2,TLSv1.3',
        server_audit_logging: '1',
        general_log: '0',
      }),
    });
  });

  it('protects and retains the prod cluster and keeps backups 35 days', () => {
    template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtection: true, BackupRetentionPeriod: 35 }),
    });
  });

  it('exports every log to a KMS log group kept 90 days, created before the cluster', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      EnableCloudwatchLogsExports: [...DATABASE_LOG_TYPES],
    });
    for (const logType of DATABASE_LOG_TYPES) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/cluster/sep-pr123-aurora/${logType}`,
        RetentionInDays: 90,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] },
      });
    }
    const cluster = Object.values(template.findResources('AWS::RDS::DBCluster'))[0];
    expect(cluster?.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^DatabaseauditLogGroup/)]),
    );
  });

  it('admits only the listed client security group on 3306 and allows no egress', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 3306,
      ToPort: 3306,
      SourceSecurityGroupId: 'sg-0123456789abcdef0',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  it('publishes the endpoint host as an SSM String parameter', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/sep/pr123/database/endpoint',
      Type: 'String',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseCluster'), 'Endpoint.Address'] },
    });
  });

  it('attaches the cluster to the credentials secret for rotation', () => {
    template.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 1);
  });

  it('leaves no unsuppressed AwsSolutions, PCIDSS321 or NIST80053R5 finding', () => {
    expect(unsuppressedFindings(stack)).toEqual([]);
  });
});

describe('AuroraDatabase (ephemeral)', () => {
  const { stack, template } = build('ephemeral');

  it('is destroyable, unprotected, with one day of backups', () => {
    template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        DeletionProtection: false,
        BackupRetentionPeriod: BACKUP_RETENTION_DAYS.ephemeral,
      }),
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  it('leaves no unsuppressed finding (deletion protection acknowledged for non-prod only)', () => {
    expect(unsuppressedFindings(stack)).toEqual([]);
  });
});
