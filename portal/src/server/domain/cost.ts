import { type EnvironmentFeatures, featuresSchema } from '@sep/spec';
import type { CostEstimate, CostLine } from './types';

/**
 * The price table behind every cost figure the portal shows: AWS on-demand
 * list prices for us-east-1 (USD), scaled by a per-region factor. A month is
 * 730 hours. The table prices the run rate of what the spec turns on; usage
 * (requests, GB scanned) is priced at a small fixed volume because an
 * environment's idle cost is what a requester can act on.
 *
 * What dominates: a Network Firewall endpoint per AZ ($0.395/h each, ~$865/month
 * for three), interface VPC endpoints ($0.01/h per AZ each: the stage keeps
 * Lambda traffic off the internet with one per AWS API its functions call) and
 * Aurora Serverless v2's minimum capacity on a writer and a reader.
 */
export const PRICE_TABLE = {
  asOf: '2026-01-01',
  hoursPerMonth: 730,
  availabilityZones: 3,
  interfaceEndpointPerAzHour: 0.01,
  /** kms, logs, sns, sqs, sts, secretsmanager, monitoring: the APIs the functions call. */
  baseInterfaceEndpoints: 7,
  /** execute-api endpoint that a PRIVATE API needs. */
  privateApiInterfaceEndpoints: 1,
  networkFirewallEndpointHour: 0.395,
  natGatewayHour: 0.045,
  auroraAcuHour: 0.12,
  auroraMinAcu: 0.5,
  auroraInstances: 2,
  auroraStorageGbMonth: 0.1,
  auroraAssumedStorageGb: 20,
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  wafRules: 6,
  kmsKeyMonth: 1,
  kmsKeys: 4,
  secretMonth: 0.4,
  apiGatewayPerMillionRequests: 3.5,
  assumedMillionRequests: 1,
  lambdaAssumedMonth: 2,
  cloudWatchLogsIngestGb: 0.5,
  assumedLogGb: 10,
  alarmMonth: 0.1,
  alarms: 12,
  configRuleEvaluationsMonth: 3,
  guardDutyRemediationMonth: 1,
} as const;

/** Relative to us-east-1; from the published price pages of the services above. */
export const REGION_PRICE_FACTORS: Readonly<Record<string, number>> = {
  'us-east-1': 1,
  'us-east-2': 1,
  'us-west-2': 1,
  'ca-central-1': 1.1,
  'eu-west-1': 1.1,
  'eu-west-2': 1.15,
  'eu-central-1': 1.15,
  'ap-southeast-1': 1.2,
  'ap-southeast-2': 1.2,
  'ap-northeast-1': 1.25,
};

