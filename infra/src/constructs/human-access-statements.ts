// What the human roles of an environment may do and what is denied to them, as IAM statements.
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Actions that could hide or destroy evidence, denied to every human role whatever else it is granted. */
export const LOG_TAMPERING_ACTIONS = [
  'logs:DeleteLogGroup',
  'logs:DeleteLogStream',
  'logs:PutRetentionPolicy',
  'logs:DeleteRetentionPolicy',
  'logs:DeleteMetricFilter',
  'logs:PutMetricFilter',
  'logs:DeleteSubscriptionFilter',
  'logs:PutSubscriptionFilter',
  'logs:AssociateKmsKey',
  'logs:DisassociateKmsKey',
  'logs:DeleteDataProtectionPolicy',
  'cloudtrail:DeleteTrail',
  'cloudtrail:StopLogging',
  'cloudtrail:UpdateTrail',
  'cloudtrail:PutEventSelectors',
  'cloudtrail:PutInsightSelectors',
  'config:DeleteConfigurationRecorder',
  'config:StopConfigurationRecorder',
  'config:PutConfigurationRecorder',
  'config:DeleteDeliveryChannel',
  'config:PutDeliveryChannel',
  'config:DeleteConfigRule',
  'config:DeleteEvaluationResults',
  'cloudwatch:DeleteAlarms',
  'cloudwatch:DisableAlarmActions',
  'cloudwatch:PutMetricAlarm',
  'guardduty:DeleteDetector',
  'guardduty:UpdateDetector',
  'guardduty:DisassociateFromAdministratorAccount',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketLogging',
  's3:DeleteBucket',
  // Prod's locked security logs: governance-mode Object Lock yields only to this permission.
  's3:BypassGovernanceRetention',
  's3:PutBucketObjectLockConfiguration',
] as const;

/** Actions that would disable, delete or re-scope a KMS key. */
export const KEY_DESTRUCTION_ACTIONS = [
  'kms:ScheduleKeyDeletion',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:PutKeyPolicy',
  'kms:DeleteAlias',
  'kms:UpdateAlias',
  'kms:DeleteImportedKeyMaterial',
] as const;

/** What the human roles may look at or act on: this environment's resources only. */
export interface HumanAccessResources {
  /**
   * Log groups both roles may read (the functions', the API's).
   *
   * @default []
   */
  readonly logGroups?: readonly logs.ILogGroup[];

  /**
   * The audit table: both roles may query it (and its `by-timestamp` index).
   *
   * @default - no table access
   */
  readonly auditTable?: dynamodb.ITable;

  /**
   * CMK of the audit table: DynamoDB decrypts with the caller's permission.
   * The construct grants `kms:Decrypt` through DynamoDB only, in the role
   * policy and in the key policy.
   *
   * @default - none
   */
  readonly auditTableKey?: kms.IKey;

  /**
   * The data bucket: the operator may read and write objects, with MFA.
   *
   * @default - no bucket access
   */
  readonly dataBucket?: s3.IBucket;

  /**
   * CMK of the data bucket: the operator may use it through S3 only (the S3
   * object actions carry the MFA and source-IP conditions).
   *
   * @default - none
   */
  readonly dataKey?: kms.IKey;

  /**
   * Functions the operator may inspect, and invoke with MFA (e.g. to re-scan an object).
   *
   * @default []
   */
  readonly functions?: readonly lambda.IFunction[];

  /**
   * ARNs of the environment's AWS Config rules, whose compliance details both roles may read.
   *
   * @default []
   */
  readonly configRuleArns?: readonly string[];
}

/** Reads both roles share: logs, audit table, Config compliance. */
export function humanReadStatements(
  resources: HumanAccessResources,
  sourceIp: Record<string, unknown>,
  region: string,
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const logGroupArns = (resources.logGroups ?? []).map((group) => group.logGroupArn);
  if (logGroupArns.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadEnvironmentLogs',
        actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery'],
        resources: logGroupArns,
        conditions: sourceIp,
      }),
    );
  }
  if (resources.auditTable !== undefined) {
    const table = resources.auditTable;
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadAuditTable',
        actions: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'],
        resources: [table.tableArn, `${table.tableArn}/index/by-timestamp`],
        conditions: sourceIp,
      }),
    );
  }
  if (resources.auditTableKey !== undefined) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'DecryptAuditTableThroughDynamoDb',
        actions: ['kms:Decrypt'],
        resources: [resources.auditTableKey.keyArn],
        // Only through DynamoDB, whose own call already passed the source-IP
        // condition: DynamoDB's forward request to KMS carries no aws:SourceIp.
        conditions: {
          StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` },
        },
      }),
    );
  }
  if ((resources.configRuleArns ?? []).length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadConfigCompliance',
        actions: ['config:GetComplianceDetailsByConfigRule'],
        resources: [...(resources.configRuleArns ?? [])],
        conditions: sourceIp,
      }),
    );
  }
  return statements;
}

/** What only the operator may do; touching data requires a fresh MFA session. */
export function operatorOnlyStatements(
  resources: HumanAccessResources,
  withMfa: Record<string, unknown>,
  region: string,
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const functionArns = (resources.functions ?? []).map((fn) => fn.functionArn);
  if (functionArns.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'InvokeEnvironmentFunctionsWithMfa',
        actions: ['lambda:GetFunctionConfiguration', 'lambda:InvokeFunction'],
        resources: functionArns,
        conditions: withMfa,
      }),
    );
  }
  if (resources.dataBucket !== undefined) {
    const bucket = resources.dataBucket;
    statements.push(
      new iam.PolicyStatement({
        sid: 'ListDataBucketWithMfa',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: withMfa,
      }),
      new iam.PolicyStatement({
        sid: 'ReadWriteDataObjectsWithMfa',
        actions: ['s3:GetObject', 's3:PutObject', 's3:GetObjectTagging'],
        resources: [bucket.arnForObjects('*')],
        conditions: withMfa,
      }),
    );
  }
  if (resources.dataKey !== undefined) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'UseDataKeyThroughS3',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [resources.dataKey.keyArn],
        // Only through S3, whose object actions above require MFA and the
        // source IP; S3's forward request to KMS carries no aws:SourceIp, so
        // repeating that condition here would refuse every encrypted object.
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
        },
      }),
    );
  }
  return statements;
}

/**
 * The explicit denies of both roles: the operator's own actions in every region but the environment's,
 * key destruction and log tampering.
 */
export function humanGuardrailStatements(
  operatorAllows: readonly iam.PolicyStatement[],
  region: string,
): iam.PolicyStatement[] {
  return [
    ...(operatorAllows.length === 0
      ? []
      : [
          new iam.PolicyStatement({
            sid: 'DenyOutsideEnvironmentRegion',
            effect: iam.Effect.DENY,
            // The same explicit actions the roles are allowed: denied in every other region.
            actions: uniqueActions(operatorAllows),
            resources: ['*'],
            conditions: { StringNotEquals: { 'aws:RequestedRegion': region } },
          }),
        ]),
    new iam.PolicyStatement({
      sid: 'DenyKeyDestruction',
      effect: iam.Effect.DENY,
      actions: [...KEY_DESTRUCTION_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyLogTampering',
      effect: iam.Effect.DENY,
      actions: [...LOG_TAMPERING_ACTIONS],
      resources: ['*'],
    }),
  ];
}

function uniqueActions(statements: readonly iam.PolicyStatement[]): string[] {
  return [...new Set(statements.flatMap((statement) => statement.actions))].sort();
}
