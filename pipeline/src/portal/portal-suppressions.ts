import { acrossPacks, suppress } from '@sep/infra';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/** Markers of the generated list of the portal stack's suppressions in pipeline/README.md. */
export const PORTAL_SUPPRESSIONS_DOC = {
  start: '<!-- portal-nag-suppressions:start -->',
  end: '<!-- portal-nag-suppressions:end -->',
} as const;

export interface PortalSuppressionTargets {
  readonly accessLogs: s3.IBucket;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The HTTP listener, which only redirects to HTTPS. */
  readonly redirectListener: IConstruct;
  readonly vpc: ec2.Vpc;
  readonly taskDefinition: ecs.FargateTaskDefinition;
}

/**
 * The cdk-nag findings that stay on PortalStack, each on the one resource that draws it, with why it
 * is acceptable (listed in pipeline/README.md, generated from the report).
 */
export function suppressPortalFindings(targets: PortalSuppressionTargets): void {
  suppress(targets.accessLogs, [
    {
      ruleId: 'AwsSolutions-S1',
      reason:
        'This bucket is the log destination itself (load balancer access logs, VPC flow logs): logging its own access to itself would log every delivery again, and to another bucket only moves the question; it is versioned, TLS-only, private and retained.',
    },
    ...acrossPacks(
      ['PCI.DSS.321-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketLoggingEnabled'],
      'This bucket is the log destination itself (load balancer access logs, VPC flow logs): logging its own access to itself would log every delivery again, and to another bucket only moves the question; it is versioned, TLS-only, private and retained.',
    ),
  ]);
  suppress(
    targets.redirectListener,
    acrossPacks(
      ['PCI.DSS.321-ELBv2ACMCertificateRequired', 'NIST.800.53.R5-ELBv2ACMCertificateRequired'],
      'The port 80 listener serves nothing: its only action is a permanent redirect to HTTPS on 443, whose listener holds the ACM certificate with a TLS 1.2+ policy; without it a browser typing the bare host name would get no answer.',
    ),
  );
  for (const subnet of targets.vpc.publicSubnets) {
    const route = subnet.node.tryFindChild('DefaultRoute');
    if (route === undefined) continue;
    suppress(
      route,
      acrossPacks(
        ['PCI.DSS.321-VPCNoUnrestrictedRouteToIGW', 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW'],
        'The public (edge) subnets hold only the internet-facing load balancer and the NAT gateways, which need the route to the internet gateway; no task runs there and they assign no public addresses. The portal tasks are in private subnets, reached only through the load balancer.',
      ),
    );
  }
  suppress(targets.loadBalancerSecurityGroup, [
    {
      ruleId: 'AwsSolutions-EC23',
      reason:
        'The portal is internet-facing for engineers signing in through the corporate OIDC issuer from wherever they work: the load balancer accepts 443 (and 80, answered only with a redirect to 443) from any address, behind the WAF (rate limit, AWS common and known-bad-input rules), and forwards only to the portal tasks.',
    },
  ]);
  suppress(targets.taskDefinition, [
    {
      ruleId: 'AwsSolutions-ECS2',
      reason:
        'The environment holds configuration only (mode, region, table and pipeline names, the OIDC issuer and client id, and the ARNs of the secrets): the portal reads the session secret, OIDC client secret and API token hashes from Secrets Manager itself at start and refuses a plain value.',
    },
  ]);
  const executionPolicy = targets.taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
  if (executionPolicy instanceof iam.Policy) {
    suppress(executionPolicy, [
      ...acrossPacks(
        ['PCI.DSS.321-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy'],
        "The DefaultPolicy aws-cdk-lib writes for the ECS task execution role alone: pull the one image repository and write the one log group. It is attached to that role only; the portal itself runs as the pipeline stack's portal role.",
      ),
      {
        ruleId: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'ecr:GetAuthorizationToken, which ECS needs to pull the image, has no resource-level permissions (AWS documents Resource "*" for it); the image pull itself is granted on the one asset repository.',
      },
    ]);
  }
}
