/**
 * Exactly the IAM actions the secret-rotation function calls (no wildcards), for infra to grant.
 * `RESOURCE_SCOPE` says what each action must be scoped to. The function also needs network
 * reach to the database (security group: 3306 from this function) and to the Secrets Manager
 * interface endpoint.
 */
export const REQUIRED_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:GetRandomPassword',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'dynamodb:PutItem',
  'sns:Publish',
] as const;

export const RESOURCE_SCOPE: Readonly<Record<(typeof REQUIRED_ACTIONS)[number], string>> = {
  'secretsmanager:DescribeSecret': 'the database secret ARN',
  'secretsmanager:GetSecretValue': 'the database secret ARN',
  'secretsmanager:PutSecretValue': 'the database secret ARN',
  'secretsmanager:UpdateSecretVersionStage': 'the database secret ARN',
  // GetRandomPassword acts on no resource: "*" is the only form AWS accepts.
  'secretsmanager:GetRandomPassword': '*',
  'kms:Decrypt': 'the secrets CMK ARN (condition kms:ViaService=secretsmanager.<region>.amazonaws.com)',
  'kms:GenerateDataKey':
    'the secrets CMK ARN (condition kms:ViaService=secretsmanager.<region>.amazonaws.com)',
  'dynamodb:PutItem': 'the audit table ARN',
  'sns:Publish': 'the alert topic ARN',
};
