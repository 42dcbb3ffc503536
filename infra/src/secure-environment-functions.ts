// The environment's Lambda functions with their policies, event rule, security groups and accepted nag findings.
import type { EnvironmentSpec } from '@sep/spec';
import { physicalName } from '@sep/spec';
import { Duration, type Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { EnvironmentFunction } from './constructs/compute';
import type { EnvironmentKeys } from './constructs/encryption';
import type { IsolatedNetwork } from './constructs/network';
import type { EnvironmentStorage } from './constructs/storage';
import { type KindPolicy, LOG_RETENTION_DAYS } from './kind-policy';
import { suppress } from './nag/suppressions';

export interface EnvironmentFunctionsProps {
  readonly spec: EnvironmentSpec;
  readonly policy: KindPolicy;
  readonly keys: EnvironmentKeys;
  readonly storage: EnvironmentStorage;
  readonly network: IsolatedNetwork;
  readonly alertTopic: sns.ITopic;
  /** The environment's buckets, whose public access block the remediation function may restore. */
  readonly envBuckets: readonly s3.IBucket[];
}

export interface EnvironmentFunctions {
  /** By role: piiScanner, complianceEvaluator and remediation always; documentApi and secretRotation by feature. */
  readonly functions: Record<string, EnvironmentFunction>;
  /** The two every environment has, typed as present for the constructs that need them. */
  readonly complianceEvaluator: EnvironmentFunction;
  readonly remediation: EnvironmentFunction;
  /** The rotation function's group (HTTPS, and MySQL once the cluster exists): with the database feature only. */
  readonly databaseClientGroup?: ec2.SecurityGroup;
}

/**
 * The functions of one environment, created on `stack` (ids unchanged): the PII scanner and its S3 event rule, the
 * document API, the compliance evaluator, the remediation function and its quarantine group, the secret rotation.
 */
export function addEnvironmentFunctions(
  stack: Stack,
  props: EnvironmentFunctionsProps,
): EnvironmentFunctions {
  const { spec, policy, alertTopic, envBuckets } = props;
  const suffix = spec.environmentSuffix;
  const features = spec.features;
  const { vpc } = props.network;
  const { dataBucket, auditTable } = props.storage;
  const { data: dataKey, logs: logsKey, lambda: lambdaKey, secrets: secretsKey } = props.keys;

  const quarantineGroup = new ec2.SecurityGroup(stack, 'QuarantineSecurityGroup', {
    vpc,
    description: `Quarantine of ${suffix}: no ingress, no egress (remediation moves compromised ENIs here)`,
    allowAllOutbound: false,
  });

  const common = {
    ENVIRONMENT_SUFFIX: suffix,
    AUDIT_TABLE_NAME: auditTable.tableName,
    ALERT_TOPIC_ARN: alertTopic.topicArn,
    DATA_CLASSIFICATION: spec.dataClassification,
    LOG_LEVEL: spec.kind === 'prod' ? 'info' : 'debug',
  };
  const auditWrite = new iam.PolicyStatement({
    sid: 'AuditTrail',
    actions: ['dynamodb:PutItem'],
    resources: [auditTable.tableArn],
  });
  const alert = new iam.PolicyStatement({
    sid: 'Alerts',
    actions: ['sns:Publish'],
    resources: [alertTopic.topicArn],
  });
  const fnBase = {
    environmentSuffix: suffix,
    vpc,
    vpcSubnets: { subnetGroupName: 'workload' },
    securityGroups: [props.network.workloadSecurityGroup],
    lambdaKey,
    logsKey,
    logRetention: policy.logRetention,
    removalPolicy: policy.removalPolicy,
  };

  const functions: Record<string, EnvironmentFunction> = {};
  functions.piiScanner = new EnvironmentFunction(stack, 'PiiScanner', {
    ...fnBase,
    handlerName: 'pii-scanner',
    nameKind: 'piiScannerFunction',
    description: 'Scans new objects of the data bucket for PII and tags them',
    environment: { ...common, DATA_BUCKET_NAME: dataBucket.bucketName },
    statements: [
      new iam.PolicyStatement({
        sid: 'ScanAndTagObjects',
        actions: ['s3:GetObject', 's3:GetObjectTagging', 's3:PutObjectTagging'],
        resources: [dataBucket.arnForObjects('*')],
      }),
      auditWrite,
      alert,
    ],
    keyUses: [{ key: dataKey, use: 'decrypt' }],
    timeout: DOCUMENT_TIMEOUT,
    memorySize: 512,
  });
  new events.Rule(stack, 'ScanNewObjects', {
    ruleName: physicalName('eventRule', { suffix, part: 'pii-scan' }),
    description: `Objects created in the data bucket of ${suffix} go to the PII scanner`,
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: { bucket: { name: [dataBucket.bucketName] } },
    },
    targets: [new targets.LambdaFunction(functions.piiScanner.function, { retryAttempts: 2 })],
  });

  if (features.documentPipeline) {
    functions.documentApi = new EnvironmentFunction(stack, 'DocumentApi', {
      ...fnBase,
      handlerName: 'document-api',
      nameKind: 'documentApiFunction',
      description: 'Document API: validate, encrypt under the data key, scan, audit (seed 003)',
      environment: {
        ...common,
        DATA_BUCKET_NAME: dataBucket.bucketName,
        DATA_KEY_ARN: dataKey.keyArn,
        MAX_DOCUMENT_BYTES: '1048576',
      },
      statements: [
        new iam.PolicyStatement({
          sid: 'StoreDocuments',
          actions: ['s3:PutObject', 's3:GetObject'],
          resources: [dataBucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          sid: 'AuditTrailAndFindings',
          actions: ['dynamodb:PutItem', 'dynamodb:Query'],
          resources: [auditTable.tableArn, `${auditTable.tableArn}/index/by-timestamp`],
        }),
        alert,
      ],
      keyUses: [{ key: dataKey, use: 'encryptDecrypt' }],
      timeout: DOCUMENT_TIMEOUT,
      memorySize: 512,
    });
  }

  functions.complianceEvaluator = new EnvironmentFunction(stack, 'ComplianceEvaluator', {
    ...fnBase,
    handlerName: 'compliance-evaluator',
    nameKind: 'complianceEvaluatorFunction',
    description: 'AWS Config custom rule: KMS encryption and 90-day retention of this environment',
    environment: {
      ...common,
      DATA_KEY_ARN: dataKey.keyArn,
      LOGS_KEY_ARN: logsKey.keyArn,
      REQUIRED_LOG_RETENTION_DAYS: String(LOG_RETENTION_DAYS),
    },
    statements: [auditWrite, alert],
    timeout: CONTROL_TIMEOUT,
  });

  functions.remediation = new EnvironmentFunction(stack, 'Remediation', {
    ...fnBase,
    handlerName: 'remediation',
    nameKind: 'remediationFunction',
    description: 'Remediates high-severity GuardDuty findings and Config non-compliance of this environment',
    environment: {
      ...common,
      // Every kind acts: each action is reversible and audited (lambda remediation README), so prod
      // needs no approval step to contain a high-severity finding.
      DRY_RUN: 'false',
      QUARANTINE_SECURITY_GROUP_ID: quarantineGroup.securityGroupId,
    },
    statements: [
      // Actions and scopes from @sep/lambda's remediation/permissions.ts (REQUIRED_ACTIONS, RESOURCE_SCOPE).
      new iam.PolicyStatement({
        sid: 'InspectNetwork',
        actions: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'QuarantineInterfaces',
        actions: ['ec2:ModifyNetworkInterfaceAttribute'],
        resources: [
          stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' }),
          stack.formatArn({
            service: 'ec2',
            resource: 'security-group',
            resourceName: quarantineGroup.securityGroupId,
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'RememberPreQuarantineGroups',
        actions: ['ec2:CreateTags'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['sep:pre-quarantine-groups'] } },
      }),
      new iam.PolicyStatement({
        sid: 'RevokeOpenIngressOfThisEnvironment',
        actions: ['ec2:RevokeSecurityGroupIngress'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: '*' })],
        conditions: { StringEquals: { 'aws:ResourceTag/Environment': suffix } },
      }),
      new iam.PolicyStatement({
        sid: 'InspectUsers',
        actions: ['iam:ListUserTags', 'iam:ListAccessKeys'],
        resources: [stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' })],
      }),
      new iam.PolicyStatement({
        sid: 'DisableKeysOfThisEnvironmentsUsers',
        actions: ['iam:UpdateAccessKey'],
        resources: [stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' })],
        conditions: { StringEquals: { 'iam:ResourceTag/Environment': suffix } },
      }),
      new iam.PolicyStatement({
        sid: 'RestoreBucketPublicAccessBlock',
        actions: ['s3:GetBucketTagging', 's3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
        resources: envBuckets.map((bucket) => bucket.bucketArn),
      }),
      auditWrite,
      alert,
    ],
    timeout: CONTROL_TIMEOUT,
  });

  const needsSecret = features.database || spec.existingDatabaseSecretArn !== undefined;
  // Only the rotation function talks MySQL: it alone gets a group with the database port.
  const databaseClientGroup = features.database
    ? new ec2.SecurityGroup(stack, 'DatabaseClientSecurityGroup', {
        vpc,
        description: `Database clients of ${suffix}: HTTPS to AWS endpoints and MySQL to the cluster only`,
        allowAllOutbound: false,
      })
    : undefined;
  databaseClientGroup?.addEgressRule(
    ec2.Peer.anyIpv4(),
    ec2.Port.tcp(443),
    'HTTPS to VPC endpoints (no internet route exists)',
  );
  if (needsSecret) {
    functions.secretRotation = new EnvironmentFunction(stack, 'SecretRotation', {
      ...fnBase,
      securityGroups: databaseClientGroup === undefined ? fnBase.securityGroups : [databaseClientGroup],
      handlerName: 'secret-rotation',
      nameKind: 'secretRotationFunction',
      description: 'Rotates the database credentials every 30 days (Secrets Manager four-step rotation)',
      environment: { ...common },
      statements: [auditWrite, alert],
      keyUses: [{ key: secretsKey, use: 'encryptDecrypt' }],
      timeout: CONTROL_TIMEOUT,
    });
  }
  suppressObjectLevelFindings(functions);
  return {
    functions,
    complianceEvaluator: functions.complianceEvaluator,
    remediation: functions.remediation,
    databaseClientGroup,
  };
}

/**
 * Object keys are chosen at run time (document IDs, uploaded keys), so object
 * permissions name `<data bucket ARN>/*` of this one bucket; ENIs and
 * instances are created at run time and the remediation statement holds them
 * to this environment's tag.
 */
function suppressObjectLevelFindings(functions: Record<string, EnvironmentFunction>): void {
  const objects = { regex: '/^Resource::<StorageDataBucket[0-9A-F]{8}\\.Arn>\\/\\*$/' };
  for (const name of ['piiScanner', 'documentApi'] as const) {
    const fn = functions[name];
    if (fn === undefined) continue;
    suppress(fn.policy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [objects],
        reason:
          'Object keys are created at run time (document IDs, uploaded keys); the statement names only the objects of this environment data bucket and only the object actions the function calls.',
      },
    ]);
  }
  const remediation = functions.remediation;
  if (remediation !== undefined) {
    suppress(remediation.policy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [
          // Region and account are literals with an explicit env, pseudo parameters without one.
          { regex: `/^Resource::arn:<AWS::Partition>:ec2:${REGION}:${ACCOUNT}:network-interface\\/\\*$/` },
          { regex: `/^Resource::arn:<AWS::Partition>:ec2:${REGION}:${ACCOUNT}:security-group\\/\\*$/` },
          { regex: `/^Resource::arn:<AWS::Partition>:iam::${ACCOUNT}:user\\/\\*$/` },
        ],
        reason:
          'GuardDuty and Config findings name ENIs, security groups and IAM users unknown at deploy time; revoking ingress and disabling keys are conditioned on the Environment tag of this suffix, tagging is limited to the one pre-quarantine tag key, ENIs can only be moved to this environment quarantine group, and the function re-checks ownership before acting (lambda remediation/permissions.ts).',
      },
    ]);
  }
}

/** A region or account in a nag finding id: literal, or the pseudo parameter of an environment-agnostic synth. */
const REGION = '(?:[a-z0-9-]+|<AWS::Region>)';
const ACCOUNT = '(?:\\d{12}|<AWS::AccountId>)';

/** Seed 003: the document functions time out after 15 seconds. */
const DOCUMENT_TIMEOUT = Duration.seconds(15);
/** Config evaluations, remediation and rotation make several AWS calls in sequence. */
const CONTROL_TIMEOUT = Duration.seconds(60);
