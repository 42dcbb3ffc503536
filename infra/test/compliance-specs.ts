import type { EnvironmentSpecInput } from '@sep/spec';
import { ALL_FEATURES_OFF_INPUT, DEFAULT_SPEC_INPUT, PROD_ALL_FEATURES_INPUT } from './fixtures';

/** The three specs the compliance bar names, by the name the reports and SUPPRESSIONS.md use. */
export const COMPLIANCE_SPECS: readonly { name: string; input: EnvironmentSpecInput }[] = [
  { name: 'default-ephemeral', input: DEFAULT_SPEC_INPUT },
  { name: 'prod-all-features', input: PROD_ALL_FEATURES_INPUT },
  { name: 'all-features-off', input: ALL_FEATURES_OFF_INPUT },
];
