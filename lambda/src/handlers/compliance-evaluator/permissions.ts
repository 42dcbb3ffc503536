/**
 * Exactly the IAM actions the compliance-evaluator calls (no wildcards), for infra to grant.
 * `RESOURCE_SCOPE` says what each action must be scoped to.
 */
export const REQUIRED_ACTIONS = [
  'config:PutEvaluations',
  'config:GetResourceConfigHistory',
  'dynamodb:PutItem',
] as const;

export const RESOURCE_SCOPE: Readonly<Record<(typeof REQUIRED_ACTIONS)[number], string>> = {
  // AWS Config supports no resource-level permissions for these two: Resource "*" is the only form it accepts.
  'config:PutEvaluations': '*',
  'config:GetResourceConfigHistory': '*',
  'dynamodb:PutItem': 'the audit table ARN',
};
