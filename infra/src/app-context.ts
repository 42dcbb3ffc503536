import type { EnvironmentSpecInput } from '@sep/spec';

/**
 * How `cdk synth -c key=value` maps onto the spec: every top-level field under
 * its own name, features by their names, lists comma-separated. Values are
 * passed through untouched (strings), except the booleans and numbers below,
 * so that `parseEnvironmentSpec` reports bad values field by field.
 */
export const CONTEXT_FIELDS = [
  'environmentSuffix',
  'kind',
  'owner',
  'project',
  'costCenter',
  'dataClassification',
  'complianceLevel',
  'region',
  'account',
  'ttlHours',
  'existingDatabaseSecretArn',
  'alertEmails',
  'allowedCidrs',
] as const;
export const CONTEXT_FEATURES = [
  'database',
  'networkFirewall',
  'waf',
  'documentPipeline',
  'guardDutyRemediation',
  'apiEndpointType',
] as const;

/** Defaults that make `npx cdk synth -c environmentSuffix=pr123` enough for a first try. */
export const CONTEXT_DEFAULTS = {
  kind: 'ephemeral',
  project: 'secure-environment-portal',
  costCenter: 'unassigned',
} as const;

const LIST_FIELDS = new Set(['alertEmails', 'allowedCidrs']);
const BOOLEAN_FEATURES = new Set([
  'database',
  'networkFirewall',
  'waf',
  'documentPipeline',
  'guardDutyRemediation',
]);

/** Builds the (unvalidated) spec input from CDK context; `owner` defaults to the caller. */
export function specInputFromContext(options: {
  readonly tryGetContext: (key: string) => unknown;
  readonly defaultOwner: string;
}): EnvironmentSpecInput {
  const input: Record<string, unknown> = { ...CONTEXT_DEFAULTS, owner: options.defaultOwner };
  for (const field of CONTEXT_FIELDS) {
    const value = options.tryGetContext(field);
    if (value === undefined) continue;
    if (LIST_FIELDS.has(field) && typeof value === 'string') {
      input[field] = value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    } else if (field === 'ttlHours' && typeof value === 'string' && /^\d+$/.test(value)) {
      input[field] = Number(value);
    } else {
      input[field] = value;
    }
  }
  const features: Record<string, unknown> = {};
  for (const feature of CONTEXT_FEATURES) {
    const value = options.tryGetContext(feature);
    if (value === undefined) continue;
    features[feature] =
      BOOLEAN_FEATURES.has(feature) && (value === 'true' || value === 'false') ? value === 'true' : value;
  }
  if (Object.keys(features).length > 0) input.features = features;
  return input as EnvironmentSpecInput;
}