export interface CostEstimateOptions {
  readonly region?: string;
  /** Missing features take the spec's defaults (so a partially filled form prices the defaults). */
  readonly features?: Partial<EnvironmentFeatures>;
  /** Whether an existing database secret is imported rather than created. @default false */
  readonly importsDatabaseSecret?: boolean;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** Monthly run-rate estimate of an environment from its spec. */
export function estimateMonthlyCost(options: CostEstimateOptions): CostEstimate {
  const p = PRICE_TABLE;
  const region = options.region ?? 'us-east-1';
  const factor = REGION_PRICE_FACTORS[region] ?? 1;
  const features = featuresSchema.parse({ ...options.features });
  const lines: CostLine[] = [];
  const add = (line: CostLine) => lines.push({ ...line, monthlyUsd: round(line.monthlyUsd * factor) });
  const azHours = p.availabilityZones * p.hoursPerMonth;

  const endpoints =
    p.baseInterfaceEndpoints + (features.apiEndpointType === 'PRIVATE' ? p.privateApiInterfaceEndpoints : 0);
  add({
    item: 'interfaceEndpoints',
    label: `Interface VPC endpoints (${endpoints})`,
    monthlyUsd: endpoints * azHours * p.interfaceEndpointPerAzHour,
    basis: `${endpoints} endpoints × ${p.availabilityZones} AZ × $${p.interfaceEndpointPerAzHour}/h × ${p.hoursPerMonth} h`,
  });
  if (features.networkFirewall) {
    add({
      item: 'networkFirewall',
      label: 'AWS Network Firewall',
      feature: 'networkFirewall',
      monthlyUsd: azHours * p.networkFirewallEndpointHour,
      basis: `${p.availabilityZones} firewall endpoints × $${p.networkFirewallEndpointHour}/h × ${p.hoursPerMonth} h`,
    });
    add({
      item: 'natGateways',
      label: 'NAT gateways (inspected egress)',
      feature: 'networkFirewall',
      monthlyUsd: azHours * p.natGatewayHour,
      basis: `${p.availabilityZones} NAT gateways × $${p.natGatewayHour}/h × ${p.hoursPerMonth} h`,
    });
  }
  if (features.database) {
    add({
      item: 'aurora',
      label: 'Aurora MySQL Serverless v2',
      feature: 'database',
      monthlyUsd:
        p.auroraInstances * p.auroraMinAcu * p.auroraAcuHour * p.hoursPerMonth +
        p.auroraAssumedStorageGb * p.auroraStorageGbMonth,
      basis: `${p.auroraInstances} instances × ${p.auroraMinAcu} ACU min × $${p.auroraAcuHour}/ACU-h × ${p.hoursPerMonth} h + ${p.auroraAssumedStorageGb} GB × $${p.auroraStorageGbMonth}`,
    });
  }
  if (features.waf) {
    add({
      item: 'waf',
      label: 'WAF web ACL',
      feature: 'waf',
      monthlyUsd: p.wafWebAclMonth + p.wafRules * p.wafRuleMonth,
      basis: `$${p.wafWebAclMonth} per ACL + ${p.wafRules} rules × $${p.wafRuleMonth}`,
    });
  }
  const secrets = 1 + (features.database && !options.importsDatabaseSecret ? 1 : 0);
  add({
    item: 'kmsAndSecrets',
    label: `KMS keys (${p.kmsKeys}) and secrets (${secrets})`,
    monthlyUsd: p.kmsKeys * p.kmsKeyMonth + secrets * p.secretMonth,
    basis: `${p.kmsKeys} × $${p.kmsKeyMonth} + ${secrets} × $${p.secretMonth}`,
  });
  if (features.documentPipeline) {
    add({
      item: 'documentPipeline',
      label: 'Document API (API Gateway + Lambda)',
      feature: 'documentPipeline',
      monthlyUsd: p.assumedMillionRequests * p.apiGatewayPerMillionRequests + p.lambdaAssumedMonth,
      basis: `${p.assumedMillionRequests}M requests × $${p.apiGatewayPerMillionRequests} + Lambda ~$${p.lambdaAssumedMonth}`,
    });
  }
  if (features.guardDutyRemediation) {
    add({
      item: 'guardDutyRemediation',
      label: 'GuardDuty remediation (EventBridge + Lambda)',
      feature: 'guardDutyRemediation',
      monthlyUsd: p.guardDutyRemediationMonth,
      basis: 'event-driven; a few invocations a month',
    });
  }
  add({
    item: 'observability',
    label: 'CloudWatch logs, alarms and Config rules',
    monthlyUsd:
      p.assumedLogGb * p.cloudWatchLogsIngestGb + p.alarms * p.alarmMonth + p.configRuleEvaluationsMonth,
    basis: `${p.assumedLogGb} GB × $${p.cloudWatchLogsIngestGb} + ${p.alarms} alarms × $${p.alarmMonth} + Config ~$${p.configRuleEvaluationsMonth}`,
  });

  lines.sort((a, b) => b.monthlyUsd - a.monthlyUsd);
  return {
    currency: 'USD',
    monthlyUsd: round(lines.reduce((sum, line) => sum + line.monthlyUsd, 0)),
    lines,
    priceTableAsOf: p.asOf,
    region,
  };
}
