import { physicalName } from '@sep/spec';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { suppress } from '../nag/suppressions';

/** Sessions longer than this need a new MFA-backed assume-role; also the MFA age limit for sensitive actions. */
const DEFAULT_MAX_SESSION = Duration.hours(1);

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

/** The cross-account auditor's trust. */
export interface CrossAccountAuditor {
  /** The auditing account (12 digits). */
  readonly accountId: string;
  /**
   * External ID the auditor must present (`sts:ExternalId`), against the
   * confused-deputy problem. Treat it as configuration, not as a secret.
   */
  readonly externalId: string;
}

export interface HumanAccessRolesProps {
  /** The environment's suffix: role names carry it, with the region (IAM is global). */
  readonly environmentSuffix: string;

  /**
   * CIDRs the humans work from (`aws:SourceIp`): assuming the roles and every
   * allowed action require one of them.
   */
  readonly allowedCidrs: readonly string[];

  /** What the roles may use. */
  readonly resources: HumanAccessResources;

  /**
   * Who may assume the operator role, always with MFA and from `allowedCidrs`.
   *
   * @default - identities of this account that IAM lets call sts:AssumeRole on it
   */
  readonly operatorPrincipal?: iam.IPrincipal;

  /**
   * Trust an auditor in another account, with an external ID.
   *
   * @default - the auditor role is assumable from this account, with MFA
   */
  readonly crossAccountAuditor?: CrossAccountAuditor;

  /**
   * Longest session of either role (1 to 12 hours).
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * The human-assumable roles of an environment. `operator` reads logs and the
 * audit trail and, with a fresh MFA session, works with data; `auditor` is
 * read-only and may sit in another account behind an external ID. Both:
 * limited session, source-IP condition from `allowedCidrs` on every allowed
 * action (KMS only through S3 or DynamoDB, which forward no source IP), explicit
 * resource ARNs, no wildcard actions, customer-managed policies only (no inline
 * policy), and a guardrail policy denying other regions, key destruction and
 * log tampering.
 */
export class HumanAccessRoles extends Construct {
  public readonly operatorRole: iam.Role;
  public readonly auditorRole: iam.Role;
  /** The explicit-deny policy attached to both roles. */
  public readonly guardrailPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: HumanAccessRolesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const suffix = props.environmentSuffix;
    const sourceIp = { IpAddress: { 'aws:SourceIp': [...props.allowedCidrs] } };
    const withMfa = {
      ...sourceIp,
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': String(DEFAULT_MAX_SESSION.toSeconds()) },
    };
    const maxSessionDuration = props.maxSessionDuration ?? DEFAULT_MAX_SESSION;
    const resources = props.resources;

    const readStatements = this.readStatements(resources, sourceIp);
    const operatorStatements = [...readStatements, ...this.operatorStatements(resources, withMfa)];

