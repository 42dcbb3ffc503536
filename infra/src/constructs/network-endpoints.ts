// The interface endpoints of the isolated network and what each one's default policy lets through.
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Interface endpoints: every AWS service the functions call from the isolated
 * subnets (X-Ray for tracing, Config for PutEvaluations, EC2 for remediation).
 */
export const INTERFACE_ENDPOINT_SERVICES = {
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Sns: ec2.InterfaceVpcEndpointAwsService.SNS,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  XRay: ec2.InterfaceVpcEndpointAwsService.XRAY,
  Config: ec2.InterfaceVpcEndpointAwsService.CONFIG,
  Ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
} as const;
export type InterfaceEndpointName = keyof typeof INTERFACE_ENDPOINT_SERVICES | 'ExecuteApi';

/**
 * What each interface endpoint lets through before the stack narrows it (KMS, SNS: named keys and
 * topic): the calls the environment's code makes through it, by this account's principals only
 * (`aws:PrincipalAccount`). `resourceActions` act on a resource and are also held to this account's
 * resources (`aws:ResourceAccount`), so a stolen credential cannot copy data into another account
 * through the endpoint; `accountActions` name no resource (Describe*, PutEvaluations, X-Ray), so
 * only the principal condition applies to them.
 */
export const ENDPOINT_ACCESS: Record<
  InterfaceEndpointName,
  {
    readonly resourceActions: readonly string[];
    readonly accountActions: readonly string[];
    /** Calls held to this account's resources by ARN (`arn:…:<service>:<region>:<account>:*`) instead. */
    readonly ownArnActions?: { readonly service: string; readonly actions: readonly string[] };
  }
> = {
  Kms: { resourceActions: [], accountActions: [] },
  Sns: { resourceActions: [], accountActions: [] },
  SecretsManager: {
    // The rotation function's four steps.
    resourceActions: [
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ],
    accountActions: ['secretsmanager:GetRandomPassword'],
  },
  Lambda: {
    resourceActions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
    accountActions: [],
  },
  Logs: { resourceActions: ['logs:CreateLogStream', 'logs:PutLogEvents'], accountActions: [] },
  Sts: { resourceActions: ['sts:AssumeRole'], accountActions: ['sts:GetCallerIdentity'] },
  XRay: {
    resourceActions: [],
    accountActions: [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
  },
  Config: {
    resourceActions: [],
    accountActions: ['config:PutEvaluations', 'config:GetResourceConfigHistory'],
  },
  Ec2: {
    // The remediation function (lambda remediation/permissions.ts).
    resourceActions: [
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:CreateTags',
      'ec2:RevokeSecurityGroupIngress',
    ],
    accountActions: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
  },
  // API Gateway documents endpoint policies scoped by API ARN; SigV4 callers carry their account.
  ExecuteApi: {
    resourceActions: [],
    accountActions: [],
    ownArnActions: { service: 'execute-api', actions: ['execute-api:Invoke'] },
  },
};

/** The default policy of an interface endpoint: {@link ENDPOINT_ACCESS}, this account only. */
export function allowThisAccountOnly(endpoint: ec2.InterfaceVpcEndpoint, name: InterfaceEndpointName): void {
  const access = ENDPOINT_ACCESS[name];
  const account = Stack.of(endpoint).account;
  if (access.resourceActions.length > 0) {
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ThisAccountsPrincipalsOnThisAccountsResources',
        principals: [new iam.AnyPrincipal()],
        actions: [...access.resourceActions],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:PrincipalAccount': account, 'aws:ResourceAccount': account },
        },
      }),
    );
  }
  if (access.ownArnActions !== undefined) {
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ThisAccountsPrincipalsOnThisAccountsApis',
        principals: [new iam.AnyPrincipal()],
        actions: [...access.ownArnActions.actions],
        resources: [Stack.of(endpoint).formatArn({ service: access.ownArnActions.service, resource: '*' })],
        conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
      }),
    );
  }
  if (access.accountActions.length > 0) {
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ThisAccountsPrincipalsCallsWithoutResource',
        principals: [new iam.AnyPrincipal()],
        actions: [...access.accountActions],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
      }),
    );
  }
}
