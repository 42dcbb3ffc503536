// The KMS key-policy action lists every customer-managed key of the product uses: the environment's keys
// (encryption.ts), the account-security keys (account-keys.ts) and the pipeline's platform and
// artifact keys (pipeline/src/constructs/platform-key.ts). One list each, so the three cannot drift.

/**
 * Key administration, listed action by action (no `kms:*`). Use of the key
 * (Encrypt, Decrypt, GenerateDataKey…) is not among them: only the services
 * and roles named in each key's policy may use it.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:ListGrants',
  'kms:RevokeGrant',
] as const;

/** What CloudWatch Logs needs on a key to encrypt a log group (always scoped by the log group's ARN). */
export const CLOUDWATCH_LOGS_KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
] as const;
