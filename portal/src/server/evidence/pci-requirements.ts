/**
 * PCI DSS v4.0 requirements and the checks of this platform that support each one.
 *
 * Sources of the mapping:
 * - AWS Config rules: AWS's conformance pack "Operational Best Practices for PCI DSS 4.0"
 *   (https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-pci-dss-v4-including-global-resource-types.html),
 *   restricted to the managed rules the stage's `EnvironmentCompliance` construct deploys
 *   (`infra/src/constructs/compliance.ts`; `compliance-rules.test.ts` keeps the two lists equal).
 * - cdk-nag: cdk-nag's PCI pack targets PCI DSS 3.2.1 (retired 31 March 2024; cdklabs/cdk-nag#1791).
 *   Each of its rules is listed under the v4.0 requirement that carries the 3.2.1 control forward
 *   (the same Config rule backs both in AWS's 3.2.1 and 4.0 conformance packs); AwsSolutions and
 *   NIST 800-53 rev 5 rules that check the same resource property are listed beside it.
 *   The project's own pack Sep (`infra/src/nag/sep-pack.ts`: no wildcard action and no Allow +
 *   NotAction in any identity or resource policy) evidences least privilege, 7.2.1 and 7.2.2.
 * - Architectural controls: what the stage builds for the environment's kind and features
 *   (`architectural-controls.ts`), evaluated from its spec.
 *
 * A requirement the platform cannot evidence (policies, people, physical security) carries
 * `outOfScope` with why: it is listed, never omitted.
 */

/** The `part` of a Config rule the stage deploys (`sep-<suffix>-<part>`), as in compliance.ts. */
export type ConfigRulePart =
  | 's3-default-encryption-kms'
  | 's3-bucket-ssl-requests-only'
  | 's3-bucket-public-access-blocked'
  | 's3-bucket-versioning-enabled'
  | 'dynamodb-table-encrypted-kms'
  | 'dynamodb-pitr-enabled'
  | 'sns-encrypted-kms'
  | 'lambda-inside-vpc'
  | 'lambda-public-access-prohibited'
  | 'secretsmanager-using-cmk'
  | 'secretsmanager-rotation-enabled'
  | 'api-gw-associated-with-waf'
  | 'rds-storage-encrypted'
  | 'rds-cluster-iam-authentication'
  | 'required-tags'
  | 'custom-encryption-retention';

/** Every Config rule part of `EnvironmentCompliance`, with the feature that adds it (if any). */
export const CONFIG_RULE_PARTS: Readonly<Record<ConfigRulePart, 'always' | 'waf' | 'database'>> = {
  's3-default-encryption-kms': 'always',
  's3-bucket-ssl-requests-only': 'always',
  's3-bucket-public-access-blocked': 'always',
  's3-bucket-versioning-enabled': 'always',
  'dynamodb-table-encrypted-kms': 'always',
  'dynamodb-pitr-enabled': 'always',
  'sns-encrypted-kms': 'always',
  'lambda-inside-vpc': 'always',
  'lambda-public-access-prohibited': 'always',
  'secretsmanager-using-cmk': 'always',
  'secretsmanager-rotation-enabled': 'always',
  'api-gw-associated-with-waf': 'waf',
  'rds-storage-encrypted': 'database',
  'rds-cluster-iam-authentication': 'database',
  'required-tags': 'always',
  'custom-encryption-retention': 'always',
};

export type ArchitecturalControlId =
  | 'isolated-vpc'
  | 'kms-key-per-purpose'
  | 'tls-only-buckets'
  | 'audit-object-lock'
  | 'log-retention-12-months'
  | 'waf-on-api'
  | 'least-privilege-roles'
  | 'mfa-on-version-deletes';

export interface PciRequirement {
  /** PCI DSS v4.0 requirement ID. */
  readonly id: string;
  readonly title: string;
  /** cdk-nag rule IDs as the report names them (`<pack>-<rule>`). */
  readonly nagRules?: readonly string[];
  readonly configRules?: readonly ConfigRulePart[];
  readonly controls?: readonly ArchitecturalControlId[];
  /** Why the platform cannot evidence it: set exactly when there is no check. */
  readonly outOfScope?: string;
}

