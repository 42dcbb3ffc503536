// The human-assumable roles of an environment (operator, auditor), their trust and their policies.
import { physicalName } from '@sep/spec';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { suppress } from '../nag/suppressions';
import {
  type HumanAccessResources,
  humanGuardrailStatements,
  humanReadStatements,
  operatorOnlyStatements,
} from './human-access-statements';

/** Sessions longer than this need a new MFA-backed assume-role; also the MFA age limit for sensitive actions. */
const DEFAULT_MAX_SESSION = Duration.hours(1);

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

    const reads = humanReadStatements(resources, sourceIp, stack.region);
    const operatorAllows = [...reads, ...operatorOnlyStatements(resources, withMfa, stack.region)];

    this.guardrailPolicy = new iam.ManagedPolicy(this, 'Guardrails', {
      description: `Explicit denies for the human roles of ${suffix}: other regions, key destruction, log tampering`,
      statements: humanGuardrailStatements(operatorAllows, stack.region),
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
      statements: operatorAllows,
      role: this.operatorRole,
    });
    this.allowPolicy({
      id: 'AuditorPolicy',
      description: `Read-only auditor permissions on environment ${suffix}`,
      statements: reads,
      role: this.auditorRole,
    });
    this.addKeyPolicyStatements(resources);
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
