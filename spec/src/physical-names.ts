import { LONGEST_REGION_NAME_LENGTH } from './regions';

/**
 * Every physical name the secure-environment stage gives a resource, with the
 * limit AWS puts on that kind of name.
 *
 * This table is the single source of physical names: constructs call
 * {@link physicalName} rather than building strings, and the maximum length of
 * an `environmentSuffix` is derived from it ({@link MAX_SUFFIX_LENGTH}). Adding
 * a named resource here tightens the suffix limit automatically; a synth test
 * proves the longest allowed suffix fits every name in the template.
 *
 * Templates use `{suffix}`, `{account}` (12 digits) and `{region}`. Bucket
 * names carry account and region because S3 names are global; IAM role names
 * carry the region because IAM is global.
 */
export const PHYSICAL_NAME_TEMPLATES = {
  // S3: 3-63 characters, globally unique.
  dataBucket: { template: 'sep-data-{suffix}-{account}-{region}', limit: 63 },
  accessLogBucket: { template: 'sep-access-{suffix}-{account}-{region}', limit: 63 },
  flowLogBucket: { template: 'sep-flow-{suffix}-{account}-{region}', limit: 63 },
  auditLogBucket: { template: 'sep-audit-{suffix}-{account}-{region}', limit: 63 },
  // KMS aliases: 256 characters after `alias/`.
  dataKeyAlias: { template: 'alias/sep/{suffix}/data', limit: 256 },
  logsKeyAlias: { template: 'alias/sep/{suffix}/logs', limit: 256 },
  lambdaKeyAlias: { template: 'alias/sep/{suffix}/lambda', limit: 256 },
  secretsKeyAlias: { template: 'alias/sep/{suffix}/secrets', limit: 256 },
  // Lambda function names: 64.
  piiScannerFunction: { template: 'sep-{suffix}-pii-scanner', limit: 64 },
  documentApiFunction: { template: 'sep-{suffix}-document-api', limit: 64 },
  complianceEvaluatorFunction: { template: 'sep-{suffix}-compliance-evaluator', limit: 64 },
  remediationFunction: { template: 'sep-{suffix}-remediation', limit: 64 },
  secretRotationFunction: { template: 'sep-{suffix}-secret-rotation', limit: 64 },
  // IAM role names: 64; global, so the region is part of the name.
  operatorRole: { template: 'sep-{suffix}-{region}-operator', limit: 64 },
  auditorRole: { template: 'sep-{suffix}-{region}-auditor', limit: 64 },
  // DynamoDB tables: 255.
  auditTable: { template: 'sep-{suffix}-audit', limit: 255 },
  transactionsTable: { template: 'sep-{suffix}-transactions', limit: 255 },
  // SNS topic: 256. SQS queue: 80.
  alertTopic: { template: 'sep-{suffix}-security-alerts', limit: 256 },
  deadLetterQueue: { template: 'sep-{suffix}-{function}-dlq', limit: 80 },
  // API Gateway REST API name: 1024; WAFv2 web ACL name: 128.
  restApi: { template: 'sep-{suffix}-api', limit: 1024 },
  webAcl: { template: 'sep-{suffix}-api-waf', limit: 128 },
  // WAF logging requires a log group named `aws-waf-logs-*` (512).
  wafLogGroup: { template: 'aws-waf-logs-sep-{suffix}', limit: 512 },
  // CloudWatch log groups: 512.
  logGroup: { template: '/sep/{suffix}/{function}', limit: 512 },
  // CloudWatch alarms: 255. Dashboards: 255.
  alarm: { template: 'sep-{suffix}-{alarm}', limit: 255 },
  dashboard: { template: 'sep-{suffix}-security', limit: 255 },
  // EventBridge rule names: 64.
  eventRule: { template: 'sep-{suffix}-{rule}', limit: 64 },
  // AWS Config rule names: 128, unique per account and region.
  configRule: { template: 'sep-{suffix}-{rule}', limit: 128 },
  // Secrets Manager: 512.
  databaseSecret: { template: 'sep/{suffix}/database/master', limit: 512 },
  apiKeySecret: { template: 'sep/{suffix}/api/key', limit: 512 },
  // Aurora cluster identifier: 63, letters digits hyphens.
  databaseCluster: { template: 'sep-{suffix}-aurora', limit: 63 },
  // SSM parameter names: 1011 (full path).
  databaseEndpointParameter: { template: '/sep/{suffix}/database/endpoint', limit: 1011 },
  // Network Firewall names: 128.
  firewall: { template: 'sep-{suffix}-firewall', limit: 128 },
  firewallPolicy: { template: 'sep-{suffix}-firewall-policy', limit: 128 },
  firewallRuleGroup: { template: 'sep-{suffix}-tls-allowlist', limit: 128 },
  // CloudFormation stack names: 128.
  environmentStack: { template: 'sep-{suffix}-environment', limit: 128 },
  // CloudWatch Logs metric filter names: 512. Metric namespaces: 255.
  metricFilter: { template: 'sep-{suffix}-{alarm}', limit: 512 },
  metricNamespace: { template: 'SEP/{suffix}', limit: 255 },
  // Aurora exports to log groups whose names AWS fixes: /aws/rds/cluster/<cluster>/<log type> (512).
  databaseLogGroup: { template: '/aws/rds/cluster/sep-{suffix}-aurora/{logtype}', limit: 512 },

  // Account-level names (account-security stack, once per account and region): no suffix, so
  // they never bind the suffix length as long as each leaves at least MAX_SUFFIX_LENGTH of room.
  // CloudTrail trail names: 128. Its log group: 512. S3 buckets: 63.
  accountTrail: { template: 'sep-account-trail', limit: 128 },
  accountTrailLogGroup: { template: '/sep/account/cloudtrail', limit: 512 },
  accountTrailBucket: { template: 'sep-trail-{account}-{region}', limit: 63 },
  accountAccessLogBucket: { template: 'sep-s3log-{account}-{region}', limit: 63 },
  accountConfigBucket: { template: 'sep-config-{account}-{region}', limit: 63 },
  accountLogsKeyAlias: { template: 'alias/sep/account/logs', limit: 256 },
  accountAlertsKeyAlias: { template: 'alias/sep/account/alerts', limit: 256 },
  accountAlertTopic: { template: 'sep-account-security-alerts', limit: 256 },
  accountAlarm: { template: 'sep-account-{alarm}', limit: 255 },
  accountMetricFilter: { template: 'sep-account-{alarm}', limit: 512 },
  accountMetricNamespace: { template: 'SEP/Account/CIS', limit: 255 },
  accountConfigRule: { template: 'sep-account-{rule}', limit: 128 },
  // EventBridge rule names: 64.
  accountComplianceEventRule: { template: 'sep-account-config-noncompliance', limit: 64 },
  // One recorder and one delivery channel per account and region: names up to 256.
  accountConfigRecorder: { template: 'sep-account-recorder', limit: 256 },
  accountDeliveryChannel: { template: 'sep-account-delivery', limit: 256 },
  // IAM role names: 64, global, so the region is part of the name.
  accountConfigRole: { template: 'sep-account-{region}-config', limit: 64 },
  accountTrailLogsRole: { template: 'sep-account-{region}-trail-logs', limit: 64 },
  accountApiGatewayLogsRole: { template: 'sep-account-{region}-apigw-logs', limit: 64 },
  // The platform's way into this account and region (platform-access.ts): the portal's and the
  // sweeper's reads and ephemeral deletes, and the pipeline's smoke test. Short on purpose: an
  // account-level name must leave MAX_SUFFIX_LENGTH of room, or it would shorten every suffix.
  accountPlatformAccessRole: { template: 'sep-account-{region}-platform', limit: 64 },
  accountSmokeTestRole: { template: 'sep-account-{region}-smoke', limit: 64 },
} as const satisfies Record<string, { template: string; limit: number }>;