const PCI = (rule: string) => `PCI.DSS.321-${rule}`;
const NIST = (rule: string) => `NIST.800.53.R5-${rule}`;
const AWS = (rule: string) => `AwsSolutions-${rule}`;
const SEP = (rule: string) => `Sep-${rule}`;
/** Sep's least-privilege rules: every allowed action is named. */
const SEP_LEAST_PRIVILEGE = [SEP('PolicyNoWildcardActions'), SEP('PolicyNoNotAction')];

const PEOPLE_AND_PROCESS =
  'Out of scope of the platform: a policy or process the entity documents and operates.';

export const PCI_DSS_V4_REQUIREMENTS: readonly PciRequirement[] = [
  {
    id: '1.2.1',
    title: 'Configuration standards for network security controls are defined, implemented and maintained',
    outOfScope: `${PEOPLE_AND_PROCESS} The stage's security groups are code-reviewed configuration, see 1.3.x.`,
  },
  {
    id: '1.3.1',
    title: 'Inbound traffic to the CDE is restricted to that which is necessary',
    nagRules: [
      PCI('EC2RestrictedSSH'),
      PCI('EC2RestrictedCommonPorts'),
      NIST('EC2RestrictedSSH'),
      AWS('EC23'),
    ],
    controls: ['isolated-vpc', 'waf-on-api'],
  },
  {
    id: '1.3.2',
    title: 'Outbound traffic from the CDE is restricted to that which is necessary',
    nagRules: [PCI('VPCDefaultSecurityGroupClosed'), NIST('VPCDefaultSecurityGroupClosed')],
    configRules: ['lambda-inside-vpc'],
    controls: ['isolated-vpc'],
  },
  {
    id: '1.4.1',
    title: 'NSCs are implemented between trusted and untrusted networks',
    nagRules: [PCI('VPCNoUnrestrictedRouteToIGW'), PCI('LambdaInsideVPC'), NIST('LambdaInsideVPC')],
    configRules: ['lambda-inside-vpc'],
    controls: ['isolated-vpc'],
  },
  {
    id: '1.4.4',
    title: 'System components that store cardholder data are not directly accessible from untrusted networks',
    nagRules: [
      PCI('S3BucketLevelPublicAccessProhibited'),
      PCI('S3BucketPublicReadProhibited'),
      PCI('S3BucketPublicWriteProhibited'),
      PCI('RDSInstancePublicAccess'),
      PCI('LambdaFunctionPublicAccessProhibited'),
    ],
    configRules: ['s3-bucket-public-access-blocked', 'lambda-public-access-prohibited'],
    controls: ['isolated-vpc'],
  },
  {
    id: '1.4.5',
    title: 'The disclosure of internal IP addresses and routing information is limited',
    nagRules: [PCI('VPCSubnetAutoAssignPublicIpDisabled'), PCI('EC2InstanceNoPublicIp')],
    controls: ['isolated-vpc'],
  },
  {
    id: '2.2.1',
    title: 'Configuration standards are developed, implemented and maintained',
    nagRules: [PCI('IAMNoInlinePolicy')],
    configRules: ['required-tags'],
  },
  {
    id: '3.1.1',
    title: 'Policies and procedures for protecting stored account data are documented',
    outOfScope: PEOPLE_AND_PROCESS,
  },
  {
    id: '3.2.1',
    title: 'Account data storage is kept to a minimum through retention and disposal policies',
    outOfScope: `${PEOPLE_AND_PROCESS} The platform enforces log retention (10.5.1), not the application's data retention.`,
  },
  {
    id: '3.5.1',
    title: 'PAN is rendered unreadable anywhere it is stored',
    nagRules: [
      PCI('S3DefaultEncryptionKMS'),
      PCI('RDSStorageEncrypted'),
      PCI('SecretsManagerUsingKMSKey'),
      PCI('SNSEncryptedKMS'),
      PCI('EFSEncrypted'),
      NIST('S3DefaultEncryptionKMS'),
      AWS('SMG4'),
    ],
    configRules: [
      's3-default-encryption-kms',
      'dynamodb-table-encrypted-kms',
      'sns-encrypted-kms',
      'secretsmanager-using-cmk',
      'rds-storage-encrypted',
    ],
    controls: ['kms-key-per-purpose'],
  },
  {
    id: '3.6.1',
    title: 'Procedures protect cryptographic keys used to protect stored account data',
    nagRules: [PCI('KMSBackingKeyRotationEnabled'), NIST('KMSBackingKeyRotationEnabled'), AWS('KMS5')],
    controls: ['kms-key-per-purpose'],
  },
  {
    id: '3.7.4',
    title: 'Cryptographic keys are changed at the end of their cryptoperiod',
    nagRules: [PCI('KMSBackingKeyRotationEnabled'), NIST('SecretsManagerRotationEnabled')],
    configRules: ['secretsmanager-rotation-enabled'],
  },
  {
    id: '4.2.1',
    title: 'Strong cryptography protects PAN during transmission over open, public networks',
    nagRules: [
      PCI('S3BucketSSLRequestsOnly'),
      PCI('APIGWSSLEnabled'),
      PCI('ELBTlsHttpsListenersOnly'),
      PCI('ALBHttpToHttpsRedirection'),
      NIST('S3BucketSSLRequestsOnly'),
      AWS('S10'),
    ],
    configRules: ['s3-bucket-ssl-requests-only'],
    controls: ['tls-only-buckets'],
  },
  {
    id: '5.2.1',
    title: 'An anti-malware solution is deployed on all system components',
    outOfScope:
      'Out of scope of the platform: the stage runs serverless and managed services only; GuardDuty threat detection is an account-level service (see 11.5.1).',
  },
  {
    id: '6.2.2',
    title: 'Software development personnel are trained in secure coding at least once every 12 months',
    outOfScope: 'Out of scope of the platform: training of people.',
  },
  {
    id: '6.3.3',
    title: 'Security patches and updates are installed in a timely manner',
    nagRules: [AWS('L1'), PCI('RDSAutomaticMinorVersionUpgradeEnabled')],
  },
  {
    id: '6.4.1',
    title: 'Public-facing web applications are protected against attacks',
    nagRules: [PCI('APIGWAssociatedWithWAF'), NIST('APIGWAssociatedWithWAF'), PCI('WAFv2LoggingEnabled')],
    configRules: ['api-gw-associated-with-waf'],
    controls: ['waf-on-api'],
  },
  {
    id: '6.4.2',
    title: 'An automated technical solution detects and prevents web-based attacks',
    nagRules: [PCI('APIGWAssociatedWithWAF')],
    configRules: ['api-gw-associated-with-waf'],
    controls: ['waf-on-api'],
  },
  {
    id: '7.2.1',
    title: 'An access control model is defined and includes granting access on least privilege',
    nagRules: [
      PCI('IAMPolicyNoStatementsWithAdminAccess'),
      PCI('IAMPolicyNoStatementsWithFullAccess'),
      NIST('IAMPolicyNoStatementsWithFullAccess'),
      AWS('IAM5'),
      ...SEP_LEAST_PRIVILEGE,
    ],
    controls: ['least-privilege-roles'],
  },
  {
    id: '7.2.2',
    title: 'Access is assigned based on job classification and function',
    nagRules: [
      PCI('IAMUserGroupMembership'),
      PCI('IAMUserNoPolicies'),
      PCI('IAMGroupHasUsers'),
      AWS('IAM4'),
      ...SEP_LEAST_PRIVILEGE,
    ],
    controls: ['least-privilege-roles'],
  },
  {
    id: '7.2.5',
    title: 'System and application accounts are assigned least privilege',
    nagRules: [PCI('IAMNoInlinePolicy'), NIST('IAMNoInlinePolicy'), AWS('IAM5')],
    controls: ['least-privilege-roles'],
  },
  {
    id: '8.2.2',
    title: 'Shared, group or generic IDs are used only when necessary',
    nagRules: [PCI('IAMUserNoPolicies')],
    configRules: ['rds-cluster-iam-authentication'],
  },
  {
    id: '8.3.1',
    title: 'All user access to system components is authenticated',
    nagRules: [AWS('COG4')],
    configRules: ['rds-cluster-iam-authentication'],
    controls: ['least-privilege-roles'],
  },
  {
    id: '8.3.2',
    title: 'Strong cryptography renders authentication factors unreadable in transmission and storage',
    nagRules: [PCI('SecretsManagerUsingKMSKey'), AWS('SMG4')],
    configRules: ['secretsmanager-using-cmk', 'secretsmanager-rotation-enabled'],
  },
  {
    id: '8.4.2',
    title: 'MFA is implemented for all access into the CDE',
    outOfScope:
      'Out of scope of the platform: MFA is enforced by the identity provider the portal and AWS sign-ins federate to.',
  },
  {
    id: '9.2.1',
    title: 'Facility entry controls restrict physical access to systems in the CDE',
    outOfScope:
      "Out of scope of the platform: physical security (the cloud provider's PCI DSS AOC covers its data centres).",
  },
  {
    id: '10.2.1',
    title: 'Audit logs are enabled and active for all system components and cardholder data',
    nagRules: [
      PCI('APIGWExecutionLoggingEnabled'),
      PCI('S3BucketLoggingEnabled'),
      PCI('VPCFlowLogsEnabled'),
      PCI('RDSLoggingEnabled'),
      PCI('CloudTrailCloudWatchLogsEnabled'),
      NIST('VPCFlowLogsEnabled'),
      AWS('S1'),
      AWS('VPC7'),
    ],
    controls: ['isolated-vpc'],
  },
  {
    id: '10.2.2',
    title:
      'Audit logs record user identification, event type, date and time, success or failure, origin and affected resource',
    nagRules: [PCI('APIGWExecutionLoggingEnabled'), PCI('ELBLoggingEnabled'), AWS('APIG1')],
  },
  {
    id: '10.3.2',
    title: 'Audit log files are protected to prevent modifications by individuals',
    nagRules: [PCI('CloudTrailLogFileValidationEnabled'), PCI('S3BucketVersioningEnabled')],
    configRules: ['s3-bucket-versioning-enabled'],
    controls: ['audit-object-lock', 'mfa-on-version-deletes'],
  },
  {
    id: '10.3.4',
    title: 'File integrity monitoring or change detection is used on audit logs',
    nagRules: [PCI('CloudTrailLogFileValidationEnabled')],
    controls: ['audit-object-lock'],
  },
  {
    id: '10.5.1',
    title: 'Audit log history is retained for at least 12 months, three months immediately available',
    nagRules: [PCI('CloudWatchLogGroupRetentionPeriod'), NIST('CloudWatchLogGroupRetentionPeriod')],
    configRules: ['custom-encryption-retention'],
    controls: ['log-retention-12-months'],
  },
  {
    id: '10.7.1',
    title: 'Failures of critical security control systems are detected, alerted and addressed promptly',
    nagRules: [NIST('CloudWatchAlarmAction')],
    configRules: ['required-tags'],
  },
  {
    id: '11.3.1',
    title: 'Internal vulnerability scans are performed at least once every three months',
    outOfScope: `${PEOPLE_AND_PROCESS} Scans are run and reviewed by the entity.`,
  },
  {
    id: '11.4.1',
    title: 'A penetration testing methodology is defined and performed',
    outOfScope: PEOPLE_AND_PROCESS,
  },
  {
    id: '11.5.1',
    title: 'Intrusion-detection or -prevention techniques detect and/or prevent intrusions into the network',
    nagRules: [PCI('VPCFlowLogsEnabled'), PCI('APIGWAssociatedWithWAF')],
    configRules: ['api-gw-associated-with-waf'],
    controls: ['waf-on-api', 'isolated-vpc'],
  },
  {
    id: '11.5.2',
    title: 'A change-detection mechanism alerts on unauthorized modification of critical files',
    nagRules: [PCI('S3BucketVersioningEnabled')],
    configRules: ['s3-bucket-versioning-enabled', 'custom-encryption-retention'],
    controls: ['audit-object-lock'],
  },
  {
    id: '12.1.1',
    title: 'An overall information security policy is established, published, maintained and disseminated',
    outOfScope: PEOPLE_AND_PROCESS,
  },
  {
    id: '12.6.1',
    title: 'A formal security awareness program is implemented',
    outOfScope: 'Out of scope of the platform: training of people.',
  },
  {
    id: '12.10.1',
    title: 'An incident response plan exists and is ready to be activated',
    outOfScope: `${PEOPLE_AND_PROCESS} The platform raises the alerts (GuardDuty and Config findings to SNS) the plan acts on.`,
  },
];
