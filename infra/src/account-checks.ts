// The account's detective checks as data (CIS metric filters, periodic Config rules), to read against AWS docs.
import * as config from 'aws-cdk-lib/aws-config';

/**
 * The CIS AWS Foundations metric filters as Security Hub checks them
 * (controls CloudWatch.1 to CloudWatch.14), with their exact patterns:
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html
 */
export const CIS_METRIC_FILTERS = [
  {
    control: 'CloudWatch.1',
    name: 'cis-root-account-usage',
    pattern:
      '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
  },
  {
    control: 'CloudWatch.2',
    name: 'cis-unauthorized-api-calls',
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
  },
  {
    control: 'CloudWatch.3',
    name: 'cis-console-signin-without-mfa',
    pattern: '{($.eventName="ConsoleLogin") && ($.additionalEventData.MFAUsed !="Yes")}',
  },
  {
    control: 'CloudWatch.4',
    name: 'cis-iam-policy-changes',
    pattern:
      '{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}',
  },
  {
    control: 'CloudWatch.5',
    name: 'cis-cloudtrail-changes',
    pattern:
      '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
  },
  {
    control: 'CloudWatch.6',
    name: 'cis-console-auth-failures',
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
  },
  {
    control: 'CloudWatch.7',
    name: 'cis-cmk-disable-or-deletion',
    pattern:
      '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
  },
  {
    control: 'CloudWatch.8',
    name: 'cis-s3-bucket-policy-changes',
    pattern:
      '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
  },
  {
    control: 'CloudWatch.9',
    name: 'cis-config-changes',
    pattern:
      '{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}',
  },
  {
    control: 'CloudWatch.10',
    name: 'cis-security-group-changes',
    pattern:
      '{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}',
  },
  {
    control: 'CloudWatch.11',
    name: 'cis-nacl-changes',
    pattern:
      '{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}',
  },
  {
    control: 'CloudWatch.12',
    name: 'cis-network-gateway-changes',
    pattern:
      '{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}',
  },
  {
    control: 'CloudWatch.13',
    name: 'cis-route-table-changes',
    pattern:
      '{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}',
  },
  {
    control: 'CloudWatch.14',
    name: 'cis-vpc-changes',
    pattern:
      '{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}',
  },
] as const;

/**
 * Periodic AWS Config rules. A periodic rule evaluates the whole account
 * whatever its scope, so these live here, once per account and region, never
 * per environment.
 */
export const ACCOUNT_CONFIG_RULES = [
  {
    name: 'cloudwatch-log-group-encrypted',
    identifier: config.ManagedRuleIdentifiers.CLOUDWATCH_LOG_GROUP_ENCRYPTED,
  },
  { name: 'vpc-flow-logs-enabled', identifier: config.ManagedRuleIdentifiers.VPC_FLOW_LOGS_ENABLED },
  {
    name: 'kms-key-rotation-enabled',
    identifier: config.ManagedRuleIdentifiers.CMK_BACKING_KEY_ROTATION_ENABLED,
  },
  { name: 'cloudtrail-enabled', identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_ENABLED },
  {
    name: 'cloudtrail-encryption-enabled',
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_ENCRYPTION_ENABLED,
  },
  {
    name: 'cloudtrail-log-validation',
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED,
  },
  {
    name: 'cloudtrail-cloudwatch-logs',
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED,
  },
  { name: 'root-account-mfa-enabled', identifier: config.ManagedRuleIdentifiers.ROOT_ACCOUNT_MFA_ENABLED },
  { name: 'iam-root-access-key-check', identifier: config.ManagedRuleIdentifiers.IAM_ROOT_ACCESS_KEY_CHECK },
  {
    name: 'iam-console-mfa-enabled',
    identifier: config.ManagedRuleIdentifiers.MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS,
  },
  {
    name: 's3-account-public-access-blocks',
    identifier: config.ManagedRuleIdentifiers.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC,
  },
  { name: 'guardduty-enabled', identifier: config.ManagedRuleIdentifiers.GUARDDUTY_ENABLED_CENTRALIZED },
  { name: 'securityhub-enabled', identifier: config.ManagedRuleIdentifiers.SECURITYHUB_ENABLED },
] as const;