export type PhysicalNameKind = keyof typeof PHYSICAL_NAME_TEMPLATES;

/**
 * Placeholders other than suffix/account/region (`{function}`, `{alarm}`,
 * `{rule}`, `{logtype}`) are filled by the caller; the budget assumes the longest value the
 * stage uses for each.
 */
export const LONGEST_PLACEHOLDER_VALUES: Record<string, string> = {
  function: 'compliance-evaluator',
  alarm: 'compliance-evaluator-throttles',
  rule: 'secretsmanager-rotation-enabled',
  logtype: 'slowquery',
};

const ACCOUNT_ID_LENGTH = 12;

function fixedLength(template: string): number {
  let length = template.replace(/\{[a-z]+\}/g, '').length;
  for (const [, placeholder] of template.matchAll(/\{([a-z]+)\}/g)) {
    if (placeholder === 'suffix') continue;
    if (placeholder === 'account') length += ACCOUNT_ID_LENGTH;
    else if (placeholder === 'region') length += LONGEST_REGION_NAME_LENGTH;
    else length += LONGEST_PLACEHOLDER_VALUES[placeholder as string]?.length ?? 0;
  }
  return length;
}

/** The name that leaves the least room for the suffix, and how much it leaves. */
export const SUFFIX_LENGTH_BINDING = Object.entries(PHYSICAL_NAME_TEMPLATES)
  .map(([kind, { template, limit }]) => ({
    kind: kind as PhysicalNameKind,
    room: limit - fixedLength(template),
  }))
  .reduce((tightest, candidate) => (candidate.room < tightest.room ? candidate : tightest));

/** Derived, never guessed: the longest suffix for which every physical name fits. */
export const MAX_SUFFIX_LENGTH = SUFFIX_LENGTH_BINDING.room;

export interface PhysicalNameContext {
  readonly suffix: string;
  /** 12-digit account ID, or a CloudFormation token resolved at deploy time. */
  readonly account?: string;
  readonly region?: string;
  /** Value for `{function}`, `{alarm}` or `{rule}` in templates that use them. */
  readonly part?: string;
}

/** The physical name of one resource of an environment. */
export function physicalName(kind: PhysicalNameKind, context: PhysicalNameContext): string {
  const { template } = PHYSICAL_NAME_TEMPLATES[kind];
  return template.replace(/\{([a-z]+)\}/g, (_match, placeholder: string) => {
    switch (placeholder) {
      case 'suffix':
        return context.suffix;
      case 'account':
        return required(context.account, kind, placeholder);
      case 'region':
        return required(context.region, kind, placeholder);
      default:
        return required(context.part, kind, placeholder);
    }
  });
}

function required(value: string | undefined, kind: string, placeholder: string): string {
  if (value === undefined || value === '') {
    throw new Error(`physicalName('${kind}') needs a value for {${placeholder}}`);
  }
  return value;
}
