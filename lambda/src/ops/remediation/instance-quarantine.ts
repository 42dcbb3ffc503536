import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import type { ArnContext, Inspection } from './inspection';

/** Tag written on each quarantined ENI with the groups it had, so the change can be undone. */
export const PREVIOUS_GROUPS_TAG = 'sep:pre-quarantine-groups';

/**
 * Quarantines a compromised instance by moving each of its network interfaces to the
 * environment's quarantine security group (no rules: nothing in, nothing out).
 *
 * Why this and not editing the instance's security groups: a group is usually shared by
 * healthy resources, so rewriting its rules would cut them off too and the original rules
 * would have to be reconstructed to undo it. Swapping the ENI's groups touches only the
 * compromised instance, keeps it running for forensics, and is undone by restoring the
 * groups recorded in the `sep:pre-quarantine-groups` tag (and in the audit entry).
 */
export async function inspectInstanceQuarantine(options: {
  readonly ec2: EC2Client;
  readonly instanceId: string;
  readonly quarantineGroupId: string;
  readonly arn: ArnContext;
}): Promise<Inspection> {
  const { ec2, instanceId, quarantineGroupId } = options;
  const entity = `arn:${options.arn.partition}:ec2:${options.arn.region}:${options.arn.account}:instance/${instanceId}`;
  const base = { action: 'quarantine-instance', entity };
  let instance: Instance | undefined;
  try {
    const result = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    instance = result.Reservations?.[0]?.Instances?.[0];
  } catch (error) {
    if ((error as { name?: string }).name !== 'InvalidInstanceID.NotFound') throw error;
  }
  if (instance === undefined || instance.State?.Name === 'terminated') {
    return {
      ...base,
      tags: [],
      state: 'missing',
      summary: `instance ${instanceId} no longer exists`,
      details: { instanceId },
      apply: noop,
    };
  }
  const interfaces = (instance.NetworkInterfaces ?? []).flatMap((eni) =>
    eni.NetworkInterfaceId === undefined
      ? []
      : [
          {
            id: eni.NetworkInterfaceId,
            groups: (eni.Groups ?? []).flatMap((g) => (g.GroupId === undefined ? [] : [g.GroupId])),
          },
        ],
  );
  const pending = interfaces.filter(
    (eni) => !(eni.groups.length === 1 && eni.groups[0] === quarantineGroupId),
  );
  const details = {
    instanceId,
    quarantineGroupId,
    interfaces: pending.map((eni) => ({ networkInterfaceId: eni.id, previousGroups: eni.groups })),
    reverse: `restore each ENI's groups from its ${PREVIOUS_GROUPS_TAG} tag`,
  };
  if (pending.length === 0) {
    return {
      ...base,
      tags: instance.Tags ?? [],
      state: 'already-remediated',
      summary: `instance ${instanceId} is already quarantined`,
      details,
      apply: noop,
    };
  }
  return {
    ...base,
    tags: instance.Tags ?? [],
    state: 'needs-change',
    summary: `move ${pending.length} network interface(s) of instance ${instanceId} to quarantine group ${quarantineGroupId}`,
    details,
    apply: async () => {
      for (const eni of pending) {
        // Record first: if the swap then fails, the tag is harmless; the reverse order could lose the groups.
        await ec2.send(
          new CreateTagsCommand({
            Resources: [eni.id],
            Tags: [{ Key: PREVIOUS_GROUPS_TAG, Value: eni.groups.join(',') }],
          }),
        );
        await ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: eni.id,
            Groups: [quarantineGroupId],
          }),
        );
      }
    },
  };
}

async function noop(): Promise<void> {}
