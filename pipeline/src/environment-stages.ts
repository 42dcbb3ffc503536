import type { EnvironmentSpec } from '@sep/infra/spec';
import type { CfnOutput, Environment, Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** What the pipeline needs of an environment stage (CONTRACTS.md: `SecureEnvironmentStage`). */
export interface EnvironmentStage extends Stage {
  readonly outputs: { readonly apiUrl: CfnOutput; readonly apiKeyId: CfnOutput };
}

export interface EnvironmentStageProps {
  readonly spec: EnvironmentSpec;
  readonly env: Environment;
  /** Run the cdk-nag packs on the stage. */
  readonly nag: boolean;
}

export type EnvironmentStageFactory = (
  scope: Construct,
  id: string,
  props: EnvironmentStageProps,
) => EnvironmentStage;

/** Builds the stage holding one account/region's account-security stack. */
export type AccountSecurityStageFactory = (
  scope: Construct,
  id: string,
  props: { readonly env: Environment },
) => Stage;
