import type { EnvironmentTarget, PlatformPort, PromotionDecision, ProvisionTarget } from '../port';
import { LocalCompliance } from './local-compliance';
import { LocalDelivery, type LocalPlatformOptions } from './local-delivery';
import { LocalDeployment } from './local-deployment';
import { LocalPromotion } from './local-promotion';
import { LocalProvenance } from './local-provenance';

export { LOCAL_COMPLIANCE_BUCKET, type LocalPlatformOptions } from './local-delivery';

/**
 * The local delivery platform plays the pipeline that was actually synthesized. Each run exports the
 * registry and synthesizes the pipeline app with the synth step's own commands (read from the deployed
 * pipeline's buildspec, run against local DynamoDB and S3), and the player runs the synthesized
 * CodePipeline's stages and actions: each CloudFormation action's stack is played from its own
 * template's resource graph, the approval waits for the approval call, and each smoke action runs the
 * bundled smoke script against the environment's API as the local endpoints serve it. An environment's
 * progress is its place in that run and its stack's state.
 */
export class LocalPlatform implements PlatformPort {
  readonly mode = 'local' as const;
  readonly simulated = true;
  private readonly delivery: LocalDelivery;
  private readonly deployment: LocalDeployment;
  private readonly checks: LocalCompliance;
  private readonly release: LocalPromotion;
  private readonly origins: LocalProvenance;

  constructor(options: LocalPlatformOptions) {
    this.delivery = new LocalDelivery(options);
    this.deployment = new LocalDeployment(this.delivery);
    this.checks = new LocalCompliance(this.delivery, this.deployment);
    this.release = new LocalPromotion(this.delivery);
    this.origins = new LocalProvenance(this.delivery);
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

  close(): Promise<void> {
    return this.delivery.close();
  }
}
