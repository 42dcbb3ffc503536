/**
 * Exactly the IAM actions the remediation function calls (no wildcards), for infra to grant.
 * `RESOURCE_SCOPE` says what each action must be scoped to; the tag condition is defence in
 * depth on top of the function's own tag check.
 */
export const REQUIRED_ACTIONS = [
  'iam:ListUserTags',
  'iam:ListAccessKeys',
  'iam:UpdateAccessKey',
  's3:GetBucketTagging',
  's3:GetBucketPublicAccessBlock',
  's3:PutBucketPublicAccessBlock',
  'ec2:DescribeInstances',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSecurityGroupRules',
  'ec2:CreateTags',
  'ec2:ModifyNetworkInterfaceAttribute',
  'ec2:RevokeSecurityGroupIngress',
  'dynamodb:PutItem',
  'sns:Publish',
] as const;

export const RESOURCE_SCOPE: Readonly<Record<(typeof REQUIRED_ACTIONS)[number], string>> = {
  'iam:ListUserTags': 'arn:<partition>:iam::<account>:user/*',
  'iam:ListAccessKeys': 'arn:<partition>:iam::<account>:user/*',
  'iam:UpdateAccessKey':
    'arn:<partition>:iam::<account>:user/* with condition iam:ResourceTag/Environment=<suffix>',
  's3:GetBucketTagging': 'arn:<partition>:s3:::* (the bucket comes from the finding)',
  's3:GetBucketPublicAccessBlock': 'arn:<partition>:s3:::*',
  's3:PutBucketPublicAccessBlock':
    'arn:<partition>:s3:::* (S3 has no bucket-tag condition key; the function checks the tag)',
  // EC2 Describe* actions support no resource-level permissions: "*" is the only form AWS accepts.
  'ec2:DescribeInstances': '*',
  'ec2:DescribeSecurityGroups': '*',
  'ec2:DescribeSecurityGroupRules': '*',
  'ec2:CreateTags':
    'arn:<partition>:ec2:<region>:<account>:network-interface/* with condition ForAllValues:StringEquals aws:TagKeys=[sep:pre-quarantine-groups]',
  'ec2:ModifyNetworkInterfaceAttribute':
    'arn:<partition>:ec2:<region>:<account>:network-interface/* and the quarantine security-group ARN',
  'ec2:RevokeSecurityGroupIngress':
    'arn:<partition>:ec2:<region>:<account>:security-group/* with condition aws:ResourceTag/Environment=<suffix>',
  'dynamodb:PutItem': 'the audit table ARN',
  'sns:Publish': 'the alert topic ARN',
};