    this.guardrailPolicy = new iam.ManagedPolicy(this, 'Guardrails', {
      description: `Explicit denies for the human roles of ${suffix}: other regions, key destruction, log tampering`,
      statements: [
        ...(operatorStatements.length === 0
          ? []
          : [
              new iam.PolicyStatement({
                sid: 'DenyOutsideEnvironmentRegion',
                effect: iam.Effect.DENY,
                // The same explicit actions the roles are allowed: denied in every other region.
                actions: uniqueActions(operatorStatements),
                resources: ['*'],
                conditions: { StringNotEquals: { 'aws:RequestedRegion': stack.region } },
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
      ],
    });

    const operatorPrincipal = new iam.PrincipalWithConditions(
      props.operatorPrincipal ?? new iam.AccountRootPrincipal(),
      withMfa,
    );
    this.operatorRole = new iam.Role(this, 'OperatorRole', {
      roleName: physicalName('operatorRole', { suffix, region: stack.region }),
      description: `Operator of environment ${suffix}: reads logs and audit, works with data under MFA`,
      assumedBy: operatorPrincipal,
      maxSessionDuration,
    });

    const auditorPrincipal =
      props.crossAccountAuditor === undefined
        ? new iam.AccountRootPrincipal().withConditions(withMfa)
        : new iam.AccountPrincipal(props.crossAccountAuditor.accountId).withConditions({
            ...sourceIp,
            StringEquals: { 'sts:ExternalId': props.crossAccountAuditor.externalId },
          });
    this.auditorRole = new iam.Role(this, 'AuditorRole', {
      roleName: physicalName('auditorRole', { suffix, region: stack.region }),
      description: `Read-only auditor of environment ${suffix}`,
      assumedBy: auditorPrincipal,
      maxSessionDuration,
    });

    // Policies point at the roles (not the roles at the policies): the key
    // policies name the roles while the allow policies name the keys, and only
    // this direction leaves CloudFormation without a cycle.
    this.guardrailPolicy.attachToRole(this.operatorRole);
    this.guardrailPolicy.attachToRole(this.auditorRole);
    this.allowPolicy({
      id: 'OperatorPolicy',
      description: `Operator permissions on environment ${suffix}`,
      statements: operatorStatements,
      role: this.operatorRole,
    });
    this.allowPolicy({
      id: 'AuditorPolicy',
      description: `Read-only auditor permissions on environment ${suffix}`,
      statements: readStatements,
      role: this.auditorRole,
    });
    this.addKeyPolicyStatements(resources);
  }

  /** Reads both roles share: logs, audit table, Config compliance. */
  private readStatements(
    resources: HumanAccessResources,
    sourceIp: Record<string, unknown>,
  ): iam.PolicyStatement[] {
    const statements: iam.PolicyStatement[] = [];
    const logGroupArns = (resources.logGroups ?? []).map((group) => group.logGroupArn);
    if (logGroupArns.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadEnvironmentLogs',
          actions: [
            'logs:DescribeLogStreams',
            'logs:GetLogEvents',
            'logs:FilterLogEvents',
            'logs:StartQuery',
          ],
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
            StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
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
  private operatorStatements(
    resources: HumanAccessResources,
    withMfa: Record<string, unknown>,
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
            StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
    return statements;
  }

  /** A customer-managed policy with the statements for the role; none when there is nothing to allow. */
  private allowPolicy(options: {
    id: string;
    description: string;
    statements: iam.PolicyStatement[];
    role: iam.IRole;
  }): void {
    const { statements } = options;
    if (statements.length === 0) return;
    const policy = new iam.ManagedPolicy(this, options.id, {
      description: options.description,
      statements,
      roles: [options.role],
    });
    if (statements.some((statement) => statement.sid === 'ReadWriteDataObjectsWithMfa')) {
      suppress(policy, [
        {
          ruleId: 'AwsSolutions-IAM5',
          appliesTo: [{ regex: '/^Resource::.*\\/\\*$/g' }],
          reason:
            "Object-level S3 actions need an object ARN; the pattern is the environment's data bucket's own objects (bucket ARN + '/*'), only with MFA and from allowedCidrs.",
        },
      ]);
    }
  }

  /** Key policies name the roles too, so access does not depend on the key delegating to IAM. */
  private addKeyPolicyStatements(resources: HumanAccessResources): void {
    const region = Stack.of(this).region;
    resources.auditTableKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowHumanRolesToReadAuditThroughDynamoDb',
        principals: [
          new iam.ArnPrincipal(this.operatorRole.roleArn),
          new iam.ArnPrincipal(this.auditorRole.roleArn),
        ],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
      }),
    );
    resources.dataKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowOperatorToUseDataKeyThroughS3',
        principals: [new iam.ArnPrincipal(this.operatorRole.roleArn)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      }),
    );
  }
}

function uniqueActions(statements: readonly iam.PolicyStatement[]): string[] {
  return [...new Set(statements.flatMap((statement) => statement.actions))].sort();
}
