import {
  DOCUMENTS_SMOKE_ROUTE,
  ENVIRONMENT_KIND_TAG,
  HEALTH_SMOKE_ROUTE,
  PHYSICAL_NAME_TEMPLATES,
  physicalName,
} from '@sep/spec';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { suppress } from '../nag/suppressions';

export interface PlatformAccessProps {
  /** The account the delivery pipeline, the portal and the TTL sweeper run in. */
  readonly pipelineAccount: string;
  /**
   * Roles of the pipeline account that read environments and delete ephemeral ones here: the
   * portal's and the TTL sweeper's. Matched with `aws:PrincipalArn`, so they need not exist yet.
   */
  readonly readerRoleArns: readonly string[];
  /** The pipeline's smoke-test CodeBuild role, the only principal that may assume the smoke-test role. */
  readonly smokeTestRoleArn: string;
}

/** `sep-*-environment`: every environment stack's name (PHYSICAL_NAME_TEMPLATES.environmentStack). */
const ENVIRONMENT_STACK_NAMES = PHYSICAL_NAME_TEMPLATES.environmentStack.template.replace('{suffix}', '*');

/**
 * Actions CloudFormation, Config and drift detection need that support no resource-level
 * permission (Service Authorization Reference: no resource type listed), so their Resource is `*`.
 */
const UNSCOPABLE_READS = [
  // Takes a drift-detection ID.
  'cloudformation:DescribeStackDriftDetectionStatus',
  // Rule ARNs carry a generated ID, and these two list no resource type at all.
  'config:DescribeConfigRules',
  'config:DescribeComplianceByConfigRule',
] as const;

/**
 * The platform's two roles in one target account and region, created once per account and region by
 * the account-security stack. CloudFormation and Config have no resource policies, so a role in the
 * pipeline account can read nothing here: the portal and the TTL sweeper assume the platform-access
 * role, the smoke test assumes the smoke-test role. Each trusts the pipeline account only for the
 * named role ARNs (`aws:PrincipalArn`), which need not exist when this stack deploys.
 */
export class PlatformAccess extends Construct {
  /** Reads environment stacks, events, resources, templates, drift and Config compliance; deletes ephemeral stacks. */
  readonly platformAccessRole: iam.Role;
  /** Reads environment API keys and calls the smoke route of the environment APIs. */
  readonly smokeTestRole: iam.Role;

