// What the pipeline stack gives a hosted portal: who may assume the portal role, the portal's secrets
// readable by that role, and the generated resource names published as the SSM parameters its stage reads.
import { Aws, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { platformParameterNames } from './platform-parameters';
import type { PortalHostingConfig } from './portal-context';

/**
 * Who assumes the portal role: with hosting, the portal's ECS tasks in this account and region (and
 * `portalPrincipal` if given too); without, `portalPrincipal` or the account.
 */
export function portalPrincipal(
  stack: Stack,
  options: { readonly portalHosting?: PortalHostingConfig; readonly portalPrincipal?: iam.IPrincipal },
): iam.IPrincipal {
  if (options.portalHosting === undefined) return options.portalPrincipal ?? new iam.AccountRootPrincipal();
  const tasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:ecs:${stack.region}:${stack.account}:*` },
  });
  return options.portalPrincipal === undefined
    ? tasks
    : new iam.CompositePrincipal(tasks, options.portalPrincipal);
}

/** The platform resources' generated names the portal stage reads, one SSM parameter each. */
export type PlatformParameterValues = Record<keyof ReturnType<typeof platformParameterNames>, string>;

/**
 * The hosted portal's needs from the pipeline stack: its secrets readable by the portal role (and nothing
 * else here), and the generated table and bucket names as SSM parameters its stage reads.
 */
export function grantPortalHosting(
  stack: Stack,
  options: {
    readonly hosting: PortalHostingConfig;
    readonly pipelineName: string;
    readonly portalRole: iam.Role;
    readonly values: PlatformParameterValues;
  },
): void {
  const { hosting, portalRole } = options;
  const secretArns = [hosting.sessionSecretArn, hosting.oidcClientSecretArn];
  if (hosting.apiTokensSecretArn !== undefined) secretArns.push(hosting.apiTokensSecretArn);
  portalRole.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadPortalSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: secretArns,
    }),
  );
  portalRole.addToPolicy(
    new iam.PolicyStatement({
      sid: 'DecryptPortalSecrets',
      actions: ['kms:Decrypt'],
      resources: [hosting.secretsKeyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
    }),
  );
  const names = platformParameterNames(options.pipelineName);
  for (const [key, value] of Object.entries(options.values) as [keyof PlatformParameterValues, string][]) {
    new ssm.StringParameter(stack, `PortalParameter-${key}`, {
      parameterName: names[key],
      stringValue: value,
      description: 'Read by the portal stage (its PORTAL_* configuration)',
    });
  }
}
