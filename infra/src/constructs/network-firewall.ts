// The optional AWS Network Firewall of the isolated network: TLS allowlist, logs, egress routes through it.
import { physicalName } from '@sep/spec';
import { Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as networkfirewall from 'aws-cdk-lib/aws-networkfirewall';
import type { Construct } from 'constructs';
import type { KindPolicy } from '../kind-policy';
import { encryptedLogGroup } from './log-group';

export interface NetworkFirewallProps {
  readonly environmentSuffix: string;
  readonly policy: KindPolicy;
  /** Encrypts the firewall's log group. */
  readonly logsKey: kms.IKey;
  /** The VPC; its `firewall` subnet group holds the firewall endpoints. */
  readonly vpc: ec2.Vpc;
  /** Subnets whose default route leads through the firewall endpoint of their zone. */
  readonly workloadSubnets: ec2.SubnetSelection;
}

/**
 * Adds the firewall to `scope` (the network construct, so logical IDs are those of its other
 * resources): only TLS to AWS service endpoints of the region passes (SNI allowlist).
 */
export function addNetworkFirewall(
  scope: Construct,
  props: NetworkFirewallProps,
): { readonly firewall: networkfirewall.CfnFirewall; readonly logGroup: logs.ILogGroup } {
  const { vpc, workloadSubnets } = props;
  const suffix = props.environmentSuffix;
  const region = Stack.of(scope).region;
  const ruleGroup = new networkfirewall.CfnRuleGroup(scope, 'TlsAllowlist', {
    ruleGroupName: physicalName('firewallRuleGroup', { suffix }),
    type: 'STATEFUL',
    capacity: 100,
    description: 'Only TLS to AWS service endpoints of the environment region',
    ruleGroup: {
      rulesSource: {
        rulesSourceList: {
          generatedRulesType: 'ALLOWLIST',
          targetTypes: ['TLS_SNI'],
          targets: [`.${region}.amazonaws.com`, `.${region}.api.aws`],
        },
      },
      statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
    },
  });
  const firewallPolicy = new networkfirewall.CfnFirewallPolicy(scope, 'FirewallPolicy', {
    firewallPolicyName: physicalName('firewallPolicy', { suffix }),
    firewallPolicy: {
      statelessDefaultActions: ['aws:forward_to_sfe'],
      statelessFragmentDefaultActions: ['aws:forward_to_sfe'],
      statefulEngineOptions: { ruleOrder: 'STRICT_ORDER' },
      statefulDefaultActions: ['aws:drop_established', 'aws:alert_established'],
      statefulRuleGroupReferences: [{ resourceArn: ruleGroup.attrRuleGroupArn, priority: 1 }],
    },
  });
  const firewallSubnets = vpc.selectSubnets({ subnetGroupName: 'firewall' }).subnets;
  const firewall = new networkfirewall.CfnFirewall(scope, 'Firewall', {
    firewallName: physicalName('firewall', { suffix }),
    firewallPolicyArn: firewallPolicy.attrFirewallPolicyArn,
    vpcId: vpc.vpcId,
    subnetMappings: firewallSubnets.map((subnet) => ({ subnetId: subnet.subnetId })),
    deleteProtection: props.policy.deletionProtection,
    firewallPolicyChangeProtection: props.policy.deletionProtection,
    subnetChangeProtection: props.policy.deletionProtection,
  });

  const logGroup = encryptedLogGroup(scope, 'FirewallLogGroup', {
    logGroupName: physicalName('logGroup', { suffix, part: 'network-firewall' }),
    encryptionKey: props.logsKey,
    retention: props.policy.logRetention,
    removalPolicy: props.policy.removalPolicy,
  });
  new networkfirewall.CfnLoggingConfiguration(scope, 'FirewallLogging', {
    firewallArn: firewall.attrFirewallArn,
    loggingConfiguration: {
      logDestinationConfigs: (['ALERT', 'FLOW'] as const).map((logType) => ({
        logType,
        logDestinationType: 'CloudWatchLogs',
        logDestination: { logGroup: logGroup.logGroupName },
      })),
    },
  });

  // Workload egress leaves through the firewall endpoint of its own zone. EndpointIds lists
  // `az:vpce-id` entries in no documented order, so never pick one by position: join them
  // (`us-east-1a:vpce-1,us-east-1b:vpce-2,…`), cut at `<this subnet's zone>:` and keep what
  // follows up to the next comma. The zones are literals (REGION_AVAILABILITY_ZONES).
  const endpointsByZone = Fn.join(',', firewall.attrEndpointIds);
  const workload = vpc.selectSubnets(workloadSubnets).subnets;
  workload.forEach((subnet, index) => {
    const endpointId = firewallEndpointOfZone(endpointsByZone, subnet.availabilityZone);
    new ec2.CfnRoute(scope, `EgressViaFirewall${index}`, {
      routeTableId: subnet.routeTable.routeTableId,
      destinationCidrBlock: '0.0.0.0/0',
      vpcEndpointId: endpointId,
    });
  });
  return { firewall, logGroup };
}

/** The firewall endpoint ID of `zone` in the joined `az:vpce-id` list of `AWS::NetworkFirewall::Firewall.EndpointIds`. */
export function firewallEndpointOfZone(joinedEndpointIds: string, zone: string): string {
  return Fn.select(0, Fn.split(',', Fn.select(1, Fn.split(`${zone}:`, joinedEndpointIds))));
}
