import type {
  ComplianceService,
  DeploymentService,
  EnvironmentTarget,
  PipelineService,
  PlatformPort,
  PromotionDecision,
  ProvenanceService,
  ProvisionTarget,
} from '../port';
import { AwsCompliance } from './aws-compliance';
import { AwsContext, type AwsPlatformOptions } from './aws-context';
import { AwsDeployment } from './aws-deployment';
import { AwsPromotion } from './aws-promotion';
import { AwsProvenance } from './aws-provenance';

export type { AwsPlatformOptions } from './aws-context';
export { OUTPUTS_OF_PREVIOUS_VERSION } from './stack-events';

/**
 * The real platform: CodePipeline runs, CloudFormation deploys, AWS Config judges. One service per
 * capability of the port, on one shared context (clients, clock, pipeline-state cache).
 */
export class AwsPlatform implements PlatformPort {
  readonly mode = 'aws' as const;
  readonly simulated = false;
  private readonly aws: AwsContext;
  private readonly deployment: DeploymentService;
  private readonly checks: ComplianceService;
  private readonly release: PipelineService;
  private readonly origins: ProvenanceService;

  constructor(options: AwsPlatformOptions) {
    this.aws = new AwsContext(options);
    this.deployment = new AwsDeployment(this.aws);
    this.checks = new AwsCompliance(this.aws);
    this.release = new AwsPromotion(this.aws);
    this.origins = new AwsProvenance(this.aws);
  }

  provision(target: ProvisionTarget) {
    return this.deployment.provision(target);
  }

  deployingExecution() {
    return this.deployment.deployingExecution();
  }

  teardown(target: EnvironmentTarget & { readonly reason: string }) {
    return this.deployment.teardown(target);
  }

  describe(target: EnvironmentTarget) {
    return this.deployment.describe(target);
  }

  recreate(target: EnvironmentTarget) {
    return this.deployment.recreate(target);
  }

  compliance(target: EnvironmentTarget) {
    return this.checks.compliance(target);
  }

  detectDrift(target: EnvironmentTarget) {
    return this.checks.detectDrift(target);
  }

  pipeline() {
    return this.release.pipeline();
  }

  decidePromotion(decision: PromotionDecision) {
    return this.release.decidePromotion(decision);
  }

  provenance(target: EnvironmentTarget) {
    return this.origins.provenance(target);
  }

  promotionSources() {
    return this.release.promotionSources();
  }

  async close(): Promise<void> {
    this.aws.close();
  }
}
