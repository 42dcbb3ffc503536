/**
 * The actions remediation takes on its own, in every environment kind, prod included. Each is
 * approval-free because it is (1) contained — it touches only the one resource the finding names,
 * after reading the resource's own `Environment` tag; (2) reversible — nothing is deleted, and what
 * the undo needs is written to the audit entry (and, for ENIs, a tag) before or as the change is
 * made; (3) audited and notified — one audit entry per event, one SNS message per change. Waiting for
 * an approval would leave a leaked key or an open bucket usable for the time it takes a human to
 * answer; anything destructive (deleting keys, users, instances, objects) is left to people.
 */
export const REMEDIATION_ACTIONS = {
  'deactivate-access-key': {
    does: 'set the one flagged IAM access key Inactive (never deleted)',
    reversal: 'iam:UpdateAccessKey Status=Active on the same key',
  },
  'block-public-access': {
    does: 'turn on all four S3 Block Public Access flags of the bucket',
    reversal: 's3:PutPublicAccessBlock with the previous flags recorded in this entry',
  },
  'quarantine-instance': {
    does: "move each ENI of the instance to the environment's rule-less quarantine security group",
    reversal:
      'ec2:ModifyNetworkInterfaceAttribute back to the groups in the ENI tag sep:pre-quarantine-groups (also in this entry)',
  },
  'revoke-open-ingress': {
    does: 'revoke only the ingress rules open to 0.0.0.0/0 or ::/0 of the security group',
    reversal: 'ec2:AuthorizeSecurityGroupIngress with each revoked rule recorded in this entry',
  },
} as const satisfies Record<string, { readonly does: string; readonly reversal: string }>;

export type RemediationAction = keyof typeof REMEDIATION_ACTIONS;

/** How to undo `action`, for the audit entry; every action remediation takes has one. */
export function reversalOf(action: string): string {
  const entry = (REMEDIATION_ACTIONS as Record<string, { reversal: string } | undefined>)[action];
  if (entry === undefined) throw new Error(`remediation action ${action} has no declared reversal`);
  return entry.reversal;
}