  constructor(scope: Construct, id: string, props: PlatformAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = { suffix: '', region: stack.region };
    const trust = (arns: readonly string[]) =>
      new iam.AccountPrincipal(props.pipelineAccount).withConditions({
        ArnEquals: { 'aws:PrincipalArn': [...arns] },
      });
    const environmentStacks = stack.formatArn({
      service: 'cloudformation',
      resource: 'stack',
      resourceName: `${ENVIRONMENT_STACK_NAMES}/*`,
    });

    this.platformAccessRole = new iam.Role(this, 'PlatformAccessRole', {
      roleName: physicalName('accountPlatformAccessRole', names),
      description:
        'Secure Environment Portal and TTL sweeper: read environment stacks, drift and Config compliance; delete ephemeral environment stacks',
      assumedBy: trust(props.readerRoleArns),
      // Drift detection reads every resource with the caller's credentials (CloudFormation user guide,
      // "Detect unmanaged configuration changes"): SecurityAudit is AWS's metadata-only read policy
      // (configuration, never objects, items or secret values) and follows new resource types.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('SecurityAudit')],
    });
    const platformPolicy = new iam.ManagedPolicy(this, 'PlatformAccessPolicy', {
      description: 'The calls the portal and the TTL sweeper make on environment stacks of this region',
      roles: [this.platformAccessRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadEnvironmentStacks',
          actions: [
            'cloudformation:DescribeStacks',
            'cloudformation:DescribeStackEvents',
            'cloudformation:ListStackResources',
            'cloudformation:GetTemplate',
            'cloudformation:DetectStackDrift',
            // DetectStackDrift is authorized per resource as well.
            'cloudformation:DetectStackResourceDrift',
            'cloudformation:DescribeStackResourceDrifts',
          ],
          resources: [environmentStacks],
        }),
        new iam.PolicyStatement({
          // The evidence bundle names the account's CloudTrail trail: this stack's AuditTrailArn output.
          sid: 'ReadAccountSecurityOutputs',
          actions: ['cloudformation:DescribeStacks'],
          // AWS::StackId: this stack's exact ARN (its generated ID included), no wildcard.
          resources: [stack.stackId],
        }),
        new iam.PolicyStatement({
          sid: 'ReadWithoutResourceTypes',
          actions: [...UNSCOPABLE_READS],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DeleteEphemeralEnvironmentStacks',
          actions: ['cloudformation:DeleteStack'],
          resources: [environmentStacks],
          conditions: { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_KIND_TAG}`]: 'ephemeral' } },
        }),
      ],
    });

    this.smokeTestRole = new iam.Role(this, 'SmokeTestRole', {
      roleName: physicalName('accountSmokeTestRole', names),
      description: "Pipeline smoke test: read an environment's API key and call its smoke route",
      assumedBy: trust([props.smokeTestRoleArn]),
    });
    const smokePolicy = new iam.ManagedPolicy(this, 'SmokeTestPolicy', {
      description: "Read environment API keys and invoke the environment APIs' smoke routes in this region",
      roles: [this.smokeTestRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadEnvironmentApiKeys',
          // GET /apikeys/<id>?includeValue=true is how the key's value is read.
          actions: ['apigateway:GET'],
          resources: [`arn:${stack.partition}:apigateway:${stack.region}::/apikeys/*`],
        }),
        new iam.PolicyStatement({
          sid: 'InvokeSmokeRoutes',
          actions: ['execute-api:Invoke'],
          resources: [DOCUMENTS_SMOKE_ROUTE, HEALTH_SMOKE_ROUTE].map((route) =>
            stack.formatArn({
              service: 'execute-api',
              resource: '*',
              resourceName: `*/${route.method}/${route.path}`,
            }),
          ),
        }),
      ],
    });

    suppress(this.platformAccessRole, [
      {
        ruleId: 'AwsSolutions-IAM4',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/SecurityAudit'],
        reason:
          "CloudFormation drift detection reads each resource of the stack with the caller's own permissions; SecurityAudit is the AWS-maintained, metadata-only read policy (configurations and policies, no S3 objects, table items or secret values) and is updated as resource types are added, which a hand-written list of every type's read calls would not be.",
      },
    ]);
    suppress(platformPolicy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [
          {
            regex: `/^Resource::arn:<AWS::Partition>:cloudformation:.*:stack\\/sep-\\*-environment\\/\\*$/g`,
          },
        ],
        reason:
          'Environment stacks are created by the pipeline from registry entries at run time, so they are named by the platform pattern sep-<suffix>-environment in this account and region; DeleteStack is further limited to stacks tagged EnvironmentKind=ephemeral.',
      },
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'cloudformation:DescribeStackDriftDetectionStatus (takes a detection ID), config:DescribeConfigRules and config:DescribeComplianceByConfigRule list no resource type in the Service Authorization Reference, so their Resource must be "*"; all three are read-only and the only actions in that statement.',
      },
    ]);
    suppress(smokePolicy, [
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: [
          { regex: '/^Resource::arn:<AWS::Partition>:apigateway:.*::\\/apikeys\\/\\*$/g' },
          {
            regex:
              '/^Resource::arn:<AWS::Partition>:execute-api:.*:\\*\\/\\*\\/(POST\\/documents|GET\\/health)$/g',
          },
        ],
        reason:
          "API IDs and API key IDs are created by each environment's deployment and reach the smoke test as stage outputs at run time: the grant names this region, the smoke routes (POST /documents, GET /health) and apigateway:GET on API keys only.",
      },
    ]);
  }
}
