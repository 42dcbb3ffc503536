import { applyStageCompliancePacks, type NagReport, type NagReportCollector } from '@sep/infra';
import { type Environment, Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PortalStack, type PortalStackProps } from './portal-stack';

export const PORTAL_STAGE_NAME = 'Portal';

export interface PortalStageProps extends Omit<PortalStackProps, 'env'> {
  /** The pipeline's account and region: the portal runs beside the registry it reads. */
  readonly env: Environment;
  /** Apply the four packs (AwsSolutions, PCI DSS 3.2.1, NIST 800-53 R5, Sep) and write `nag-report.json` beside the stage's template. @default true */
  readonly nag?: boolean;
}

/** The stage the environments pipeline deploys the portal with, before the environment waves. */
export class PortalStage extends Stage {
  readonly stack: PortalStack;
  private readonly collector?: NagReportCollector;

  constructor(scope: Construct, id: string, props: PortalStageProps) {
    const { env, nag, ...stackProps } = props;
    super(scope, id, { env });
    // Access logs delivered under a bucket policy, not the LogDeliveryWrite ACL (ACLs stay disabled).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.stack = new PortalStack(this, 'Portal', {
      ...stackProps,
      description: 'Secure Environment Portal: the portal (ECS Fargate behind an ALB with WAF)',
    });
    if (nag !== false) this.collector = applyStageCompliancePacks(this);
  }

  /** The cdk-nag results of this stage; complete once the stage has been synthesized. */
  nagReport(): NagReport {
    if (this.collector === undefined) throw new Error('the portal stage was built with nag: false');
    return this.collector.report(this.stageName);
  }
}
