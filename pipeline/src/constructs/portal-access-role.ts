import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PROD_STAGE_NAME, PROMOTION_ACTION_NAME } from '../names';
import type { ComplianceReports } from './compliance-reports';
import {
  deleteEphemeralStacksStatement,
  environmentStackArns,
  REGISTRY_READ_WRITE_ACTIONS,
  registryStatements,
} from './policies';
import { AUDIT_READ_WRITE_ACTIONS } from './portal-audit-table';

export interface PortalAccessRoleProps {
  /** Who may assume the role (the portal's runtime identity). */
  readonly assumedBy: iam.IPrincipal;
  /** ARN of the pipeline the portal drives. */
  readonly pipelineArn: string;
  readonly registryTable: dynamodb.ITable;
  readonly registryKey: kms.IKey;
  /** The portal's audit log (encrypted with `registryKey`). */
  readonly auditTable: dynamodb.ITable;
  /** Where the synth publishes the stages' cdk-nag reports (the portal reads them). */
  readonly complianceReports: ComplianceReports;
  /** Accounts holding environment stacks (read, drift, delete-if-ephemeral). */
  readonly environmentAccounts: readonly string[];
}

/**
 * Exactly the calls the portal makes in AWS mode, and nothing else: drive this
 * pipeline (start, read state and executions, approve the prod promotion),
 * read environment stacks and their drift, delete ONLY ephemeral environment
 * stacks (tag condition), read Config compliance and the published cdk-nag
 * reports, read/write the registry, record and read the audit log.
 * Every action is spelled out: no wildcard actions.
 */
export class PortalAccessRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PortalAccessRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const accounts = [...new Set(props.environmentAccounts)];
    this.role = new iam.Role(this, 'Role', {
      assumedBy: props.assumedBy,
      description:
        'Secure Environment Portal: drives the pipeline, reads environments, destroys ephemeral ones',
    });
    const statements = [
      new iam.PolicyStatement({
        sid: 'DrivePipeline',
        actions: [
          'codepipeline:StartPipelineExecution',
          'codepipeline:GetPipelineState',
          'codepipeline:GetPipelineExecution',
          'codepipeline:ListPipelineExecutions',
        ],
        resources: [props.pipelineArn],
      }),
      new iam.PolicyStatement({
        sid: 'ApprovePromotion',
        actions: ['codepipeline:PutApprovalResult'],
        // Action ARN: <pipeline ARN>/<stage>/<action>; only the prod promotion can be approved.
        resources: [`${props.pipelineArn}/${PROD_STAGE_NAME}/${PROMOTION_ACTION_NAME}`],
      }),
      new iam.PolicyStatement({
        sid: 'ReadEnvironmentStacks',
        // The portal (its teardown included) names every stack it reads, by name or stack ID, and
        // never lists the account's stacks: DescribeStacks is scoped like the rest.
        actions: [
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
          'cloudformation:DescribeStackResources',
          'cloudformation:DescribeStackResourceDrifts',
          'cloudformation:GetTemplate',
          'cloudformation:ListStackResources',
          'cloudformation:DetectStackDrift',
        ],
        resources: environmentStackArns(this, accounts),
      }),
      new iam.PolicyStatement({
        sid: 'DriftDetectionStatus',
        // The drift status poll takes a detection ID, no resource-level permission: Resource must be "*".
        actions: ['cloudformation:DescribeStackDriftDetectionStatus'],
        resources: ['*'],
      }),
      deleteEphemeralStacksStatement(this, accounts),
      new iam.PolicyStatement({
        sid: 'ReadConfigCompliance',
        // DescribeConfigRules finds the environment's rules (scope tag Environment=<suffix>).
        actions: [
          'config:DescribeConfigRules',
          'config:DescribeComplianceByConfigRule',
          'config:GetComplianceDetailsByConfigRule',
        ],
        // Config rule ARNs carry the rule ID, not its name: scoped to the environment accounts' rules.
        resources: accounts.map((account) => `arn:${stack.partition}:config:*:${account}:config-rule/*`),
      }),
      ...props.complianceReports.readStatements(),
      ...registryStatements({
        scope: this,
        table: props.registryTable,
        key: props.registryKey,
        actions: REGISTRY_READ_WRITE_ACTIONS,
      }),
      ...registryStatements({
        scope: this,
        table: props.auditTable,
        key: props.registryKey,
        actions: AUDIT_READ_WRITE_ACTIONS,
        sid: 'AuditLog',
      }),
    ];
    for (const statement of statements) this.role.addToPolicy(statement);
  }
}
