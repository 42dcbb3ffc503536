import {
  type EnvironmentSpec,
  type EnvironmentSpecInput,
  MAX_SUFFIX_LENGTH,
  parseEnvironmentSpec,
} from '@sep/spec';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecureEnvironmentStage } from '../src/secure-environment-stage';

/**
 * Shared fixtures for the whole-stage tests. Each test file builds ONE app
 * (synthesis is the expensive part) from these specs.
 */
export const TEST_ACCOUNT = '111111111111';

const base = { owner: 'alice@example.com', project: 'payments', costCenter: 'cc-1234' } as const;

/** The default request: ephemeral, every default. */
export const DEFAULT_SPEC_INPUT: EnvironmentSpecInput = {
  ...base,
  environmentSuffix: 'pr123',
  kind: 'ephemeral',
};

/** Prod with every feature on (PRIVATE API, firewall, database, imported nothing). */
export const PROD_ALL_FEATURES_INPUT: EnvironmentSpecInput = {
  ...base,
  environmentSuffix: 'prod',
  kind: 'prod',
  alertEmails: ['security@example.com'],
  features: {
    database: true,
    networkFirewall: true,
    waf: true,
    documentPipeline: true,
    guardDutyRemediation: true,
    apiEndpointType: 'PRIVATE',
  },
};

/** Every optional feature off. */
export const ALL_FEATURES_OFF_INPUT: EnvironmentSpecInput = {
  ...base,
  environmentSuffix: 'bare',
  kind: 'ephemeral',
  features: {
    database: false,
    networkFirewall: false,
    waf: false,
    documentPipeline: false,
    guardDutyRemediation: false,
    apiEndpointType: 'REGIONAL',
  },
};

/** The longest suffix the spec allows, with every named resource switched on. */
export const LONGEST_SUFFIX_INPUT: EnvironmentSpecInput = {
  ...PROD_ALL_FEATURES_INPUT,
  environmentSuffix: `s${'a'.repeat(MAX_SUFFIX_LENGTH - 1)}`,
  kind: 'staging',
  region: 'ap-southeast-1',
};

export function spec(input: EnvironmentSpecInput): EnvironmentSpec {
  const parsed = parseEnvironmentSpec(input);
  if (!parsed.success) throw new Error(`fixture spec invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.spec;
}

export interface SynthesizedFixture {
  readonly app: App;
  readonly stages: SecureEnvironmentStage[];
  readonly templates: Template[];
}

/** One app holding one stage per spec, synthesized once. */
export function synthesizeApp(
  inputs: readonly EnvironmentSpecInput[],
  options: { nag?: boolean; environmentAgnostic?: readonly boolean[] } = {},
): SynthesizedFixture {
  const app = new App();
  const stages = inputs.map((input, index) => {
    const parsed = spec(input);
    return new SecureEnvironmentStage(app, parsed.environmentSuffix, {
      spec: parsed,
      env:
        options.environmentAgnostic?.[index] === true
          ? undefined
          : { account: TEST_ACCOUNT, region: parsed.region },
      nag: options.nag ?? false,
    });
  });
  app.synth();
  return { app, stages, templates: stages.map((stage) => Template.fromStack(stage.stack)) };
}

export type CfnResource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

export function resources(template: Template): [string, CfnResource][] {
  return Object.entries(template.toJSON().Resources as Record<string, CfnResource>);
}
