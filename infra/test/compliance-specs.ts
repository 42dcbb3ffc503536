import type { EnvironmentSpecInput } from '@sep/spec';
import { ALL_FEATURES_OFF_INPUT, DEFAULT_SPEC_INPUT, PROD_ALL_FEATURES_INPUT } from './fixtures';

export interface ComplianceSpec {
  /** The name the reports and SUPPRESSIONS.md use. */
  readonly name: string;
  readonly input: EnvironmentSpecInput;
  /** Synthesize without account and region (`<AWS::AccountId>` in findings), as `cdk synth` without an account does. */
  readonly environmentAgnostic?: boolean;
}

/** The specs the compliance bar names, plus staging and an environment-agnostic synth. */
export const COMPLIANCE_SPECS: readonly ComplianceSpec[] = [
  { name: 'default-ephemeral', input: DEFAULT_SPEC_INPUT },
  { name: 'prod-all-features', input: PROD_ALL_FEATURES_INPUT },
  { name: 'all-features-off', input: ALL_FEATURES_OFF_INPUT },
  {
    name: 'staging-all-features',
    input: { ...PROD_ALL_FEATURES_INPUT, environmentSuffix: 'stg', kind: 'staging' },
  },
  {
    name: 'prod-environment-agnostic',
    input: { ...PROD_ALL_FEATURES_INPUT, environmentSuffix: 'agnostic' },
    environmentAgnostic: true,
  },
];
