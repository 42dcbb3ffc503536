import type { EnvironmentSpec } from '@sep/spec';
import { type Environment, Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { applyStageCompliancePacks } from './nag/packs';
import type { NagReport, NagReportCollector } from './nag/report';
import type { SecureEnvironmentOutputs } from './secure-environment-outputs';
import { SecureEnvironmentStack } from './secure-environment-stack';

/**
 * Feature flags the stage depends on, set on the stage itself so that the
 * pipeline's and the portal's apps need no cdk.json of their own.
 */
export const STAGE_FEATURE_FLAGS = {
  // Server access logs delivered under a bucket policy, not the LogDeliveryWrite ACL (ACLs stay disabled).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
} as const;

export interface SecureEnvironmentStageProps extends Omit<StageProps, 'env'> {
  /** The validated spec (`parseEnvironmentSpec`). */
  readonly spec: EnvironmentSpec;
  /**
   * Account and region of the stack.
   *
   * @default - `spec.account` (environment-agnostic account when absent) and `spec.region`
   */
  readonly env?: Environment;
  /**
   * Apply cdk-nag AwsSolutions, PCIDSS321, NIST80053R5 and the project's Sep pack and write `nag-report.json`.
   *
   * @default true
   */
  readonly nag?: boolean;
}

/**
 * One secure environment as a CDK Stage: what the pipeline deploys per
 * registered environment and what the portal synthesizes locally.
 */
export class SecureEnvironmentStage extends Stage {
  public readonly spec: EnvironmentSpec;
  public readonly stack: SecureEnvironmentStack;
  public readonly outputs: SecureEnvironmentOutputs;
  private readonly collector?: NagReportCollector;

  constructor(scope: Construct, id: string, props: SecureEnvironmentStageProps) {
    const { spec, nag, env, ...stageProps } = props;
    super(scope, id, {
      ...stageProps,
      env: env ?? { account: spec.account, region: spec.region },
    });
    this.spec = spec;
    for (const [flag, value] of Object.entries(STAGE_FEATURE_FLAGS)) this.node.setContext(flag, value);
    this.stack = new SecureEnvironmentStack(this, 'Environment', { spec });
    this.outputs = this.stack.outputs;
    if (nag !== false) this.collector = applyStageCompliancePacks(this);
  }

  /** The cdk-nag results of this stage; complete once the stage has been synthesized. */
  public nagReport(): NagReport {
    if (this.collector === undefined) throw new Error(`stage ${this.stageName} was built with nag: false`);
    return this.collector.report(this.stageName);
  }
}
