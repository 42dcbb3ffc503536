import { bundleDirectory } from '@sep/lambda/bundles';
import { physicalName } from '@sep/spec';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ACCOUNT_TRAIL_LOG_GROUP_NAME } from '../account-names';
import { HumanAccessRoles } from './access';
import { AlertTopic } from './alert-topic';
import { EnvironmentCompliance } from './compliance';
import { AuroraDatabase } from './database';
import { TEST_ENV } from './governance-test-kit';
import { SecurityMonitoring } from './monitoring';
import { DatabaseSecret } from './secrets';

/**
 * The governance constructs composed the way the environment stack composes
 * them, around real (not imported) keys, roles, functions, table and bucket:
 * proves that the key-policy statements they add and the policies they attach
 * leave CloudFormation without a dependency cycle.
 */
describe('governance constructs composed with real resources', () => {
  const suffix = 'pr123';
  const app = new App();
  const stack = new Stack(app, 'Composition', { env: TEST_ENV });
  const key = (id: string) => new kms.Key(stack, id, { enableKeyRotation: true });
  const [dataKey, logsKey, secretsKey] = [key('DataKey'), key('LogsKey'), key('SecretsKey')];
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const fn = (label: string) => {
    return new lambda.Function(stack, label, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDirectory('pii-scanner')),
      vpc,
    });
  };
  const rotation = fn('Rotation');
  const evaluator = fn('Evaluator');
  const remediation = fn('Remediation');
  // Functions read the secret and use the keys through their own default policies, as the stack does.
  secretsKey.grantDecrypt(rotation);
  dataKey.grant(remediation, 'kms:Decrypt');

  const table = new dynamodb.Table(stack, 'Audit', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: dataKey,
  });
  const bucket = new s3.Bucket(stack, 'Data', { encryptionKey: dataKey });
  const accessLogGroup = new logs.LogGroup(stack, 'ApiAccessLogs', { encryptionKey: logsKey });
  const api = new apigateway.RestApi(stack, 'Api', {
    deployOptions: { stageName: 'v1' },
  });
  api.root.addMethod('GET');

  const alerts = new AlertTopic(stack, 'Alerts', {
    topicName: physicalName('alertTopic', { suffix }),
    encryptionKey: logsKey,
    emailAddresses: ['secops@example.com'],
  });
  alerts.grantPublish(remediation);
  const dbSecret = new DatabaseSecret(stack, 'DbSecret', {
    environmentSuffix: suffix,
    kind: 'staging',
    encryptionKey: secretsKey,
    rotationFunction: rotation,
  });
  const database = new AuroraDatabase(stack, 'Database', {
    environmentSuffix: suffix,
    kind: 'staging',
    vpc,
    storageEncryptionKey: dataKey,
    logsEncryptionKey: logsKey,
    credentials: dbSecret.secret,
    clientSecurityGroups: rotation.connections.securityGroups,
  });
  dbSecret.rotationSchedule?.node.addDependency(database.cluster);
  const compliance = new EnvironmentCompliance(stack, 'Compliance', {
    environmentSuffix: suffix,
    alertTopic: alerts.topic,
    complianceEvaluator: evaluator,
    remediationFunction: remediation,
    checkDatabase: true,
  });
  new SecurityMonitoring(stack, 'Monitoring', {
    environmentSuffix: suffix,
    alertTopic: alerts.topic,
    api: { restApi: api, stageName: 'v1', accessLogGroup },
    functions: [
      { label: 'secret-rotation', function: rotation },
      { label: 'remediation', function: remediation },
    ],
    trailLogGroup: logs.LogGroup.fromLogGroupName(stack, 'Trail', ACCOUNT_TRAIL_LOG_GROUP_NAME),
    keys: [dataKey, logsKey, secretsKey],
    buckets: [bucket],
    complianceChangeRule: compliance.complianceChangeRule,
  });
  new HumanAccessRoles(stack, 'Access', {
    environmentSuffix: suffix,
    allowedCidrs: ['10.0.0.0/8'],
    resources: {
      logGroups: [accessLogGroup],
      auditTable: table,
      auditTableKey: dataKey,
      dataBucket: bucket,
      dataKey,
      functions: [remediation],
    },
  });

  it('synthesizes without a dependency cycle', () => {
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::DBCluster', 1);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    const schedule = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))[0];
    expect(schedule?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DatabaseCluster/)]));
  });

  it('puts no wildcard KMS action in any key or IAM policy (no SnsTopic target, no Topic.grantPublish)', () => {
    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    // The fixture keys' own `kms:*` root statement is the test's kms.Key default, not the constructs'.
    expect(json).not.toMatch(/kms:[A-Za-z]+\*/);
  });
});
