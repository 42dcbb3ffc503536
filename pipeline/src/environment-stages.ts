import type { PlatformAccessProps } from '@sep/infra';
import type { EnvironmentSpec } from '@sep/spec';
import type { CfnOutput, Environment, Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** What the pipeline needs of an environment stage (ARCHITECTURE.md "Contracts between the parts"). */
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

export interface AccountSecurityStageProps {
  /** One deployment target (account and region). */
  readonly env: Required<Pick<Environment, 'account' | 'region'>>;
  /**
   * Create the AWS Config recorder and delivery channel. False where one exists already (AWS Control
   * Tower creates its own in every governed region; only one is allowed per account and region).
   */
  readonly createConfigRecorder: boolean;
  /** The platform's roles in this target, trusted by the pipeline's portal, sweeper and smoke-test roles. */
  readonly platformAccess: PlatformAccessProps;
  /** Run the cdk-nag packs (`applyCompliancePacks`, Sep included) on the stage, as on every environment stage. */
  readonly nag: boolean;
}

/** Builds the stage holding one account/region's account-security stack. */
export type AccountSecurityStageFactory = (
  scope: Construct,
  id: string,
  props: AccountSecurityStageProps,
) => Stage;
