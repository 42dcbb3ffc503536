import { PROD_STAGE_NAME, PROMOTION_ACTION_NAME } from '@sep/registry/names';
import type { DeploymentTarget } from '@sep/registry/targets';
import { platformAccessRoleArn } from '@sep/spec';
import { Aws } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ComplianceReports } from './compliance-reports';
import { EVIDENCE_SIGNING_ACTIONS } from './evidence-signing-key';
import { assumeTargetRolesStatement, REGISTRY_READ_WRITE_ACTIONS, registryStatements } from './policies';
import { AUDIT_READ_WRITE_ACTIONS } from './portal-audit-table';
import { SESSION_READ_WRITE_ACTIONS } from './portal-session-table';

export interface PortalAccessRoleProps {
  /** The role's name: the target accounts' platform-access roles trust exactly this ARN. */
  readonly roleName: string;
  /** Who may assume the role (the portal's runtime identity). */
  readonly assumedBy: iam.IPrincipal;
  /** ARN of the environments pipeline (requests and teardowns start it; teardowns list its executions). */
  readonly pipelineArn: string;
  /** ARN of the release pipeline (staging, PromoteToProd, prod). */
  readonly releasePipelineArn: string;
  readonly registryTable: dynamodb.ITable;
  readonly registryKey: kms.IKey;
  /** The portal's audit log (encrypted with `registryKey`). */
  readonly auditTable: dynamodb.ITable;
  /** Sessions the portal ended on the server, shared by its tasks (encrypted with `registryKey`). */
  readonly sessionTable: dynamodb.ITable;
  /** The asymmetric key the portal signs evidence bundles with (Sign and GetPublicKey only). */
  readonly evidenceSigningKey: kms.IKey;
  /** Where the synth publishes the stages' cdk-nag reports (the portal reads them). */
  readonly complianceReports: ComplianceReports;
  /** The deployment targets: the portal assumes each one's platform-access role. */
  readonly targets: readonly DeploymentTarget[];
}

/**
 * The evidence bundle's provenance, on either pipeline: the execution whose deploy action last succeeded
 * for an environment (ListActionExecutions) and the source revision it deployed (GetPipelineExecution).
 */
const EVIDENCE_PIPELINE_ACTIONS = [
  'codepipeline:ListActionExecutions',
  'codepipeline:GetPipelineExecution',
] as const;

/** Every CodePipeline call the portal makes, and on which pipeline. */
export const PORTAL_PIPELINE_ACTIONS = {
  /** provision (a request) and the teardown restart; the state for progress; executions for the teardown's wait. */
  environments: [
    'codepipeline:StartPipelineExecution',
    'codepipeline:GetPipelineState',
    'codepipeline:ListPipelineExecutions',
    ...EVIDENCE_PIPELINE_ACTIONS,
  ],
  /**
   * The pipeline page, staging/prod progress and the pending promotion; executions for who asked for what
   * waits (separation of duties) and its source revision; the evidence bundle's execution.
   */
  release: [
    'codepipeline:GetPipelineState',
    'codepipeline:ListPipelineExecutions',
    ...EVIDENCE_PIPELINE_ACTIONS,
  ],
} as const;

/**
 * Exactly the calls the portal makes in AWS mode, and nothing else: drive the environments pipeline,
 * read both pipelines' state, approve the prod promotion, assume the platform-access role of each
 * deployment target (where every CloudFormation and Config read and every ephemeral delete happens:
 * those services have no resource policies, so a grant here on another account's stacks would grant
 * nothing), read the published cdk-nag reports, read/write the registry, record and read the audit log, read and write ended sessions, sign evidence bundles.
 * Every action is spelled out: no wildcard actions.
 */
export class PortalAccessRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PortalAccessRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: props.assumedBy,
      description:
        'Secure Environment Portal: drives the pipelines, reads environments and destroys ephemeral ones through each target account',
    });
    const statements = [
      new iam.PolicyStatement({
        sid: 'DriveEnvironmentsPipeline',
        actions: [...PORTAL_PIPELINE_ACTIONS.environments],
        resources: [props.pipelineArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadReleasePipeline',
        actions: [...PORTAL_PIPELINE_ACTIONS.release],
        resources: [props.releasePipelineArn],
      }),
      new iam.PolicyStatement({
        sid: 'ApprovePromotion',
        actions: ['codepipeline:PutApprovalResult'],
        // Action ARN: <pipeline ARN>/<stage>/<action>; only the prod promotion can be approved.
        resources: [`${props.releasePipelineArn}/${PROD_STAGE_NAME}/${PROMOTION_ACTION_NAME}`],
      }),
      assumeTargetRolesStatement({
        sid: 'AssumeTargetPlatformAccessRoles',
        targets: props.targets,
        roleArnOf: platformAccessRoleArn,
        partition: Aws.PARTITION,
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
      ...registryStatements({
        scope: this,
        table: props.sessionTable,
        key: props.registryKey,
        actions: SESSION_READ_WRITE_ACTIONS,
        sid: 'Sessions',
      }),
      new iam.PolicyStatement({
        sid: 'SignEvidence',
        actions: [...EVIDENCE_SIGNING_ACTIONS],
        resources: [props.evidenceSigningKey.keyArn],
      }),
    ];
    for (const statement of statements) this.role.addToPolicy(statement);
  }
}
