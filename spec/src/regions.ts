/**
 * Regions an environment may be placed in, with the availability zones the
 * stage uses there.
 *
 * The zones are explicit so that `cdk synth` never performs a context lookup:
 * lookups need credentials and break pipeline synth unless `cdk.context.json`
 * is committed. Every region listed offers three zones and every service the
 * stage builds (Network Firewall, WAFv2 regional, Aurora MySQL Serverless v2,
 * interface endpoints for each function dependency).
 */
export const REGION_AVAILABILITY_ZONES = {
  'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  'us-east-2': ['us-east-2a', 'us-east-2b', 'us-east-2c'],
  'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  'ca-central-1': ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'],
  'eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  'eu-west-2': ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'],
  'eu-central-1': ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  'ap-southeast-1': ['ap-southeast-1a', 'ap-southeast-1b', 'ap-southeast-1c'],
  'ap-southeast-2': ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c'],
  'ap-northeast-1': ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'],
} as const satisfies Record<string, readonly [string, string, string]>;

export type SupportedRegion = keyof typeof REGION_AVAILABILITY_ZONES;

export const SUPPORTED_REGIONS = Object.keys(REGION_AVAILABILITY_ZONES) as [
  SupportedRegion,
  ...SupportedRegion[],
];

export const DEFAULT_REGION: SupportedRegion = 'us-east-1';

/** The longest region name we accept; physical-name budgets assume it. */
export const LONGEST_REGION_NAME_LENGTH = Math.max(...SUPPORTED_REGIONS.map((region) => region.length));
