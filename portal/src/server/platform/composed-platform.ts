// The port assembled from its four capability services: what the aws and local platforms share, so that
// each adapter only says which services it builds and on what.
import type { PortalMode } from '../domain/types';
import type {
  ComplianceService,
  DeploymentService,
  EnvironmentTarget,
  PipelineService,
  PlatformPort,
  PromotionDecision,
  ProvenanceService,
  ProvisionTarget,
} from './port';

export interface PlatformServices {
  readonly mode: PortalMode;
  /** True when outputs, events and pipeline state are simulated on this machine. */
  readonly simulated: boolean;
  readonly deployment: DeploymentService;
  readonly compliance: ComplianceService;
  readonly pipeline: PipelineService;
  readonly provenance: ProvenanceService;
  /** Releases what the services share (clients, the local endpoints and player). */
  readonly close: () => Promise<void>;
}

/** A `PlatformPort` whose every call is one capability service's. */
export class ComposedPlatform implements PlatformPort {
  readonly mode: PortalMode;
  readonly simulated: boolean;
  private readonly services: PlatformServices;

  constructor(services: PlatformServices) {
    this.mode = services.mode;
    this.simulated = services.simulated;
    this.services = services;
  }

  provision(target: ProvisionTarget) {
    return this.services.deployment.provision(target);
  }

  deployingExecution() {
    return this.services.deployment.deployingExecution();
  }

  teardown(target: EnvironmentTarget & { readonly reason: string }) {
    return this.services.deployment.teardown(target);
  }

  describe(target: EnvironmentTarget) {
    return this.services.deployment.describe(target);
  }

  recreate(target: EnvironmentTarget) {
    return this.services.deployment.recreate(target);
  }

  compliance(target: EnvironmentTarget) {
    return this.services.compliance.compliance(target);
  }

  detectDrift(target: EnvironmentTarget) {
    return this.services.compliance.detectDrift(target);
  }

  pipeline() {
    return this.services.pipeline.pipeline();
  }

  decidePromotion(decision: PromotionDecision) {
    return this.services.pipeline.decidePromotion(decision);
  }

  provenance(target: EnvironmentTarget) {
    return this.services.provenance.provenance(target);
  }

  promotionSources() {
    return this.services.pipeline.promotionSources();
  }

  close(): Promise<void> {
    return this.services.close();
  }
}
