// The environment's stack outputs (SPEC section 4): their keys, the CfnOutputs and the encrypted-resource count.
import { CfnOutput, Fn, Lazy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { PACK_NAMES } from './nag/report';
import type { SecureEnvironmentStack } from './secure-environment-stack';

/** The stack outputs (SPEC section 4), as CfnOutput objects for `envFromCfnOutputs`. */
export interface SecureEnvironmentOutputs {
  readonly apiUrl: CfnOutput;
  readonly apiKeyId: CfnOutput;
  readonly apiKeySecretArn: CfnOutput;
  readonly dataBucketName: CfnOutput;
  readonly dataKeyArn: CfnOutput;
  readonly logsKeyArn: CfnOutput;
  readonly lambdaKeyArn: CfnOutput;
  readonly secretsKeyArn: CfnOutput;
  readonly vpcId: CfnOutput;
  readonly subnetIds: CfnOutput;
  readonly alertTopicArn: CfnOutput;
  readonly auditTableName: CfnOutput;
  readonly transactionsTableName: CfnOutput;
  /** `none` when the waf feature is off. */
  readonly webAclArn: CfnOutput;
  /** `none` when the database feature is off. */
  readonly databaseEndpointParameterName: CfnOutput;
  readonly encryptedResourceCount: CfnOutput;
  readonly securityFeatures: CfnOutput;
  readonly complianceSummary: CfnOutput;
}

/** Output keys, in the order of SPEC section 4. */
export const OUTPUT_KEYS = [
  'apiUrl',
  'apiKeyId',
  'apiKeySecretArn',
  'dataBucketName',
  'dataKeyArn',
  'logsKeyArn',
  'lambdaKeyArn',
  'secretsKeyArn',
  'vpcId',
  'subnetIds',
  'alertTopicArn',
  'auditTableName',
  'transactionsTableName',
  'webAclArn',
  'databaseEndpointParameterName',
  'encryptedResourceCount',
  'securityFeatures',
  'complianceSummary',
] as const satisfies readonly (keyof SecureEnvironmentOutputs)[];

/** The outputs of a fully built environment stack, each a CfnOutput of the stack itself (ids unchanged). */
export function addEnvironmentOutputs(stack: SecureEnvironmentStack): SecureEnvironmentOutputs {
  const out = (id: string, value: string, description: string) =>
    new CfnOutput(stack, id, { value, description });
  const vpc = stack.network.vpc;
  return {
    apiUrl: out(
      'ApiUrl',
      stack.api.restApi.url,
      'Invoke URL of the API stage (SigV4-sign and send x-api-key)',
    ),
    apiKeyId: out(
      'ApiKeyId',
      stack.api.apiKey.keyId,
      'ID of the API key (its value is in the API key secret)',
    ),
    apiKeySecretArn: out('ApiKeySecretArn', stack.api.apiKeySecret.ref, 'Secret holding the API key value'),
    dataBucketName: out(
      'DataBucketName',
      stack.storage.dataBucket.bucketName,
      'Data bucket (SSE-KMS, versioned)',
    ),
    dataKeyArn: out('DataKeyArn', stack.keys.data.keyArn, 'KMS key: data'),
    logsKeyArn: out('LogsKeyArn', stack.keys.logs.keyArn, 'KMS key: logs, alerts, dead letters'),
    lambdaKeyArn: out('LambdaKeyArn', stack.keys.lambda.keyArn, 'KMS key: Lambda environment'),
    secretsKeyArn: out('SecretsKeyArn', stack.keys.secrets.keyArn, 'KMS key: secrets'),
    vpcId: out('VpcId', vpc.vpcId, 'Isolated VPC'),
    subnetIds: out(
      'SubnetIds',
      Fn.join(',', vpc.selectSubnets({ subnetGroupName: 'workload' }).subnetIds),
      'Workload subnets (isolated)',
    ),
    alertTopicArn: out('AlertTopicArn', stack.alertTopic.topicArn, 'Security alert topic'),
    auditTableName: out('AuditTableName', stack.storage.auditTable.tableName, 'Audit table'),
    transactionsTableName: out(
      'TransactionsTableName',
      stack.storage.transactionsTable.tableName,
      'Transactions table',
    ),
    webAclArn: out(
      'WebAclArn',
      stack.api.webAcl?.attrArn ?? 'none',
      'WAFv2 web ACL of the API (none: waf off)',
    ),
    databaseEndpointParameterName: out(
      'DatabaseEndpointParameterName',
      stack.database?.endpointParameter.parameterName ?? 'none',
      'SSM parameter holding the Aurora endpoint (none: database off)',
    ),
    encryptedResourceCount: out(
      'EncryptedResourceCount',
      Lazy.string({ produce: () => String(countEncryptedResources(stack)) }),
      'Resources encrypted at rest with a customer-managed key or, where AWS requires, SSE-S3',
    ),
    securityFeatures: out('SecurityFeatures', stack.securityFeatures.join(','), 'Enabled security features'),
    complianceSummary: out(
      'ComplianceSummary',
      `packs=${PACK_NAMES.join(',')};configRules=${stack.compliance.configRuleNames.length};kind=${stack.spec.kind}`,
      'Static compliance packs and the number of AWS Config rules of this environment',
    ),
  };
}

/** Encrypted-at-rest resources of the stack, counted from the L1 properties. */
export function countEncryptedResources(scope: IConstruct): number {
  return scope.node.findAll().filter((node) => {
    if (node instanceof s3.CfnBucket) return node.bucketEncryption !== undefined;
    if (node instanceof dynamodb.CfnTable) return node.sseSpecification !== undefined;
    if (node instanceof logs.CfnLogGroup) return node.kmsKeyId !== undefined;
    if (node instanceof sns.CfnTopic) return node.kmsMasterKeyId !== undefined;
    if (node instanceof sqs.CfnQueue) return node.kmsMasterKeyId !== undefined;
    if (node instanceof secretsmanager.CfnSecret) return node.kmsKeyId !== undefined;
    if (node instanceof lambda.CfnFunction) return node.kmsKeyArn !== undefined;
    if (node instanceof rds.CfnDBCluster) return node.storageEncrypted === true;
    return false;
  }).length;
}
