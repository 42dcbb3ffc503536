import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { ArnContext, Inspection } from './inspection';

const WORLD_V4 = '0.0.0.0/0';
const WORLD_V6 = '::/0';

/**
 * For a security group Config marks NON_COMPLIANT: revokes only the ingress rules open to
 * the whole internet (0.0.0.0/0, ::/0), which the stage never writes. Other rules stay, so
 * traffic inside the VPC keeps flowing; each revoked rule is recorded in the audit entry
 * (protocol, ports, CIDR, description) so it can be re-added if it was intended.
 */
export async function inspectSecurityGroupIngress(options: {
  readonly ec2: EC2Client;
  readonly groupId: string;
  readonly arn: ArnContext;
}): Promise<Inspection> {
  const { ec2, groupId } = options;
  const entity = `arn:${options.arn.partition}:ec2:${options.arn.region}:${options.arn.account}:security-group/${groupId}`;
  const base = { action: 'revoke-open-ingress', entity };
  let group: SecurityGroup | undefined;
  try {
    group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups?.[0];
  } catch (error) {
    if ((error as { name?: string }).name !== 'InvalidGroup.NotFound') throw error;
  }
  if (group === undefined) {
    return {
      ...base,
      tags: [],
      state: 'missing',
      summary: `security group ${groupId} no longer exists`,
      details: { groupId },
      apply: noop,
    };
  }
  const rules = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [groupId] }],
        NextToken: nextToken,
      }),
    );
    rules.push(...(page.SecurityGroupRules ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  const open = rules.filter(
    (rule) =>
      rule.IsEgress !== true &&
      (rule.CidrIpv4 === WORLD_V4 || rule.CidrIpv6 === WORLD_V6) &&
      rule.SecurityGroupRuleId !== undefined,
  );
  const details = {
    groupId,
    revokedRules: open.map((rule) => ({
      ruleId: rule.SecurityGroupRuleId ?? '',
      protocol: rule.IpProtocol ?? '',
      fromPort: rule.FromPort ?? null,
      toPort: rule.ToPort ?? null,
      cidr: rule.CidrIpv4 ?? rule.CidrIpv6 ?? '',
      description: rule.Description ?? null,
    })),
  };
  if (open.length === 0) {
    return {
      ...base,
      tags: group.Tags ?? [],
      state: 'already-remediated',
      summary: `security group ${groupId} has no ingress open to the internet`,
      details,
      apply: noop,
    };
  }
  return {
    ...base,
    tags: group.Tags ?? [],
    state: 'needs-change',
    summary: `revoke ${open.length} internet-open ingress rule(s) of security group ${groupId}`,
    details,
    apply: async () => {
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: groupId,
          SecurityGroupRuleIds: open.flatMap((rule) =>
            rule.SecurityGroupRuleId === undefined ? [] : [rule.SecurityGroupRuleId],
          ),
        }),
      );
    },
  };
}

async function noop(): Promise<void> {}
